#include "larder/upstream/backend.hpp"

#include <boost/asio/io_context.hpp>
#include <stdexcept>

#include "larder/upstream/error.hpp"

namespace larder::upstream {

std::vector<Backend> resolve_backends(const config::UpstreamConfig& upstream,
                                      const std::vector<Backend>& running) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::resolver resolver(io);
    std::vector<Backend> out;
    std::vector<ServerInfo> infos;
    std::vector<boost::asio::ip::tcp::endpoint> endpoints;
    std::vector<BackendIdentity> identities;
    for (const auto& server : upstream.servers) {
        const auto& a = server.address;
        std::string name = a.host + ":" + std::to_string(a.port);
        boost::system::error_code ec;
        auto results = resolver.resolve(a.host, std::to_string(a.port), ec);
        if (ec || results.empty())
            throw std::runtime_error("cannot resolve upstream server " + name + ": " +
                                     ec.message());
        out.push_back({name, results.begin()->endpoint(), server.weight, nullptr});
        infos.push_back({.name = name,
                         .weight = server.weight,
                         .backup = server.backup,
                         .max_connections = server.max_connections});
        endpoints.push_back(out.back().endpoint);
        identities.push_back({.name = name, .endpoint = out.back().endpoint});
    }
    std::vector<std::shared_ptr<BackendState>> running_states;
    if (!running.empty()) {
        const HealthTable& table = running.front().cluster->health();
        for (std::size_t i = 0; i < table.size(); ++i)
            running_states.push_back(table.shared_backend(i));
    }
    auto cluster = std::make_shared<Cluster>(upstream, std::move(infos), std::move(endpoints),
                                             carry_over(identities, running_states));
    for (auto& b : out) b.cluster = cluster;
    return out;
}

std::string_view to_string(UpstreamError e) {
    switch (e) {
        case UpstreamError::None:
            return "none";
        case UpstreamError::ConnectFailed:
            return "upstream_connect_failed";
        case UpstreamError::ConnectTimeout:
            return "upstream_connect_timeout";
        case UpstreamError::ResetBeforeResponse:
            return "upstream_reset";
        case UpstreamError::ResponseTimeout:
            return "upstream_timeout";
        case UpstreamError::ReadTimeout:
            return "upstream_read_timeout";
        case UpstreamError::MalformedResponse:
            return "upstream_malformed_response";
        case UpstreamError::ClosedMidResponse:
            return "upstream_closed_mid_response";
        case UpstreamError::NoHealthyServer:
            return "upstream_no_healthy_server";
        case UpstreamError::QueueFull:
            return "upstream_queue_full";
        case UpstreamError::QueueTimeout:
            return "upstream_queue_timeout";
        case UpstreamError::BodyUnreadable:
            return "request_body_unreadable";
    }
    return "unknown";
}

int status_for(UpstreamError e) {
    switch (e) {
        case UpstreamError::ConnectTimeout:
        case UpstreamError::ResponseTimeout:
        case UpstreamError::ReadTimeout:
            return 504;
        case UpstreamError::NoHealthyServer:
        case UpstreamError::QueueFull:
        case UpstreamError::QueueTimeout:
            return 503;
        case UpstreamError::BodyUnreadable:
            return 500;
        default:
            return 502;
    }
}

}  // namespace larder::upstream
