#include "larder/server/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <stdexcept>

namespace larder::server {

namespace asio = boost::asio;

Server::Server(const proxy::Shared& shared, const std::vector<upstream::Backend>& backends)
    : shared_(shared) {
    unsigned n = shared.config.server.workers;
    if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i)
        workers_.push_back(std::make_unique<Worker>(i, shared, backends, state_));
    for (auto& w : workers_) state_.workers.push_back(w.get());
}

Server::~Server() {
    for (auto& w : workers_) w->stop();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
}

std::vector<std::string> Server::bind() {
    std::vector<std::string> bound;
    for (const auto& listen : shared_.config.server.listen) {
        std::string name = listen.host + ":" + std::to_string(listen.port);
        try {
            asio::io_context resolver_io;
            asio::ip::tcp::resolver resolver(resolver_io);
            auto endpoint = resolver
                                .resolve(listen.host, std::to_string(listen.port),
                                         asio::ip::resolver_base::passive)
                                .begin()
                                ->endpoint();
            // The first worker binds the requested port (maybe 0); the others join the same one.
            endpoint.port(workers_.front()->listen(endpoint));
            for (std::size_t i = 1; i < workers_.size(); ++i) workers_[i]->listen(endpoint);
            std::string host = endpoint.address().is_v6()
                                   ? "[" + endpoint.address().to_string() + "]"
                                   : endpoint.address().to_string();
            bound.push_back(host + ":" + std::to_string(endpoint.port()));
        } catch (const std::exception& e) {
            throw std::runtime_error("cannot listen on " + name + ": " + e.what());
        }
    }
    return bound;
}

std::vector<const obs::Counters*> Server::counters() const {
    std::vector<const obs::Counters*> blocks;
    for (const auto& w : workers_) blocks.push_back(&w->counters());
    return blocks;
}

void Server::start() {
    for (auto& w : workers_) threads_.emplace_back([worker = w.get()] { worker->run(); });
}

std::size_t Server::drain(std::chrono::milliseconds timeout) {
    state_.draining = true;
    for (auto& w : workers_) w->begin_drain();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (state_.active_connections.load() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::size_t cut = state_.active_connections.load();
    for (auto& w : workers_) w->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    return cut;
}

}  // namespace larder::server
