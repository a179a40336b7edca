#include "larder/http/hop_by_hop.hpp"

#include <array>

namespace larder::http {

bool is_hop_by_hop(const HeaderList& all, std::string_view name) {
    static constexpr std::array<std::string_view, 7> fixed = {
        "connection", "keep-alive",        "proxy-connection", "te",
        "trailer",    "transfer-encoding", "upgrade"};
    for (auto f : fixed)
        if (iequals(name, f)) return true;
    for (const auto& h : all)
        if (iequals(h.name, "connection") && has_token(h.value, name)) return true;
    return false;
}

}  // namespace larder::http
