#include "larder/upstream/response_head.hpp"

#include <algorithm>

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

HeadCheck check_head(int status) {
    if (status < 100 || status > 599) return HeadCheck::NotAStatus;
    if (status == 101) return HeadCheck::UnsolicitedSwitch;
    if (status < 200) return HeadCheck::Interim;
    return HeadCheck::Final;
}

std::string interim_head(const ResponseParser& parser) {
    const http::HeaderList& fields = parser.headers();
    std::string out = "HTTP/1.1 ";
    out.append(std::to_string(parser.status())).push_back(' ');
    out.append(parser.reason()).append("\r\n");
    const http::HopByHop hop_by_hop(fields);
    for (const auto& f : fields) {
        if (hop_by_hop.contains(f.name)) continue;
        out.append(f.name).append(": ").append(f.value).append("\r\n");
    }
    out.append("\r\n");
    return out;
}

std::size_t body_piece_size(const ResponseParser& parser, std::size_t buffered) {
    if (auto remaining = parser.remaining())
        return static_cast<std::size_t>(
            std::clamp<std::uint64_t>(*remaining, 1, std::uint64_t{kBodyPieceLimit}));
    return std::clamp<std::size_t>(buffered, 4096, kBodyPieceLimit);
}

}  // namespace larder::upstream
