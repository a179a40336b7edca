#include "larder/server/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <stdexcept>

namespace larder::server {

namespace asio = boost::asio;

namespace {
// Runs `f` on `worker`'s thread and waits for it; directly when the worker is not running yet.
template <typename F>
auto on_worker(Worker& worker, bool started, F f) -> decltype(f()) {
    if (!started) return f();
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(worker.io(), [&task] { task(); });
    return result.get();
}

std::string address_text(const asio::ip::tcp::endpoint& endpoint) {
    std::string host = endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]"
                                                  : endpoint.address().to_string();
    return host + ":" + std::to_string(endpoint.port());
}
}  // namespace

Server::Server(const proxy::CurrentGeneration& generations, obs::CounterShape shape)
    : generations_(generations) {
    unsigned n = generations.get()->config.server.workers;
    if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i)
        workers_.push_back(std::make_unique<Worker>(i, generations, shape, state_));
    for (auto& w : workers_) state_.workers.push_back(w.get());
}

Server::~Server() {
    for (auto& w : workers_) w->stop();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
}

Server::Listener Server::open(const config::HostPort& listen) {
    std::string name = listen.host + ":" + std::to_string(listen.port);
    const std::size_t id = next_listener_++;
    std::size_t opened = 0;  // workers listening so far
    try {
        asio::io_context resolver_io;
        asio::ip::tcp::resolver resolver(resolver_io);
        auto endpoint =
            resolver
                .resolve(listen.host, std::to_string(listen.port), asio::ip::resolver_base::passive)
                .begin()
                ->endpoint();
        // The first worker binds the requested port (maybe 0) alone; the others join it.
        Worker& first = *workers_.front();
        endpoint.port(on_worker(first, started_, [&] { return first.listen_first(endpoint, id); }));
        opened = 1;
        for (std::size_t i = 1; i < workers_.size(); ++i, ++opened) {
            Worker& w = *workers_[i];
            on_worker(w, started_, [&] { return w.listen(endpoint, id); });
        }
        return {listen, address_text(endpoint), id};
    } catch (const boost::system::system_error& e) {
        for (std::size_t i = 0; i < opened; ++i) close_on(*workers_[i], id);
        std::string why = e.code().message();
        if (e.code() == asio::error::address_in_use)
            why += " (another process, maybe another Larder, serves this address)";
        throw std::runtime_error("cannot listen on " + name + ": " + why);
    } catch (const std::exception& e) {
        for (std::size_t i = 0; i < opened; ++i) close_on(*workers_[i], id);
        throw std::runtime_error("cannot listen on " + name + ": " + e.what());
    }
}

void Server::close_on(Worker& worker, std::size_t listener) {
    on_worker(worker, started_, [&] {
        worker.close_listener(listener);
        return true;
    });
}

void Server::close(const Listener& listener) {
    for (auto& w : workers_) close_on(*w, listener.id);
}

std::vector<std::string> Server::bind() {
    std::vector<std::string> bound;
    for (const auto& listen : generations_.get()->config.server.listen) {
        listeners_.push_back(open(listen));
        bound.push_back(listeners_.back().bound);
    }
    return bound;
}

std::vector<std::string> Server::rebind(const std::vector<config::HostPort>& listen) {
    // Which running listener each entry keeps: first the one already bound to that very address
    // (a port-0 entry replaced by the port it got), then one with the same entry; each at most
    // once.
    std::vector<const Listener*> keeps(listen.size(), nullptr);
    std::vector<bool> taken(listeners_.size(), false);
    auto match = [&](auto same) {
        for (std::size_t i = 0; i < listen.size(); ++i) {
            for (std::size_t j = 0; j < listeners_.size() && !keeps[i]; ++j) {
                if (taken[j] || !same(listen[i], listeners_[j])) continue;
                keeps[i] = &listeners_[j];
                taken[j] = true;
            }
        }
    };
    match([](const config::HostPort& a, const Listener& l) {
        return a.port != 0 && l.bound == a.host + ":" + std::to_string(a.port);
    });
    match([](const config::HostPort& a, const Listener& l) { return l.configured == a; });

    std::vector<Listener> next;
    std::vector<Listener> opened;
    try {
        for (std::size_t i = 0; i < listen.size(); ++i) {
            if (keeps[i]) {
                next.push_back(*keeps[i]);
            } else {
                opened.push_back(open(listen[i]));
                next.push_back(opened.back());
            }
        }
    } catch (...) {
        for (const auto& l : opened) close(l);
        throw;
    }
    for (const auto& old : listeners_) {
        bool kept = std::any_of(next.begin(), next.end(),
                                [&](const Listener& l) { return l.id == old.id; });
        if (!kept) {
            close(old);
            spdlog::info("reload: stopped listening on {}", old.bound);
        }
    }
    for (const auto& l : opened) spdlog::info("reload: listening on {}", l.bound);
    listeners_ = std::move(next);
    std::vector<std::string> bound;
    for (const auto& l : listeners_) bound.push_back(l.bound);
    return bound;
}

std::vector<const obs::Counters*> Server::counters() const {
    std::vector<const obs::Counters*> blocks;
    for (const auto& w : workers_) blocks.push_back(&w->counters());
    return blocks;
}

void Server::start() {
    for (auto& w : workers_) threads_.emplace_back([worker = w.get()] { worker->run(); });
    started_ = true;
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
