#include "larder/upstream/response_head.hpp"

#include <algorithm>
#include <limits>

#include "larder/http/hop_by_hop.hpp"

namespace larder::upstream {

std::string_view to_string(HeadCheck c) {
    switch (c) {
        case HeadCheck::Final:
            return "final";
        case HeadCheck::Interim:
            return "interim";
        case HeadCheck::NotAStatus:
            return "not_a_status";
        case HeadCheck::UnsolicitedSwitch:
            return "unsolicited_switch";
    }
    return "unknown";
}

void prepare_parser(ResponseParser& parser, bool head_request) {
    parser.header_limit(static_cast<std::uint32_t>(kResponseHeaderLimit));
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    if (head_request) parser.skip(true);
}

HeadCheck check_head(unsigned status) {
    if (status < 100 || status > 599) return HeadCheck::NotAStatus;
    if (status == 101) return HeadCheck::UnsolicitedSwitch;
    if (status < 200) return HeadCheck::Interim;
    return HeadCheck::Final;
}

void copy_fields(const ResponseParser& parser, http::HeaderList& out) {
    out.clear();
    std::size_t count = 0;
    for (auto it = parser.get().begin(); it != parser.get().end(); ++it) ++count;
    out.reserve(count);
    for (const auto& field : parser.get())
        out.add(std::string_view(field.name_string().data(), field.name_string().size()),
                std::string_view(field.value().data(), field.value().size()));
}

std::string interim_head(const ResponseParser& parser) {
    const auto& message = parser.get();
    http::HeaderList fields;
    copy_fields(parser, fields);
    std::string out = "HTTP/1.1 ";
    out.append(std::to_string(message.result_int())).push_back(' ');
    out.append(message.reason().data(), message.reason().size()).append("\r\n");
    const http::HopByHop hop_by_hop(fields);
    for (const auto& f : fields) {
        if (hop_by_hop.contains(f.name)) continue;
        out.append(f.name).append(": ").append(f.value).append("\r\n");
    }
    out.append("\r\n");
    return out;
}

std::size_t body_piece_size(const ResponseParser& parser, std::size_t buffered) {
    if (auto remaining = parser.content_length_remaining())
        return static_cast<std::size_t>(
            std::clamp<std::uint64_t>(*remaining, 1, std::uint64_t{kBodyPieceLimit}));
    return std::clamp<std::size_t>(buffered, 4096, kBodyPieceLimit);
}

}  // namespace larder::upstream
