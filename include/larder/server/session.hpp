// server::Session: one client connection: read, parse, hand each request to the pipeline, write.
//
// Requests on a connection are answered one at a time in arrival order, so pipelined requests
// get their responses in order by construction; bytes of the next request wait in the buffer.
// The read buffer is the only copy of a request's head: the parser's views point into it and it
// is compacted only between requests. Body bytes are cut out of it as they arrive, into the
// parser's BodyBuffer (memory up to body_buffer_size, past it an unlinked spool file), so what a
// connection holds in memory for a request is bounded by body_buffer_size plus the read buffer,
// not by max_body_size; the spool file closes with the request or with the session.
// Deadlines are plain time points that the worker's sweeper checks (no timer per operation): the
// header deadline runs from the first byte of a request (or from accept), the idle deadline
// between keep-alive requests, the body and send deadlines restart on every byte of progress.
// A missed header deadline answers 408; an idle one closes silently. Any parse error answers
// once and closes.
// Configuration: a session pins its worker's WorkerGeneration (config, pipeline, upstream pool)
// when it starts and again when each request is complete, and keeps it until the response is
// written, so a reload never changes the rules or timeouts of a request under way; the parser's
// size limits are the ones in force when the connection was accepted.
// While it waits for the next keep-alive request with nothing of it read, a session is listed in
// its worker's IdleConnections; at max_connections the worker may close it for a new client
// (close_for_room), which is as silent as an idle timeout. A session busy with a request is never
// listed, so never closed that way. Memory: an idle keep-alive session holds no read buffer (it
// waits for readability, then reads into a new one).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "larder/http/request_parser.hpp"
#include "larder/proxy/response_writer.hpp"
#include "larder/server/idle_connections.hpp"
#include "larder/server/read_buffer.hpp"
#include "larder/server/worker_generation.hpp"

namespace larder::server {

class Worker;

class Session : public std::enable_shared_from_this<Session>, public proxy::ResponseWriter {
  public:
    using Clock = std::chrono::steady_clock;

    Session(Worker& worker, boost::asio::ip::tcp::socket socket);
    ~Session() override;

    boost::asio::awaitable<void> run();
    boost::asio::awaitable<bool> write(std::span<const boost::asio::const_buffer> data) override;
    void abort() override;

    // Called by the worker's sweeper: cancels the pending operation when its deadline passed.
    void check_deadline(Clock::time_point now);
    // Called when the daemon drains: an idle connection closes now, a busy one after its response.
    void drain();
    // Called by the worker on a listed (idle) session to make room for a new client: closes it
    // unless bytes of a request have arrived meanwhile. Returns whether it closes.
    bool close_for_room();

    Session* next = nullptr;  // the worker's intrusive list of sessions
    Session* prev = nullptr;

  private:
    enum class Wait { None, Idle, Header, Body, Send };

    boost::asio::awaitable<bool> read_more();
    boost::asio::awaitable<bool> serve_complete_request();
    void compact_buffer();
    void set_deadline(Wait what, std::chrono::milliseconds after);

    Worker& worker_;
    WorkerGenerationPtr generation_;  // pinned: see above
    boost::asio::ip::tcp::socket socket_;
    std::string address_;  // "ip:port"
    std::string ip_;
    ReadBuffer buffer_;
    std::size_t size_ = 0;
    http::RequestParser parser_;
    Wait waiting_for_ = Wait::None;
    Clock::time_point deadline_ = Clock::time_point::max();
    bool timed_out_ = false;
    bool closing_ = false;
    bool closed_for_room_ = false;
    IdleLink idle_link_{this};
};

}  // namespace larder::server
