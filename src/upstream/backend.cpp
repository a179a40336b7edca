#include "larder/upstream/backend.hpp"

#include <boost/asio/io_context.hpp>
#include <stdexcept>

#include "larder/upstream/error.hpp"

namespace larder::upstream {

std::vector<Backend> resolve_backends(const config::UpstreamConfig& upstream) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::resolver resolver(io);
    std::vector<Backend> out;
    for (const auto& server : upstream.servers) {
        const auto& a = server.address;
        std::string name = a.host + ":" + std::to_string(a.port);
        boost::system::error_code ec;
        auto results = resolver.resolve(a.host, std::to_string(a.port), ec);
        if (ec || results.empty())
            throw std::runtime_error("cannot resolve upstream server " + name + ": " + ec.message());
        out.push_back({name, results.begin()->endpoint(), server.weight});
    }
    return out;
}

std::string_view to_string(UpstreamError e) {
    switch (e) {
        case UpstreamError::None: return "none";
        case UpstreamError::ConnectFailed: return "upstream_connect_failed";
        case UpstreamError::ConnectTimeout: return "upstream_connect_timeout";
        case UpstreamError::ResetBeforeResponse: return "upstream_reset";
        case UpstreamError::ResponseTimeout: return "upstream_timeout";
        case UpstreamError::MalformedResponse: return "upstream_malformed_response";
        case UpstreamError::ClosedMidResponse: return "upstream_closed_mid_response";
    }
    return "unknown";
}

int status_for(UpstreamError e) {
    switch (e) {
        case UpstreamError::ConnectTimeout:
        case UpstreamError::ResponseTimeout:
            return 504;
        default:
            return 502;
    }
}

}  // namespace larder::upstream
