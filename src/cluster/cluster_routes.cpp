#include "larder/cluster/cluster_routes.hpp"

namespace larder::cluster {

void add_cluster_routes(admin::Router& router, const PurgeBus& bus) {
    router.add(
        "GET", "/cluster",
        [&bus](const admin::AdminRequest&) { return admin::AdminResponse::json(bus.status()); },
        admin::RouteAccess::Token,
        "the cluster: nodes, their hit ratios, which are behind on purges, Redis");
}

}  // namespace larder::cluster
