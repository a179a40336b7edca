// cache::Flight: one fetch in flight for one variant of one key (Varnish's busy object,
// Pingora's cache lock), owned by the key's entry in the Store.
//
// A flight is created by Store::lookup_or_join for the caller that must fetch (the Leader, or the
// one Grace caller that refreshes) and is found there by every later request for the same
// variant (same primary key, same normalised Vary, same secondary key), which then waits on it
// (Follower). Requests for other variants of the key never meet this flight.
//
// Invariants: the creator ends the flight exactly once with Store::complete() or
// Store::hand_over() on every path, errors included (a second end is ignored); until then the
// entry keeps the flight and the entry cannot disappear. Every waiter's callback runs exactly
// once, after the shard lock is released: on the completing thread, or at once inside
// Store::wait() when the flight had already ended. It receives the object that answers its
// variant, or nullptr ("fetch on your own"). The state below the public part is guarded by the
// owning shard's mutex and only the Store touches it. Plain C++: no Asio; a callback should only
// hand the result to its own thread (post), never block or throw.

#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "larder/cache/key.hpp"
#include "larder/cache/object.hpp"

namespace larder::cache {

class Store;

class Flight {
    struct Token {
        explicit Token() = default;
    };

  public:
    using Callback = std::function<void(ObjectPtr)>;

    // Only the Store creates flights (the Token is private to it).
    Flight(Token, Key primary, std::string vary, std::string secondary)
        : primary_(std::move(primary)), vary_(std::move(vary)), secondary_(std::move(secondary)) {}
    Flight(const Flight&) = delete;
    Flight& operator=(const Flight&) = delete;

    // The primary key, the normalised Vary the variant was selected under ("" for a key without
    // stored variants) and the secondary key ("" for the plain object). Immutable.
    const Key& primary() const { return primary_; }
    const std::string& vary() const { return vary_; }
    const std::string& secondary() const { return secondary_; }

  private:
    friend class Store;

    const Key primary_;
    const std::string vary_;
    const std::string secondary_;
    // Guarded by the owning shard's mutex.
    bool done_ = false;
    ObjectPtr result_;
    std::vector<Callback> callbacks_;
};

using FlightPtr = std::shared_ptr<Flight>;

}  // namespace larder::cache
