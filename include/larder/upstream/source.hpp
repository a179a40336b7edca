// upstream::Source and upstream::SourceExchange: where the pipeline gets responses from, as an
// interface (Envoy's HttpSource, in our words).
//
// The daemon's Source is PoolSource: each exchange is an upstream::Exchange over the worker's
// pooled keep-alive connections (exchange.hpp has the retry and slot rules). Tests give the
// pipeline a scripted Source instead, so the whole request journey (coalescing, grace,
// stale-if-error, revalidation, invalidation, what is sent upstream) runs in-process, without
// sockets, against obs::ManualClock.
//
// Interim responses (1xx other than 101) are never part of the final response: each goes to the
// request's InterimSink, when it has one, before start() returns.
// The contract every SourceExchange keeps: start() is called once and, when it returns None,
// status(), reason(), headers() and content_length() describe the response head; read_body()
// appends body bytes until the body is complete (body_done()) or `out` holds at least `limit`
// bytes; finish() ends the exchange (a pooled connection goes back only when the response was
// read to its end). headers() views stay valid until the exchange is destroyed.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "larder/http/body.hpp"
#include "larder/http/headers.hpp"
#include "larder/upstream/error.hpp"

namespace larder::upstream {

// Takes the interim (1xx) responses an exchange reads before the final one, as they arrive.
class InterimSink {
  public:
    virtual ~InterimSink() = default;
    // `head`: the status line and the end-to-end fields (hop-by-hop ones removed), ending with
    // the blank line. Called between reads of the app's response; the exchange does not charge
    // the time it takes to its upstream_timeout.
    virtual boost::asio::awaitable<void> interim(int status, std::string_view head) = 0;
};

struct OutgoingRequest {
    std::string_view head;  // request line and header fields, ending with the blank line
    http::BodyView body;    // in memory or spooled; re-readable, so a retry sends it again
    bool idempotent = true;
    bool head_request = false;  // a HEAD: the response has no body whatever its headers say
    // What balance = "hash" hashes (the cache key, or the target); empty: round robin.
    std::string_view hash_key;
    // Where interim responses go (a client's fetch); null: they are dropped (a refresh).
    InterimSink* interim = nullptr;
};

class SourceExchange {
  public:
    virtual ~SourceExchange() = default;

    virtual boost::asio::awaitable<UpstreamError> start(const OutgoingRequest& request) = 0;
    virtual int status() const = 0;
    virtual std::string_view reason() const = 0;
    virtual const http::HeaderList& headers() const = 0;
    virtual std::optional<std::uint64_t> content_length() const = 0;
    virtual bool body_done() const = 0;
    virtual std::string_view backend_name() const = 0;
    virtual boost::asio::awaitable<UpstreamError> read_body(std::string& out,
                                                            std::size_t limit) = 0;
    virtual void finish() = 0;
};

class Source {
  public:
    virtual ~Source() = default;
    virtual std::unique_ptr<SourceExchange> open() = 0;
};

}  // namespace larder::upstream
