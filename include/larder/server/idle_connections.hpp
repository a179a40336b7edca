// server::IdleConnections: one worker's client connections that sit between keep-alive requests
// with nothing buffered, oldest first: the ones it may close to admit a new client when
// max_connections is reached (worker.hpp), so a full daemon never makes a new client wait for
// a keep-alive timeout.
//
// A connection is listed only while its session waits for the next request with no byte of it
// read (session.cpp adds it around that read and removes it when the read ends, whatever ends
// it); a connection in the middle of a request, or answering one, is never listed, so it is
// never closed for room. The list is intrusive (an IdleLink in each session, no allocation) and
// belongs to the worker's thread; only oldest_since() is read by other workers, to find the
// oldest idle connection daemon-wide, and the optional gauge (its size, for /metrics) by the
// admin thread. A worker closes only its own oldest (Worker::close_oldest_idle).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace larder::server {

class Session;

struct IdleLink {
    explicit IdleLink(Session* owner) : session(owner) {}
    Session* session;
    IdleLink* prev = nullptr;
    IdleLink* next = nullptr;
    std::chrono::steady_clock::time_point since{};
    bool listed = false;
};

class IdleConnections {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr Clock::rep kNone = INT64_MAX;

    // `gauge`, when given, follows size() (obs::Counters::idle_client_connections).
    explicit IdleConnections(std::atomic<std::int64_t>* gauge = nullptr) : gauge_(gauge) {}

    // Lists `link` as the newest idle connection, idle since `now`.
    void add(IdleLink& link, Clock::time_point now);
    // Unlists `link`; nothing happens when it is not listed.
    void remove(IdleLink& link);
    // The connection idle the longest, or nullptr; next() walks to newer ones.
    IdleLink* oldest() const { return oldest_; }
    static IdleLink* newer(const IdleLink& link) { return link.next; }
    std::size_t size() const { return size_; }
    // When the oldest listed connection became idle (steady clock ticks), kNone when none is:
    // safe to read from any thread.
    Clock::rep oldest_since() const { return oldest_since_.load(std::memory_order_relaxed); }

  private:
    void publish();

    IdleLink* oldest_ = nullptr;
    IdleLink* newest_ = nullptr;
    std::size_t size_ = 0;
    std::atomic<Clock::rep> oldest_since_{kNone};
    std::atomic<std::int64_t>* gauge_;
};

}  // namespace larder::server
