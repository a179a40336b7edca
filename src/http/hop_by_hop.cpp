#include "larder/http/hop_by_hop.hpp"

#include <array>

namespace larder::http {

bool is_hop_by_hop(const HeaderList& all, std::string_view name) {
    static constexpr std::array<std::string_view, 7> fixed = {
        "connection", "keep-alive",        "proxy-connection", "te",
        "trailer",    "transfer-encoding", "upgrade"};
    for (auto f : fixed)
        if (iequals(name, f)) return true;
    if (never_named_by_connection(name)) return false;
    for (const auto& h : all)
        if (iequals(h.name, "connection") && has_token(h.value, name)) return true;
    return false;
}

bool never_named_by_connection(std::string_view name) {
    return iequals(name, "host") || iequals(name, "content-length") ||
           iequals(name, "transfer-encoding");
}

}  // namespace larder::http
