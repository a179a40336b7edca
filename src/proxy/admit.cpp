// The store step of the pipeline: may this response be kept, under which key and for how long.
// Rules with a forced TTL use cache::refuse_to_store; `cache = "origin"` and `default = "http"`
// use the RFC 9111 verdict (cache/http_policy.hpp).
#include "larder/cache/conditional.hpp"
#include "larder/cache/freshness.hpp"
#include "larder/cache/object_builder.hpp"
#include "larder/cache/policy.hpp"
#include "larder/cache/vary.hpp"
#include "larder/http/cache_control.hpp"
#include "larder/proxy/pipeline.hpp"

namespace larder::proxy {

namespace {

// Vary names request fields the stored response depends on. A rule that caches has already
// said what splits its pages (identity and vary_cookies), so Vary: Cookie is covered; any other
// field would need variants, so such a response is not stored under a rule.
bool varies_beyond_cookie(const http::HeaderList& headers) {
    for (const auto& h : headers) {
        if (!http::iequals(h.name, "vary")) continue;
        std::string_view list = h.value;
        while (!list.empty()) {
            auto comma = list.find(',');
            auto item = http::trim_ows(list.substr(0, comma));
            if (!item.empty() && !http::iequals(item, "cookie")) return true;
            if (comma == std::string_view::npos) break;
            list.remove_prefix(comma + 1);
        }
    }
    return false;
}

}  // namespace

void Pipeline::set_rule_windows(cache::Object& object, const rules::Decision& decision) const {
    // The rule's (or [cache]'s) windows, unless the response names its own.
    http::CacheControl cc = http::parse_cache_control(
        cache::parse_head(object.head).headers);  // cheap: the head is short and already built
    auto grace = cc.stale_while_revalidate ? std::chrono::seconds(*cc.stale_while_revalidate)
                                           : decision.grace;
    auto on_error =
        cc.stale_if_error ? std::chrono::seconds(*cc.stale_if_error) : decision.stale_if_error;
    object.grace_until = object.expires_at + grace;
    object.error_until = object.expires_at + on_error;
}

cache::ObjectPtr Pipeline::admit(upstream::Exchange& exchange, std::string body,
                                 const rules::Decision* decision, const Fetched& fetched,
                                 std::optional<cache::NoCacheReason>& refusal) {
    const auto& config = shared_.config;
    const auto& headers = exchange.headers();
    std::shared_ptr<cache::Object> object;
    if (decision && decision->follow_origin) {  // RFC 9111: the response decides
        cache::ResponseVerdict v = cache::evaluate_response(
            {.method = fetched.method,
             .status = exchange.status(),
             .response_headers = &headers,
             .body_size = body.size(),
             .request_has_authorization = fetched.request_has_authorization,
             .request_no_store = fetched.request_no_store,
             .strip_set_cookie = decision->strip_set_cookie,
             .request_time = fetched.request_time,
             .response_time = fetched.response_time},
            shared_.http_policy);
        if (!v.refusal && !v.meta.vary.empty() && !fetched.request_headers)
            v.refusal = cache::NoCacheReason::VaryUnsupported;  // a refresh cannot pick the variant
        refusal = v.refusal;
        std::string key;
        if (!refusal)
            key = v.meta.vary.empty()
                      ? decision->key
                      : cache::variant_key(
                            decision->key,
                            cache::secondary_key(v.meta.vary, *fetched.request_headers));
        object = cache::build_http_object(std::move(key), exchange.status(), exchange.reason(),
                                          headers, std::move(body), v, decision->strip_set_cookie,
                                          std::string(decision->rule_name));
        object->grace_until = v.grace_until;
        object->error_until = v.error_until;
    } else {  // a pass, or a rule's forced TTL
        if (decision) {
            refusal = cache::refuse_to_store(
                {.status = exchange.status(),
                 .response_headers = &headers,
                 .body_size = body.size(),
                 .request_has_authorization = fetched.request_has_authorization,
                 .strip_set_cookie = decision->strip_set_cookie},
                {.max_object_size = config.cache.max_object_size,
                 .cacheable_status = &config.cache.cacheable_status});
            if (!refusal && varies_beyond_cookie(headers))
                refusal = cache::NoCacheReason::VaryUnsupported;
        }
        bool store = decision && !refusal;
        object = cache::build_object(
            store ? decision->key : std::string(), exchange.status(), exchange.reason(), headers,
            std::move(body), fetched.response_time,
            store ? decision->ttl : std::chrono::milliseconds(0),
            store && decision->strip_set_cookie,  // a response not stored keeps its cookies
            decision ? std::string(decision->rule_name) : std::string());
        if (store) {
            object->meta = cache::forced_ttl_meta(headers, fetched.request_time,
                                                  fetched.response_time, decision->ttl);
            set_rule_windows(*object, *decision);
        }
    }
    if (!decision) return object;
    if (refusal) {
        if (cache::is_lasting(*refusal))
            shared_.predictor.remember(decision->key, fetched.response_time);
        return object;
    }
    if (shared_.store.insert(object)) obs::Counters::bump(counters_.cache_stores);
    shared_.predictor.forget(decision->key);
    return object;
}

}  // namespace larder::proxy
