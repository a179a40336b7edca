#include "larder/server/worker.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "larder/server/session.hpp"

namespace larder::server {

namespace asio = boost::asio;
using boost::system::error_code;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

namespace {
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// Deadlines are checked at a quarter of the shortest client timeout, between 10 ms and 1 s.
std::chrono::milliseconds sweep_period(const config::ServerConfig& c) {
    auto shortest = std::min(
        {c.client_header_timeout, c.client_body_timeout, c.keepalive_timeout, c.send_timeout});
    return std::clamp(shortest / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
}
}  // namespace

Worker::Worker(unsigned id, const proxy::CurrentGeneration& generations, obs::CounterShape shape,
               ServerState& state)
    : id_(id),
      generations_(generations),
      state_(state),
      counters_(shape),
      idle_(&counters_.idle_client_connections) {}

Worker::~Worker() = default;

const WorkerGenerationPtr& Worker::current() {
    if (current_ && current_->generation->number == generations_.number()) return current_;
    proxy::GenerationPtr next = generations_.get();
    // Same upstream servers: the same pool, so idle app connections and selection state stay.
    // Others: a new pool that keeps the idle connections to the servers both generations list
    // and closes those to the servers dropped (upstream/pool.hpp).
    std::shared_ptr<upstream::Pool> pool;
    if (current_ && current_->generation->upstreams == next->upstreams)
        pool = current_->pool;
    else
        pool = std::make_shared<upstream::Pool>(io_.get_executor(), next->upstreams->backends,
                                                next->upstreams->config,
                                                current_ ? current_->pool.get() : nullptr);
    current_ = std::make_shared<WorkerGeneration>(std::move(next), std::move(pool), counters_);
    current_->pipeline.keep_alive_with(current_);
    return current_;
}

namespace {
std::unique_ptr<asio::ip::tcp::acceptor> open_acceptor(asio::io_context& io,
                                                       const asio::ip::tcp::endpoint& endpoint) {
    auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(io);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(asio::socket_base::reuse_address(true));
    if (endpoint.address().is_v6()) acceptor->set_option(asio::ip::v6_only(true));
    return acceptor;
}
}  // namespace

std::uint16_t Worker::listen_first(const asio::ip::tcp::endpoint& endpoint, std::size_t listener) {
    // Bound without SO_REUSEPORT, the bind fails when any socket holds the address, another
    // Larder's SO_REUSEPORT acceptors included; switched on before listen(), so this daemon's
    // other workers join it (and the kernel spreads connections over them).
    auto acceptor = open_acceptor(io_, endpoint);
    acceptor->bind(endpoint);
    acceptor->set_option(reuse_port(true));
    return start_accepting(std::move(acceptor), listener);
}

std::uint16_t Worker::listen(const asio::ip::tcp::endpoint& endpoint, std::size_t listener) {
    auto acceptor = open_acceptor(io_, endpoint);
    acceptor->set_option(reuse_port(true));
    acceptor->bind(endpoint);
    return start_accepting(std::move(acceptor), listener);
}

std::uint16_t Worker::start_accepting(std::unique_ptr<asio::ip::tcp::acceptor> acceptor,
                                      std::size_t listener) {
    acceptor->listen(1024);
    auto port = acceptor->local_endpoint().port();
    asio::co_spawn(io_, accept_loop(*acceptor), asio::detached);
    acceptors_.push_back({listener, std::move(acceptor)});
    return port;
}

void Worker::close_listener(std::size_t listener) {
    for (auto& a : acceptors_) {
        if (a.listener != listener) continue;
        error_code ec;
        a.socket->close(ec);
    }
}

void Worker::run() {
    asio::co_spawn(io_, sweep_loop(), asio::detached);
    io_.run();
}

void Worker::begin_drain() {
    asio::post(io_, [this] {
        for (auto& a : acceptors_) {
            error_code ec;
            a.socket->close(ec);
        }
        for (Session* s = sessions_; s != nullptr;) {
            Session* next = s->next;
            s->drain();
            s = next;
        }
    });
}

void Worker::attach(Session* s) {  // its slot in active_connections was reserved at accept
    s->next = sessions_;
    if (sessions_) sessions_->prev = s;
    sessions_ = s;
}

void Worker::detach(Session* s) {
    if (s->prev) s->prev->next = s->next;
    if (s->next) s->next->prev = s->prev;
    if (sessions_ == s) sessions_ = s->next;
    state_.active_connections.fetch_sub(1, std::memory_order_relaxed);
}

bool Worker::reserve_connection(std::size_t max_connections) {
    std::size_t n = state_.active_connections.load(std::memory_order_relaxed);
    while (n < max_connections)
        if (state_.active_connections.compare_exchange_weak(n, n + 1, std::memory_order_relaxed))
            return true;
    return false;
}

asio::awaitable<void> Worker::accept_loop(asio::ip::tcp::acceptor& acceptor) {
    asio::steady_timer backoff(io_);
    for (;;) {
        const std::size_t max_connections = current()->config().max_connections;
        // Accept only once a client waits and a slot is reserved for it: a worker parked in
        // accept while another filled the last slot would admit one too many. Over the limit,
        // the client waits in the kernel's backlog and has the daemon's oldest idle keep-alive
        // connection closed for it.
        auto [wait_ec] = co_await acceptor.async_wait(asio::socket_base::wait_read, nothrow);
        if (!acceptor.is_open() || wait_ec == asio::error::operation_aborted) co_return;
        if (!reserve_connection(max_connections)) {
            std::size_t open = state_.active_connections.load(std::memory_order_relaxed) -
                               state_.closing_for_room.load(std::memory_order_relaxed);
            if (open >= max_connections) make_room();
            backoff.expires_after(std::chrono::milliseconds(10));
            co_await backoff.async_wait(nothrow);
            continue;
        }
        auto [ec, socket] = co_await acceptor.async_accept(nothrow);
        if (!acceptor.is_open() || ec == asio::error::operation_aborted) {
            state_.active_connections.fetch_sub(1, std::memory_order_relaxed);
            co_return;
        }
        if (ec) {  // e.g. out of file descriptors: back off instead of spinning
            state_.active_connections.fetch_sub(1, std::memory_order_relaxed);
            spdlog::warn("worker {}: accept failed: {}", id_, ec.message());
            backoff.expires_after(std::chrono::milliseconds(50));
            co_await backoff.async_wait(nothrow);
            continue;
        }
        obs::Counters::bump(counters_.connections_accepted);
        auto session = std::make_shared<Session>(*this, std::move(socket));  // takes the slot
        asio::co_spawn(
            io_, [session]() -> asio::awaitable<void> { co_await session->run(); }, asio::detached);
    }
}

void Worker::make_room() {
    Worker* holder = nullptr;  // the worker with the daemon's oldest idle connection
    auto oldest = IdleConnections::kNone;
    for (Worker* w : state_.workers) {
        auto since = w->idle_.oldest_since();
        if (since < oldest) {
            oldest = since;
            holder = w;
        }
    }
    if (!holder) return;  // none idle: the client waits for a connection to end
    auto now = std::chrono::steady_clock::now();
    if (now - last_room_log_ >= std::chrono::seconds(10)) {
        last_room_log_ = now;
        spdlog::info(
            "worker {}: max_connections ({}) reached; closing idle keep-alive connections, "
            "oldest first, for new clients",
            id_, current()->config().max_connections);
    }
    // Counted as closing until it has (Session's destructor), so the next tick asks for no more.
    state_.closing_for_room.fetch_add(1, std::memory_order_relaxed);
    // Runs on the holder's thread. A session it closes counts itself (close_for_room); none
    // closed (it went busy meanwhile), and the next tick looks again.
    auto close_one = [&state = state_, holder] {
        holder->close_oldest_idle();
        state.closing_for_room.fetch_sub(1, std::memory_order_relaxed);
    };
    if (holder == this)
        close_one();
    else
        asio::post(holder->io_, close_one);
}

bool Worker::close_oldest_idle() {
    IdleLink* oldest = idle_.oldest();
    if (oldest == nullptr || !oldest->session->close_for_room()) return false;
    obs::Counters::bump(counters_.connections_closed_for_room);
    return true;
}

asio::awaitable<void> Worker::sweep_loop() {
    for (;;) {
        sweeper_.expires_after(sweep_period(current()->config()));
        auto [ec] = co_await sweeper_.async_wait(nothrow);
        if (ec) co_return;
        auto now = Session::Clock::now();
        for (Session* s = sessions_; s != nullptr; s = s->next) s->check_deadline(now);
        // One worker retires purges past their window (cheap: a short list under its lock).
        const auto& shared = current()->generation->shared;
        if (id_ == 0) shared.store.retire_purges(shared.clock.now());
        current()->pool->close_stale(now);
    }
}

}  // namespace larder::server
