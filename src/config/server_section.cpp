// [server]: listeners, worker count, per-operation timeouts and request limits.
#include "sections.hpp"

namespace larder::config::detail {

std::optional<std::string> address_problem(const toml::node& node, bool allow_port_zero,
                                           HostPort& out) {
    const auto* s = node.as_string();
    auto address = s ? parse_host_port(s->get()) : std::nullopt;
    if (!address) {
        return "expected \"host:port\" such as \"127.0.0.1:8080\" or \"[::1]:8080\", got " +
               show(node);
    }
    if (address->port == 0 && !allow_port_zero) {
        return "port must be from 1 to 65535, got " + show(node);
    }
    out = std::move(*address);
    return std::nullopt;
}

namespace {

void read_listen(Reader& r, std::vector<HostPort>& out) {
    const toml::node* node = r.find("listen");
    if (!node) return;
    if (node->is_string()) {
        HostPort address;
        if (auto problem = address_problem(*node, true, address)) r.fail("listen", *problem);
        out = {std::move(address)};
        return;
    }
    const auto* array = node->as_array();
    if (!array) {
        r.fail("listen",
               "expected a string or an array of strings, got " + std::string(type_name(*node)));
    }
    if (array->empty()) r.fail("listen", "must list at least one address");
    std::vector<HostPort> addresses;
    for (std::size_t i = 0; i < array->size(); ++i) {
        const std::string key = r.key("listen") + '[' + std::to_string(i) + ']';
        const toml::node& element = *array->get(i);
        HostPort address;
        if (auto problem = address_problem(element, true, address)) {
            r.fail_at(element, key, *problem);
        }
        addresses.push_back(std::move(address));
    }
    out = std::move(addresses);
}

}  // namespace

void read_server(Reader& r, ServerConfig& out) {
    read_listen(r, out.listen);
    std::int64_t workers = 0;
    if (r.integer("workers", workers, 0, 1024)) out.workers = static_cast<unsigned>(workers);
    r.duration("client_header_timeout", out.client_header_timeout);
    r.duration("client_body_timeout", out.client_body_timeout);
    r.duration("keepalive_timeout", out.keepalive_timeout);
    r.duration("send_timeout", out.send_timeout);
    r.duration("upstream_connect_timeout", out.upstream_connect_timeout);
    r.duration("upstream_timeout", out.upstream_timeout);
    r.duration("upstream_read_timeout", out.upstream_read_timeout);
    r.duration("drain_timeout", out.drain_timeout, /*allow_zero=*/true);
    r.size("max_header_size", out.max_header_size);
    r.size("max_body_size", out.max_body_size, /*allow_zero=*/true);
    r.size("body_buffer_size", out.body_buffer_size, /*allow_zero=*/true);
    if (r.string("body_temp_dir", out.body_temp_dir) && out.body_temp_dir.front() != '/')
        r.fail("body_temp_dir",
               "expected an absolute directory path, got \"" + out.body_temp_dir + "\"");
    std::int64_t connections = 0;
    if (r.integer("max_connections", connections, 1, 10'000'000)) {
        out.max_connections = static_cast<std::size_t>(connections);
    }
    r.boolean("debug_headers", out.debug_headers);
    r.finish();
}

}  // namespace larder::config::detail
