#pragma once
// From the entity tree to what HR and the later stages read: the message's own
// body text and its attachments. Private to src/mime.
#include <string>
#include <vector>

#include "mime/mime.h"
#include "mime/tree.h"

namespace intake::mime {

struct Content {
    std::string body_text;
    std::vector<Attachment> attachments;
};

/// Throws PermanentError when a decoded attachment exceeds limits.max_attachment_bytes.
Content collect_content(const Entity& root, const Limits& limits,
                        std::vector<std::string>& problems);

}  // namespace intake::mime
