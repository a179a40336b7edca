// cache::Object: one stored response, immutable and pre-serialized.
//
// `head` is the status line and header fields exactly as they go to the client, each line ending
// in CRLF, but without the blank line that ends the header section: the writer appends the
// per-response fields (Age, X-Cache, Connection) and then CRLF. `body` is the whole body.
// Objects are shared by reference count between the store and every worker writing them; nothing
// mutates an Object after it is built.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "larder/obs/clock.hpp"

namespace larder::cache {

struct Object {
    std::string key;
    int status = 200;
    std::string head;
    std::string body;
    obs::TimePoint stored_at{};   // when the response was received
    obs::TimePoint expires_at{};  // fresh until then
    std::string rule_name;        // which rule stored it (for X-Cache-Reason)

    // Bytes this object costs the store: the heap bytes of key, head, body and rule_name (their
    // capacity, since that is what is held) plus bookkeeping_bytes(). Constant for the object's
    // lifetime, so the store can add it on insert and subtract it on removal.
    std::size_t charge() const;

    // The fixed cost of one stored object, measured (not guessed) for this standard library:
    // the make_shared allocation (control block + Object), the store's hash-map node (which is
    // also the LRU list link) and one bucket pointer.
    static std::size_t bookkeeping_bytes();
};

using ObjectPtr = std::shared_ptr<const Object>;

}  // namespace larder::cache
