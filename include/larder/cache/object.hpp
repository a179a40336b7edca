// cache::Object: one stored response, immutable and pre-serialized.
//
// `head` is the status line and the end-to-end header fields exactly as they go to the client,
// each line ending in CRLF, without framing (no Content-Length, no Transfer-Encoding) and without
// the blank line that ends the header section: the writer appends the per-response fields
// (Content-Length, Age, X-Cache, Connection) and then CRLF, so one object can be served whole,
// as a range, encoded, or as a 304. `body` is the whole body.
// Objects are shared by reference count between the store and every worker writing them; nothing
// mutates an Object after it is built.
//
// `meta` holds what the RFC 9111 policy (freshness.hpp, conditional.hpp, vary.hpp) needs on the
// hit path, parsed once when the object is built so a hit never re-parses header text. An object
// built without it has `meta.parsed == false` and only `stored_at`/`expires_at` matter. For an
// object built under the HTTP policy (cache::build_http_object), `expires_at` is
// `meta.fresh_until` (or the response time for `no-cache`, so it is never a plain fresh hit) and
// `meta.keep_until` is how long it is worth keeping, stale, to be revalidated.
//
// Every stored object pays for every field (issue 16: per-object bookkeeping), so fields that are
// usually empty are one pointer wide and allocate nothing while empty (RareString: url_query,
// tags, meta.vary; RareVector: encodings.others), the rule name is interned (InternedName: one
// copy per rule for the process), and Last-Modified and Date are OptionalTime (8 bytes). They
// read like the std::string / std::vector / std::optional they replaced.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "larder/cache/interned_name.hpp"
#include "larder/cache/optional_time.hpp"
#include "larder/cache/rare_string.hpp"
#include "larder/cache/rare_vector.hpp"
#include "larder/http/accept_encoding.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache {

// Parsed, immutable metadata of a stored response (see cache::parse_meta in freshness.hpp).
struct Meta {
    // Validators and dates as received; nullopt when absent or invalid.
    std::string etag;  // the ETag field value as sent (e.g. `W/"x"`); empty when absent
    OptionalTime last_modified;
    OptionalTime date;
    obs::TimePoint request_time{};   // when the request that produced it was sent upstream
    obs::TimePoint response_time{};  // when the response was received

    // RFC 9111 section 4.2: computed once at build time.
    std::chrono::seconds freshness_lifetime{0};
    std::chrono::seconds corrected_initial_age{0};
    obs::TimePoint fresh_until{};  // response_time + lifetime - corrected_initial_age
    obs::TimePoint keep_until{};   // kept (stale) until then to be revalidated or served on error

    bool parsed = false;     // false: built without the HTTP policy (rule TTL only)
    bool heuristic = false;  // the lifetime came from the heuristic

    // Response directives that matter after storing (from the effective field: a targeted
    // field when one applied, else Cache-Control).
    bool no_cache = false;         // unqualified: revalidate before every reuse
    bool must_revalidate = false;  // must-revalidate, proxy-revalidate or s-maxage
    bool public_ = false;
    bool immutable = false;
    bool authorization_ok = false;  // public, s-maxage or must-revalidate (RFC 9111 section 3.5)
    std::chrono::seconds stale_while_revalidate{0};
    std::chrono::seconds stale_if_error{0};

    // Vary: lower-case field names, sorted, de-duplicated, joined by ','; empty without Vary.
    RareString vary;
};

struct Object;

// The same response in other content codings, made once when it was stored (cache/encodings.hpp,
// docs/compression.md). Each of `others` is a whole Object of its own coding: `head` with that
// coding's Content-Encoding and ETag (a strong ETag gets "-gzip", "-br" or "-identity" inside
// its quotes), `body` in that coding, `status`, `meta` and the times copied from the stored
// object (its key, url, tags and rule_name are empty: only the stored object is in the store).
// A hit sends the representation the client accepts best (cache::representation_for); only the
// stored object is ever looked up, judged, revalidated or purged. Empty `others`: one coding.
// To persist an object, persist `own` and each other's coding, head and body; the rest is the
// stored object's.
struct Encodings {
    http::ContentCoding own = http::ContentCoding::Identity;  // the coding of Object::body
    RareVector<std::shared_ptr<const Object>> others;
};

struct Object {
    std::string key;
    std::string head;
    std::string body;
    obs::TimePoint stored_at{};   // when the response was received
    obs::TimePoint expires_at{};  // fresh until then
    // Past expires_at the object may still be served: until grace_until to a client while one
    // background refresh runs (stale-while-revalidate), until error_until when the app fails
    // (stale-if-error). The store keeps it until the later of the two.
    obs::TimePoint grace_until{};
    obs::TimePoint error_until{};
    InternedName rule_name;  // which rule stored it (for X-Cache-Reason)
    Meta meta;               // RFC 9111 metadata (meta.parsed == false for rule-TTL objects)
    // The URL the object answers, for invalidation and purge: `url` is "scheme://host/path"
    // (no query; host lower-case, as in the default key), `url_query` the normalised query
    // (without '?'). Set by whoever builds the object; the store indexes objects by `url`
    // (Store::erase_at), whatever rule built their key. Empty `url`: not indexed.
    std::string url;
    RareString url_query;
    // Purge tags the app gave the response (Surrogate-Key, xkey; see tags.hpp): each tag once,
    // separated by single spaces; empty without tags. The store indexes objects by tag.
    RareString tags;
    // The store's purge epoch when the fetch that produced this object began
    // (Store::purge_epoch()): purges accepted after it are checked against the object when it
    // is stored, so a fetch in flight during a purge cannot store what the purge removed.
    std::uint64_t epoch = 0;
    int status = 200;
    // Other content codings of this response (see Encodings above).
    Encodings encodings;

    // Bytes this object costs the store: the heap bytes of key, head, body, meta.etag and url
    // (their capacity, since that is what is held) and of the rare fields url_query, tags and
    // meta.vary (their one allocation each; rule_name is interned, nothing per object),
    // bookkeeping_bytes(), its tags' place in the tag index (detail::tag_charge each), for a Vary
    // variant the entry's own std::string of the normalised Vary, and every other coding in
    // `encodings` (its allocation, head, body and ETag; see object.cpp). Constant for the object's
    // lifetime, so the store can add it on insert and subtract it on removal.
    std::size_t charge() const;

    bool fresh(obs::TimePoint now) const { return now < expires_at; }
    bool servable_in_grace(obs::TimePoint now) const { return now < grace_until; }
    bool servable_on_error(obs::TimePoint now) const { return now < error_until; }
    // The store drops the object from this time on (meta.keep_until: kept stale for revalidation).
    obs::TimePoint retain_until() const {
        return std::max({expires_at, grace_until, error_until, meta.keep_until});
    }

    // The fixed cost of one stored object, measured (not guessed) for this standard library:
    // the make_shared allocation (control block + Object), the store's slot (the object's link
    // in its entry, the eviction queue and the URL index) and the store's per-key entry (which
    // views the object's key rather than copying it). Each object is charged a whole entry:
    // exact for a key with one object, an overcount for Vary variants, which share their entry.
    // (The store's bucket arrays are charged by each shard as a whole, see src/cache/lru.hpp.)
    static std::size_t bookkeeping_bytes();
};

using ObjectPtr = std::shared_ptr<const Object>;

}  // namespace larder::cache
