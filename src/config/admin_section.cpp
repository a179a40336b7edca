// [admin]: where the admin API listens and who may use it (docs/admin-api.md).
//
// `listen` is one address or a list of them (an empty list turns the admin listener off);
// `token` is a bearer token of at least 16 visible ASCII characters; `allow` lists addresses or
// CIDR blocks. An admin address that is not loopback without a token is refused here, at the
// address, so a daemon never exposes purge and metrics to its network by accident.
#include <algorithm>

#include "sections.hpp"

namespace larder::config::detail {

namespace {

constexpr std::size_t kMinTokenLength = 16;

// Reads `listen`, and the node of each address (for the loopback check's position).
std::vector<const toml::node*> read_admin_listen(Reader& r, std::vector<HostPort>& out) {
    const toml::node* node = r.find("listen");
    if (!node) return {};
    std::vector<const toml::node*> nodes;
    std::vector<HostPort> addresses;
    if (node->is_string()) {
        HostPort address;
        if (auto problem = address_problem(*node, true, address)) r.fail("listen", *problem);
        addresses.push_back(std::move(address));
        nodes.push_back(node);
    } else if (const auto* array = node->as_array()) {
        for (std::size_t i = 0; i < array->size(); ++i) {
            const toml::node& element = *array->get(i);
            HostPort address;
            if (auto problem = address_problem(element, true, address))
                r.fail_at(element, r.key("listen") + '[' + std::to_string(i) + ']', *problem);
            addresses.push_back(std::move(address));
            nodes.push_back(&element);
        }
    } else {
        r.fail("listen",
               "expected a string, or an array of strings ([] turns the admin "
               "listener off), got " +
                   std::string(type_name(*node)));
    }
    out = std::move(addresses);
    return nodes;
}

void read_token(Reader& r, std::string& out) {
    if (!r.string("token", out)) return;
    bool visible = std::all_of(out.begin(), out.end(), [](char c) { return c > 0x20 && c < 0x7f; });
    if (!visible)
        r.fail("token", "expected visible ASCII characters only (no spaces or control characters)");
    if (out.size() < kMinTokenLength)
        r.fail("token", "expected at least " + std::to_string(kMinTokenLength) +
                            " characters, got " + std::to_string(out.size()) +
                            " (try: openssl rand -hex 24)");
}

void read_allow(Reader& r, std::vector<AddressRange>& out) {
    std::vector<std::string> texts;
    if (!r.strings("allow", texts, /*single_ok=*/true)) return;
    out.clear();
    for (std::size_t i = 0; i < texts.size(); ++i) {
        auto range = AddressRange::parse(texts[i]);
        if (!range)
            r.fail_item("allow", i,
                        "expected an IP address or a CIDR block such as \"10.0.0.0/8\" or "
                        "\"::1\", got \"" +
                            texts[i] + '"');
        out.push_back(std::move(*range));
    }
}

}  // namespace

void read_admin(Reader& r, AdminConfig& out) {
    auto nodes = read_admin_listen(r, out.listen);
    read_token(r, out.token);
    read_allow(r, out.allow);
    r.finish();
    if (!out.token.empty()) return;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (is_loopback_host(out.listen[i].host)) continue;
        std::string key = nodes[i] == r.find("listen")
                              ? r.key("listen")
                              : r.key("listen") + '[' + std::to_string(i) + ']';
        r.fail_at(*nodes[i], key,
                  "\"" + out.listen[i].host +
                      "\" is not a loopback address, and the admin API "
                      "can purge the cache: set admin.token (e.g. from `openssl rand -hex 24`) or "
                      "listen on 127.0.0.1");
    }
}

}  // namespace larder::config::detail
