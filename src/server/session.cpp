#include "larder/server/session.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <cstring>
#include <tuple>

#include "larder/http/write_now.hpp"
#include "larder/server/worker.hpp"

namespace larder::server {

namespace asio = boost::asio;
using boost::system::error_code;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

namespace {
constexpr std::size_t kInitialBuffer = 8 * 1024;
constexpr std::size_t kMinReadSpace = 4 * 1024;
constexpr std::size_t kKeepBufferUpTo =
    64 * 1024;  // a larger buffer is given back between requests
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
}  // namespace

Session::Session(Worker& worker, asio::ip::tcp::socket socket)
    : worker_(worker),
      generation_(worker.current()),
      socket_(std::move(socket)),
      parser_({generation_->config().max_header_size, generation_->config().max_body_size},
              {generation_->config().body_buffer_size, generation_->config().body_temp_dir}) {
    error_code ec;
    auto remote = socket_.remote_endpoint(ec);
    ip_ = ec ? "unknown" : remote.address().to_string();
    address_ = ec ? ip_ : ip_ + ":" + std::to_string(remote.port());
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    socket_.non_blocking(true, ec);  // write_now() sends without blocking
    buffer_.resize(kInitialBuffer);
    worker_.attach(this);
}

Session::~Session() {
    worker_.idle_connections().remove(idle_link_);
    if (closed_for_room_) worker_.state().closing_for_room.fetch_sub(1, std::memory_order_relaxed);
    worker_.detach(this);
}

void Session::set_deadline(Wait what, std::chrono::milliseconds after) {
    waiting_for_ = what;
    deadline_ = what == Wait::None ? Clock::time_point::max() : Clock::now() + after;
}

void Session::check_deadline(Clock::time_point now) {
    if (now < deadline_) return;
    timed_out_ = true;
    deadline_ = Clock::time_point::max();
    error_code ec;
    socket_.cancel(ec);
}

void Session::drain() {
    closing_ = true;
    bool between_requests =
        waiting_for_ == Wait::Idle ||
        (waiting_for_ == Wait::Header && parser_.state() == http::RequestParser::State::Idle);
    if (between_requests) {
        error_code ec;
        socket_.cancel(ec);
    }
}

bool Session::close_for_room() {
    error_code ec;
    if (closing_ || socket_.available(ec) > 0 || ec) return false;  // a request is arriving
    worker_.idle_connections().remove(idle_link_);
    closing_ = true;
    closed_for_room_ = true;
    worker_.state().closing_for_room.fetch_add(1, std::memory_order_relaxed);
    socket_.cancel(ec);
    return true;
}

void Session::abort() {
    // SO_LINGER with a zero timeout: close() sends a reset, not an end of stream.
    error_code ec;
    socket_.set_option(asio::socket_base::linger(true, 0), ec);
    socket_.close(ec);
}

asio::awaitable<void> Session::run() {
    set_deadline(Wait::Header, generation_->config().client_header_timeout);
    bool continue_sent = false;
    for (;;) {
        auto state = parser_.parse(buffer_.data(), size_);
        using State = http::RequestParser::State;
        if (state == State::Complete) {
            continue_sent = false;
            if (!co_await serve_complete_request()) break;
            continue;
        }
        proxy::ClientInfo client{ip_, address_, true};
        if (state == State::Error) {
            auto error = parser_.error();
            if (error == http::ParseError::BodySpoolFailed)
                spdlog::error("request body from {}: cannot spool to {}: {}", address_,
                              parser_.body().settings().directory,
                              std::strerror(parser_.body().last_error()));
            co_await generation_->pipeline.reject(nullptr, client, *this, http::status_for(error),
                                                  http::to_string(error));
            break;
        }
        if (closing_ && state == State::Idle) break;
        if (state == State::InBody) {
            if (parser_.wants_continue() && !continue_sent) {
                continue_sent = true;
                std::array<asio::const_buffer, 1> b{asio::buffer(kContinue)};
                if (!co_await write(b)) break;
            }
            if (parser_.header_end() != 0 && parser_.header_end() <= size_) {
                size_ = parser_.header_end();  // body bytes are copied out already
                parser_.discard_body_bytes();
            }
            if (waiting_for_ != Wait::Body)
                set_deadline(Wait::Body, generation_->config().client_body_timeout);
        } else if (state == State::InHeaders && waiting_for_ != Wait::Header) {
            set_deadline(Wait::Header, generation_->config().client_header_timeout);
        }
        if (!co_await read_more()) {
            // A connection that never sent a byte (a browser's preconnect) closes silently.
            bool started = size_ > 0 || parser_.state() != State::Idle;
            if (timed_out_ && waiting_for_ == Wait::Header && !closing_ && started)
                co_await generation_->pipeline.reject(nullptr, client, *this, 408,
                                                      "client_header_timeout");
            else if (timed_out_ && waiting_for_ == Wait::Body)
                co_await generation_->pipeline.reject(nullptr, client, *this, 408,
                                                      "client_body_timeout");
            break;
        }
    }
    error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    socket_.close(ec);
}

asio::awaitable<bool> Session::read_more() {
    // Between keep-alive requests with nothing buffered, the worker may close it for room, and
    // it holds no read buffer: it waits for the next request's first byte, then reads into a
    // fresh buffer (the read that would have found nothing is skipped, so no extra system call).
    const bool idle = waiting_for_ == Wait::Idle && size_ == 0 && !closing_;
    if (idle) {
        ReadBuffer().swap(buffer_);
        worker_.idle_connections().add(idle_link_, Clock::now());
        auto [wait_ec] = co_await socket_.async_wait(asio::socket_base::wait_read, nothrow);
        worker_.idle_connections().remove(idle_link_);
        if (wait_ec) co_return false;
        buffer_.resize(kInitialBuffer);
    }
    if (buffer_.size() - size_ < kMinReadSpace)
        buffer_.resize(std::max(buffer_.size() * 2, size_ + 4 * kMinReadSpace));
    auto [ec, n] = co_await socket_.async_read_some(
        asio::buffer(buffer_.data() + size_, buffer_.size() - size_), nothrow);
    if (ec) co_return false;
    timed_out_ = false;
    size_ += n;
    if (waiting_for_ == Wait::Body)
        deadline_ = Clock::now() + generation_->config().client_body_timeout;
    co_return true;
}

asio::awaitable<bool> Session::serve_complete_request() {
    set_deadline(Wait::None, {});
    proxy::ClientInfo client{ip_, address_, closing_ || worker_.state().draining};
    generation_ = worker_.current();  // the request runs on the generation in force now
    // A named local: the generation stays pinned for the whole request even if the member is
    // replaced meanwhile.
    WorkerGenerationPtr pinned = generation_;
    bool keep_alive = co_await pinned->pipeline.handle(parser_.request(), client, *this);
    if (!keep_alive || closing_) co_return false;
    compact_buffer();
    generation_ = worker_.current();  // the keep-alive wait, on the newest generation
    set_deadline(Wait::Idle, generation_->config().keepalive_timeout);
    co_return true;
}

void Session::compact_buffer() {
    std::size_t consumed = parser_.consumed();
    std::size_t rest = size_ - consumed;
    if (rest > 0 && consumed > 0) std::memmove(buffer_.data(), buffer_.data() + consumed, rest);
    size_ = rest;
    parser_.start_next(0);
    if (buffer_.size() > kKeepBufferUpTo && rest < kInitialBuffer) {
        buffer_.resize(kInitialBuffer);
        buffer_.shrink_to_fit();
    }
}

asio::awaitable<bool> Session::write(std::span<const asio::const_buffer> data) {
    const auto send_timeout = generation_->config().send_timeout;
    Wait previous = waiting_for_;
    auto previous_deadline = deadline_;
    set_deadline(Wait::Send, send_timeout);
    auto progress = [this, send_timeout](const error_code& ec, std::size_t) -> std::size_t {
        if (ec) return 0;
        deadline_ = Clock::now() + send_timeout;  // a slow reader is fine, a stalled one is not
        return 1 << 20;
    };
    error_code ec;
    const std::size_t sent = http::write_now(socket_, data, ec);
    if (!ec && sent < asio::buffer_size(data)) {  // the rest when the socket has room
        boost::beast::buffers_suffix<std::span<const asio::const_buffer>> rest(data);
        rest.consume(sent);
        std::tie(ec, std::ignore) = co_await asio::async_write(socket_, rest, progress, nothrow);
    }
    waiting_for_ = previous;
    deadline_ = previous_deadline;
    co_return !ec;
}

}  // namespace larder::server
