// libcurl's global state for the whole test binary, as main() sets it up in intake:
// created once before any test runs, cleaned up after the last.
#include <gtest/gtest.h>

#include <memory>

#include "net/curl.h"

namespace intake {
namespace {

class CurlEnvironment : public ::testing::Environment {
public:
    void SetUp() override { global_ = std::make_unique<net::CurlGlobal>(); }
    void TearDown() override { global_.reset(); }

private:
    std::unique_ptr<net::CurlGlobal> global_;
};

// gtest takes ownership of the environment.
[[maybe_unused]] const ::testing::Environment* const curl_environment =
    ::testing::AddGlobalTestEnvironment(new CurlEnvironment);

}  // namespace
}  // namespace intake
