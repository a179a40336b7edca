// cache::Object: one stored response, immutable and pre-serialized, packed into one allocation.
//
// `head()` is the status line and the end-to-end header fields exactly as they go to the client,
// each line ending in CRLF, without framing (no Content-Length, no Transfer-Encoding) and without
// the blank line that ends the header section: the writer appends the per-response fields
// (Content-Length, Age, X-Cache, Connection) and then CRLF, so one object can be served whole,
// as a range, encoded, or as a 304. `body()` is the whole body.
//
// Layout (issue 16: per-object bookkeeping). An Object is one allocation: this fixed header
// (an intrusive atomic reference count, the times, the metadata, the 32-bit end offsets of its
// texts) followed directly by the bytes of key, head, url, url_query, tags, etag, vary and body,
// in that order. The accessors return std::string_view into that tail. Objects are built whole
// from an ObjectDraft (the mutable form with std::string fields that builders and tests fill) by
// Object::make, and are never changed afterwards: revalidation, freshening or adding encodings
// builds a new one. ObjectPtr is the intrusive pointer that shares an object between the store
// and every worker writing it; the last reference frees the allocation. Nothing mutates an
// Object after it is built (ObjectPtr points to const).
//
// `meta` holds what the RFC 9111 policy (freshness.hpp, conditional.hpp, vary.hpp) needs on the
// hit path, parsed once when the object is built so a hit never re-parses header text; its texts
// (the ETag and the normalised Vary) are `etag()` and `vary()`. An object built without it has
// `meta.parsed == false` and only `stored_at`/`expires_at` matter. For an object built under the
// HTTP policy (cache::build_http_object), `expires_at` is `meta.fresh_until` (or the response
// time for `no-cache`, so it is never a plain fresh hit) and `meta.keep_until` is how long it is
// worth keeping, stale, to be revalidated.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "larder/cache/interned_name.hpp"
#include "larder/cache/optional_time.hpp"
#include "larder/cache/rare_vector.hpp"
#include "larder/http/accept_encoding.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache {

// Parsed, immutable metadata of a stored response (see cache::parse_meta in freshness.hpp),
// without its texts: a stored object keeps those in its allocation (Object::etag, vary), a
// response being judged in ParsedMeta.
struct Meta {
    // Dates as received; nullopt when absent or invalid.
    OptionalTime last_modified;
    OptionalTime date;
    obs::TimePoint request_time{};   // when the request that produced it was sent upstream
    obs::TimePoint response_time{};  // when the response was received

    // RFC 9111 section 4.2: computed once at build time.
    std::chrono::seconds freshness_lifetime{0};
    std::chrono::seconds corrected_initial_age{0};
    obs::TimePoint fresh_until{};  // response_time + lifetime - corrected_initial_age
    obs::TimePoint keep_until{};   // kept (stale) until then to be revalidated or served on error
    std::chrono::seconds stale_while_revalidate{0};
    std::chrono::seconds stale_if_error{0};

    bool parsed = false;     // false: built without the HTTP policy (rule TTL only)
    bool heuristic = false;  // the lifetime came from the heuristic
    bool has_etag = false;   // the response had an ETag (its text: ParsedMeta::etag, Object::etag)

    // Response directives that matter after storing (from the effective field: a targeted
    // field when one applied, else Cache-Control).
    bool no_cache = false;         // unqualified: revalidate before every reuse
    bool must_revalidate = false;  // must-revalidate, proxy-revalidate or s-maxage
    bool public_ = false;
    bool immutable = false;
    bool authorization_ok = false;  // public, s-maxage or must-revalidate (RFC 9111 section 3.5)
};

// Meta with its texts, as parse_meta makes it for a response being judged.
struct ParsedMeta : Meta {
    std::string etag;  // the ETag field value as sent (e.g. `W/"x"`); empty when absent
    // Vary: lower-case field names, sorted, de-duplicated, joined by ','; empty without Vary.
    std::string vary;
};

class Object;

// An intrusive, thread-safe reference to an immutable Object (see Object::make); used like the
// std::shared_ptr<const Object> it replaced: `->`, `*`, bool, copy, move, get(), reset().
class ObjectPtr {
  public:
    ObjectPtr() noexcept = default;
    ObjectPtr(std::nullptr_t) noexcept {}  // NOLINT: reads like a pointer
    ObjectPtr(const ObjectPtr& o) noexcept : p_(o.p_) { acquire(); }
    ObjectPtr(ObjectPtr&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    ObjectPtr& operator=(const ObjectPtr& o) noexcept {
        ObjectPtr(o).swap(*this);
        return *this;
    }
    ObjectPtr& operator=(ObjectPtr&& o) noexcept {
        ObjectPtr(std::move(o)).swap(*this);
        return *this;
    }
    ~ObjectPtr() { release(); }

    const Object* get() const noexcept { return p_; }
    const Object* operator->() const noexcept { return p_; }
    const Object& operator*() const noexcept { return *p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    void reset() noexcept { ObjectPtr().swap(*this); }
    void swap(ObjectPtr& o) noexcept { std::swap(p_, o.p_); }
    friend bool operator==(const ObjectPtr& a, const ObjectPtr& b) noexcept { return a.p_ == b.p_; }
    friend bool operator==(const ObjectPtr& a, std::nullptr_t) noexcept { return !a.p_; }

  private:
    friend class Object;
    // Adopts a reference already counted for it.
    explicit ObjectPtr(const Object* adopted) noexcept : p_(adopted) {}
    inline void acquire() const noexcept;
    inline void release() noexcept;
    const Object* p_ = nullptr;
};

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
    RareVector<ObjectPtr> others;
    http::ContentCoding own = http::ContentCoding::Identity;  // the coding of Object::body
};

// The mutable form of an Object, filled by builders (object_builder.hpp, http_policy.hpp,
// encodings.hpp, the snapshot reader) and tests, then packed by Object::make.
struct ObjectDraft {
    std::string key;
    std::string head;
    std::string body;
    obs::TimePoint stored_at{};   // when the response was received
    obs::TimePoint expires_at{};  // fresh until then
    obs::TimePoint grace_until{};
    obs::TimePoint error_until{};
    InternedName rule_name;
    ParsedMeta meta;
    std::string url;
    std::string url_query;
    std::string tags;
    std::uint64_t epoch = 0;
    int status = 200;
    Encodings encodings;
};

class Object {
    enum Text : std::size_t { kKey, kHead, kUrl, kUrlQuery, kTags, kEtag, kVary, kTexts };
    mutable std::atomic<std::uint32_t> refs_{1};
    std::uint32_t ends_[kTexts] = {};  // end offset of each text in the tail
    std::size_t body_size_ = 0;

  public:
    // Packs `draft` into one allocation (its texts copied behind the header). Throws
    // std::length_error when the texts other than the body exceed 4 GiB together.
    static ObjectPtr make(const ObjectDraft& draft);
    // The draft this object was made from (to build a changed copy, or to test).
    ObjectDraft draft() const;

    Object(const Object&) = delete;
    Object& operator=(const Object&) = delete;

    // The key (primary, or primary + separator + secondary for a Vary variant).
    std::string_view key() const { return text(kKey); }
    std::string_view head() const { return text(kHead); }
    // The URL the object answers, for invalidation and purge: "scheme://host/path" (no query;
    // host lower-case, as in the default key). The store indexes objects by it (Store::erase_at),
    // whatever rule built their key. Empty: not indexed.
    std::string_view url() const { return text(kUrl); }
    std::string_view url_query() const { return text(kUrlQuery); }  // normalised, without '?'
    // Purge tags the app gave the response (Surrogate-Key, xkey; see tags.hpp): each tag once,
    // separated by single spaces; empty without tags. The store indexes objects by tag.
    std::string_view tags() const { return text(kTags); }
    std::string_view etag() const { return text(kEtag); }  // as sent; empty when absent
    std::string_view vary() const { return text(kVary); }  // normalised (see ParsedMeta::vary)
    std::string_view body() const { return {tail() + ends_[kTexts - 1], body_size_}; }

    obs::TimePoint stored_at{};   // when the response was received
    obs::TimePoint expires_at{};  // fresh until then
    // Past expires_at the object may still be served: until grace_until to a client while one
    // background refresh runs (stale-while-revalidate), until error_until when the app fails
    // (stale-if-error). The store keeps it until the later of the two.
    obs::TimePoint grace_until{};
    obs::TimePoint error_until{};
    InternedName rule_name;  // which rule stored it (for X-Cache-Reason)
    Meta meta;               // RFC 9111 metadata (meta.parsed == false for rule-TTL objects)
    // The store's purge epoch when the fetch that produced this object began
    // (Store::purge_epoch()): purges accepted after it are checked against the object when it
    // is stored, so a fetch in flight during a purge cannot store what the purge removed.
    std::uint64_t epoch = 0;
    // Other content codings of this response (see Encodings above); `status` lives in its tail
    // padding.
    [[no_unique_address]] Encodings encodings;
    int status = 200;

    // Bytes this object costs the store: its one allocation (header and texts, at what malloc
    // holds for it), the store's slot and a whole entry (see bookkeeping_bytes), its tags' place
    // in the tag index (detail::tag_charge each), for a Vary variant the entry's own std::string
    // of the normalised Vary, and every other coding in `encodings` (its allocation and the
    // vector holding them; see object.cpp). Constant for the object's lifetime, so the store can
    // add it on insert and subtract it on removal.
    std::size_t charge() const;
    // What malloc holds for this object's one allocation.
    std::size_t allocation_bytes() const;

    bool fresh(obs::TimePoint now) const { return now < expires_at; }
    bool servable_in_grace(obs::TimePoint now) const { return now < grace_until; }
    bool servable_on_error(obs::TimePoint now) const { return now < error_until; }
    // The store drops the object from this time on (meta.keep_until: kept stale for revalidation).
    obs::TimePoint retain_until() const {
        return std::max({expires_at, grace_until, error_until, meta.keep_until});
    }

    // The fixed cost of one stored object, measured for this standard library and allocator
    // (see object.cpp): the object's allocation with no text, the store's slot (the object's
    // link in its entry, the eviction queue and the URL index) and the store's per-key entry
    // (which views the object's key rather than copying it). Each object is charged a whole
    // entry: exact for a key with one object, an overcount for Vary variants, which share their
    // entry. (The store's bucket arrays are charged by each shard as a whole, see
    // src/cache/lru.hpp.)
    static std::size_t bookkeeping_bytes();

  private:
    friend class ObjectPtr;

    Object() = default;
    ~Object() = default;
    const char* tail() const { return reinterpret_cast<const char*>(this + 1); }
    std::string_view text(Text t) const {
        const std::uint32_t begin = t == kKey ? 0 : ends_[t - 1];
        return {tail() + begin, ends_[t] - begin};
    }
    void acquire() const noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    // Frees the object with its last reference.
    void release() const noexcept {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy(this);
    }
    static void destroy(const Object* o) noexcept;
};

inline void ObjectPtr::acquire() const noexcept {
    if (p_) p_->acquire();
}
inline void ObjectPtr::release() noexcept {
    if (p_) std::exchange(p_, nullptr)->release();
}

}  // namespace larder::cache
