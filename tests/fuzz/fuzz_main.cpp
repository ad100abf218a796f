// libFuzzer's entry point for one target; CMake builds this file once per target
// with INTAKE_FUZZ_TARGET naming its function (fuzz_decide, fuzz_imap, ...).
#include <cstddef>
#include <cstdint>

#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return intake::fuzz::INTAKE_FUZZ_TARGET(data, size);
}
