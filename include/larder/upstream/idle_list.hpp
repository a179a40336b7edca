// upstream::IdleList: one worker's idle keep-alive connections to one app server.
//
// A worker's pools of successive generations share the IdleList of a server they all list
// (same BackendState, by pointer): a connection given back by a request of the old generation
// is taken by the next request of the new one, so a reload keeps the pooled connections to
// unchanged servers. Owned by shared_ptr from those pools, all on the worker's thread, so it
// needs no lock; it dies (closing what it holds) on that thread with its last pool.
//
// Invariants: the server's idle count (BackendState::health.idle, summed over workers) moves
// with every connection that enters or leaves the list, so it is exact whatever closes them.
// A retired list (its server is not in the worker's newest generation) holds nothing: retire()
// closes what it has, and a connection given back to it afterwards is closed, not pooled.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "larder/upstream/backend_state.hpp"
#include "larder/upstream/connection.hpp"

namespace larder::upstream {

class IdleList {
  public:
    explicit IdleList(std::shared_ptr<BackendState> server);
    ~IdleList();  // closes them
    IdleList(const IdleList&) = delete;
    IdleList& operator=(const IdleList&) = delete;

    const BackendState& server() const { return *server_; }
    std::size_t size() const { return connections_.size(); }
    bool retired() const { return retired_; }

    // Pools `c` as the newest; false (and `c` closes) when the list is retired.
    bool push(std::unique_ptr<Connection> c);
    // The newest one, or nullptr.
    std::unique_ptr<Connection> take_newest();
    void drop_oldest();
    // Closes those for which `stale` holds; returns how many.
    std::size_t drop_if(const std::function<bool(Connection&)>& stale);
    // Closes them all; nothing is pooled here any more.
    void retire();

  private:
    void count(int delta);

    std::shared_ptr<BackendState> server_;
    std::vector<std::unique_ptr<Connection>> connections_;  // oldest first
    bool retired_ = false;
};

}  // namespace larder::upstream
