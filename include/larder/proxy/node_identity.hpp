// proxy::NodeIdentity: how this Larder names itself in Via and X-Cache, and the loop check.
//
// Alone, Larder writes `Via: 1.1 larder` and `X-Cache: HIT`, as it always has. A node of a
// cluster ([cluster] node, docs/scale-out.md) writes `Via: 1.1 NAME (larder)` on requests it
// forwards and on responses, and `X-Cache: HIT from NAME` (Squid's convention), so a client or
// an operator can tell which node answered, and a request whose Via already names this node —
// it went round a loop of proxies back to us — is refused with 508 Loop Detected
// (NodeRefusal::ViaLoop, "via_loop" in X-Cache-Reason and the access log, counted in
// larder_loops_refused_total).
//
// The identity is process-wide: main() sets it once with set_node_name() before any worker
// starts, and it is read-only afterwards (the refusal counter is a relaxed atomic).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "larder/http/headers.hpp"

namespace larder::proxy {

struct NodeIdentity {
    std::string name;            // empty: not a cluster node
    std::string via;             // "1.1 larder" or "1.1 NAME (larder)"
    std::string x_cache_suffix;  // "" or " from NAME"
};

// Before any worker starts; an empty name restores the stand-alone identity.
void set_node_name(std::string name);
const NodeIdentity& node_identity();

enum class NodeRefusal : std::uint8_t { None, ViaLoop };
const char* to_string(NodeRefusal refusal);

// ViaLoop when a Via field of `headers` names `node` as its received-by (case-insensitive);
// None when `node` is empty (a stand-alone Larder cannot tell its peers apart by Via).
NodeRefusal check_loop(const http::HeaderList& headers, std::string_view node);

// Requests refused as loops since start (for /metrics).
std::atomic<std::uint64_t>& loops_refused();

}  // namespace larder::proxy
