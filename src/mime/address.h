#pragma once
// RFC 5322 address lists ("Name <a@b>", "a@b (Name)", groups, quoted names with
// commas) with RFC 2047 display names decoded. Private to src/mime.
#include <string_view>
#include <vector>

#include "mime/mime.h"

namespace intake::mime {

/// Every mailbox in a raw (undecoded) address header, in order; groups are flattened.
std::vector<Address> parse_address_list(std::string_view raw);

}  // namespace intake::mime
