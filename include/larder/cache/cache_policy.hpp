// cache::CachePolicy: the one interface through which the pipeline asks "may this response be
// stored, with which metadata and windows?" and "may this stored object answer this request?".
//
// Two implementations, chosen per request by the rule decision:
//   RuleTtlPolicy  a rule's forced TTL (`cache = "60s"`): storability by refuse_to_store()
//                  (policy.hpp) plus "no Vary beyond Cookie"; fresh for the TTL from the
//                  response time; grace and stale-if-error windows from the response's own
//                  stale-while-revalidate / stale-if-error, else the rule's; the client's
//                  Cache-Control cannot shorten it (only only-if-cached is honoured).
//   HttpPolicy     RFC 9111 (`[cache] default = "http"`, `cache = "origin"`): evaluate_response()
//                  and can_reuse() of http_policy.hpp / freshness.hpp, client directives as
//                  configured, Vary variants.
// Both return the same Verdict (store or the NoCacheReason why not; Meta; expires_at,
// grace_until, error_until; fields to leave out of the stored head) and build objects the same
// way (build()), so the fetch-and-store path has no branch on which policy is in force.
// Pure: no clock reads (times come in), no I/O; const and thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "larder/cache/freshness.hpp"
#include "larder/cache/http_policy.hpp"
#include "larder/cache/object.hpp"
#include "larder/cache/policy.hpp"
#include "larder/http/headers.hpp"
#include "larder/http/request.hpp"

namespace larder::cache {

// What is known about one complete upstream response when it is judged.
struct ResponseFacts {
    http::Method method = http::Method::Get;  // as sent upstream
    int status = 200;
    const http::HeaderList* headers = nullptr;
    std::size_t body_size = 0;
    bool request_has_authorization = false;
    bool request_no_store = false;  // the client's no-store, when honoured
    obs::TimePoint request_time{};
    obs::TimePoint response_time{};
};

// How a stored object may answer a request.
struct ReuseVerdict {
    enum class Kind {
        Fresh,       // serve it
        Grace,       // serve it stale while one background refresh runs
        Revalidate,  // fetch; send its validators when it has any; keep it for stale-if-error
        Unusable,    // fetch as if nothing were stored
    } kind = Kind::Unusable;
    std::int64_t age = 0;  // seconds, for Fresh and Grace (the Age field)
    bool has_validator = false;
};

class CachePolicy {
  public:
    virtual ~CachePolicy() = default;
    // Store or why not, and everything the object needs. `strip_set_cookie`: the rule strips it.
    virtual ResponseVerdict judge_response(const ResponseFacts& facts,
                                           bool strip_set_cookie) const = 0;
    virtual ReuseVerdict judge_reuse(const Object& object, const RequestDirectives& request,
                                     obs::TimePoint now) const = 0;
    // The client's directives this policy honours.
    virtual RequestDirectives directives(const http::Request& request) const = 0;
};

// Builds the draft of the object for a verdict (packed by Object::make once the caller has
// added url, tags and encodings): fields in v.drop_fields and (with strip_set_cookie) Set-Cookie
// left out; meta and the three time points from the verdict.
ObjectDraft build(std::string key, int status, std::string_view reason_phrase,
                  const http::HeaderList& headers, std::string body, const ResponseVerdict& v,
                  bool strip_set_cookie, std::string rule_name);

// A stored object refreshed by a 304 (RFC 9111 section 4.3.4): the stored head merged with the
// 304's fields, judged by `policy` as a new response (`facts` gives the times and request;
// status, headers and size come from the stored object), built under the stored key when the
// verdict allows (an empty key otherwise).
struct Revalidated {
    ObjectDraft object;
    ResponseVerdict verdict;
};
Revalidated revalidate(const CachePolicy& policy, const Object& stored,
                       const http::HeaderList& not_modified, ResponseFacts facts,
                       bool strip_set_cookie);

class RuleTtlPolicy final : public CachePolicy {
  public:
    struct Windows {
        std::chrono::milliseconds ttl{0};
        std::chrono::milliseconds grace{0};
        std::chrono::milliseconds stale_if_error{0};
    };
    RuleTtlPolicy(Windows windows, StorableLimits limits) : w_(windows), limits_(limits) {}

    ResponseVerdict judge_response(const ResponseFacts& facts,
                                   bool strip_set_cookie) const override;
    ReuseVerdict judge_reuse(const Object& object, const RequestDirectives& request,
                             obs::TimePoint now) const override;
    RequestDirectives directives(const http::Request& request) const override;

  private:
    Windows w_;
    StorableLimits limits_;
};

class HttpPolicy final : public CachePolicy {
  public:
    explicit HttpPolicy(const HttpPolicyOptions& options) : options_(options) {}

    ResponseVerdict judge_response(const ResponseFacts& facts,
                                   bool strip_set_cookie) const override;
    ReuseVerdict judge_reuse(const Object& object, const RequestDirectives& request,
                             obs::TimePoint now) const override;
    RequestDirectives directives(const http::Request& request) const override;

  private:
    const HttpPolicyOptions& options_;
};

}  // namespace larder::cache
