// cluster::add_cluster_routes: GET /cluster on the admin API of a cluster node.
//
// Answers PurgeBus::status(): this node's name, whether it reaches Redis (and the last error of
// each connection), the stream's newest purge id as last read, this node's last applied id, its
// purge counters and queue, and every node's record judged (node_record.hpp): applied id,
// `behind`, `lag_ms`, `heartbeat_age_ms`, `silent`, hit ratio. `behind` at the top lists the
// nodes that have not applied the newest purge. The view is read at each heartbeat by the
// purge bus's own thread, so the handler never waits for Redis (`view_age_ms` says how old it
// is: a node that lost Redis shows an ageing view).
#pragma once

#include "larder/admin/router.hpp"
#include "larder/cluster/purge_bus.hpp"

namespace larder::cluster {

// `bus` must outlive the router.
void add_cluster_routes(admin::Router& router, const PurgeBus& bus);

}  // namespace larder::cluster
