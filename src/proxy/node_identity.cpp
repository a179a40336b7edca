#include "larder/proxy/node_identity.hpp"

namespace larder::proxy {

namespace {

NodeIdentity& identity() {
    static NodeIdentity current{.name = {}, .via = "1.1 larder", .x_cache_suffix = {}};
    return current;
}

// The received-by part of one Via entry: "1.1 name (comment)" -> "name"; "HTTP/1.1 name" too.
std::string_view received_by(std::string_view entry) {
    entry = http::trim_ows(entry);
    auto space = entry.find_first_of(" \t");
    if (space == std::string_view::npos) return {};
    entry = http::trim_ows(entry.substr(space + 1));
    return entry.substr(0, entry.find_first_of(" \t("));
}

}  // namespace

void set_node_name(std::string name) {
    NodeIdentity& id = identity();
    if (name.empty()) {
        id = NodeIdentity{.name = {}, .via = "1.1 larder", .x_cache_suffix = {}};
        return;
    }
    id.via = "1.1 " + name + " (larder)";
    id.x_cache_suffix = " from " + name;
    id.name = std::move(name);
}

const NodeIdentity& node_identity() {
    return identity();
}

const char* to_string(NodeRefusal refusal) {
    switch (refusal) {
        case NodeRefusal::None:
            return "none";
        case NodeRefusal::ViaLoop:
            return "via_loop";
    }
    return "unknown";
}

NodeRefusal check_loop(const http::HeaderList& headers, std::string_view node) {
    if (node.empty()) return NodeRefusal::None;
    for (const auto& field : headers) {
        if (!http::iequals(field.name, "via")) continue;
        std::string_view value = field.value;
        while (!value.empty()) {
            auto comma = value.find(',');
            if (http::iequals(received_by(value.substr(0, comma)), node))
                return NodeRefusal::ViaLoop;
            if (comma == std::string_view::npos) break;
            value.remove_prefix(comma + 1);
        }
    }
    return NodeRefusal::None;
}

std::atomic<std::uint64_t>& loops_refused() {
    static std::atomic<std::uint64_t> count{0};
    return count;
}

}  // namespace larder::proxy
