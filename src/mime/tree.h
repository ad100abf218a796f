#pragma once
// The MIME structure of one message: entities with their raw header fields and
// still transfer-encoded bodies, nested through multiparts and message/rfc822.
// Built by hand rather than with mimetic's MimeEntity tree: on hostile input
// mimetic recurses without a bound (a 5 MB message of nested multiparts or of
// chained message/rfc822 headers overflows the stack), grows header buffers
// 128 bytes at a time (a 3 MB header line took 37 s), allocates the whole tree
// (~850 bytes a part) before anything can be counted, loses every part after a
// nested multipart that is not closed, and re-serialises Content-Type through a
// parser that splits quoted values at ';'. Here every limit is checked before a
// part is parsed, and each multipart is split inside its parent's range, so an
// unclosed inner multipart cannot swallow its parent's later parts.
// Private to src/mime.
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "mime/fields.h"
#include "mime/mime.h"

namespace intake::mime {

struct RawField {
    std::string name;   ///< as written
    std::string value;  ///< unfolded, not decoded (bytes as in the message)
};

struct Entity {
    std::vector<RawField> fields;
    MediaField type;         ///< Content-Type, defaulted per RFC 2045 / 2046
    MediaField disposition;  ///< Content-Disposition; value "" when absent
    std::string_view body;   ///< transfer-encoded body (points into the message or the builder)
    std::vector<Entity> children;  ///< multipart parts, or the one message of a message/rfc822 part
    std::size_t depth = 0;         ///< 0 for the message itself

    /// First field of that name (case-insensitive), nullptr if absent.
    const RawField* field(std::string_view name) const;
    bool is_multipart() const { return type.major() == "multipart"; }
    bool is_embedded_message()
        const;  ///< message/rfc822 (or message/global) with its message parsed
};

/// The top-level header fields of a raw message, nothing else parsed.
std::vector<RawField> header_fields(std::string_view raw);

/// Splits a raw message into its entity tree, enforcing limits.max_parts and
/// limits.max_depth (PermanentError naming the key) before each part is parsed.
/// The entities' bodies may point into the builder, so it must outlive them.
class TreeBuilder {
public:
    TreeBuilder(const Limits& limits, std::vector<std::string>& problems);
    TreeBuilder(const TreeBuilder&) = delete;
    TreeBuilder& operator=(const TreeBuilder&) = delete;

    Entity build(std::string_view raw);

private:
    Entity parse_entity(std::string_view bytes, std::size_t depth, bool in_digest);
    void parse_multipart(Entity& entity);
    void parse_embedded(Entity& entity);
    void check_new_part(std::size_t depth);
    void note(std::string problem);

    const Limits& limits_;
    std::vector<std::string>& problems_;
    std::size_t parts_ = 0;
    std::deque<std::string> decoded_;  ///< transfer-decoded message/rfc822 bodies
};

}  // namespace intake::mime
