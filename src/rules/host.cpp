#include "larder/rules/host.hpp"

namespace larder::rules {

std::string_view host_without_port(std::string_view host) {
    std::size_t colon = host.rfind(':');
    if (colon == std::string_view::npos) return host;
    // An IPv6 literal has colons inside its brackets; only a colon after ']' starts a port.
    std::size_t bracket = host.rfind(']');
    if (bracket != std::string_view::npos && colon < bracket) return host;
    if (host.front() == '[' && bracket == std::string_view::npos) return host;
    return host.substr(0, colon);
}

void append_key_host(std::string& out, std::string_view host, std::string_view scheme) {
    std::string_view name = host_without_port(host);
    std::string_view port = host.substr(name.size());  // ":NNN" or empty
    if ((scheme == "http" && port == ":80") || (scheme == "https" && port == ":443") || port == ":")
        port = {};
    for (char c : name) out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
    out.append(port);
}

}  // namespace larder::rules
