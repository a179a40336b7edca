// A POST answer stored for later GETs of its URL (RFC 9110 section 9.3.3, RFC 9111 section 4),
// behind [cache] store_post_responses (off by default: docs/http-caching.md says why).
//
// The RFC lets a cache reuse a POST response for a later GET or HEAD of the same URI when it
// carries explicit freshness and a Content-Location equal to the POST's target. Under Larder's
// privacy invariant it is stored only when it is what a visitor without personal state would
// get: the POST carries no Cookie, Authorization or Proxy-Authorization at all, the same URL as
// a GET is a cache candidate for the rules (the key, policy and storability checks are that
// GET's), and its query is already in the key's normal form. Everything else about it is the
// ordinary store path: the policy judges it as a GET's answer, it is vetted against purges and
// stored under the GET's key (its Vary variant included).
#include "larder/cache/http_policy.hpp"
#include "larder/cache/tags.hpp"
#include "larder/cache/vary.hpp"
#include "larder/rules/ruleset.hpp"
#include "task.hpp"

namespace larder::proxy {

namespace {

// Content-Location names the POST's own target: "/path?q" or "http://host/path?q".
bool names_target(std::string_view location, const http::Request& request) {
    location = http::trim_ows(location);
    if (location == request.target) return true;
    constexpr std::string_view scheme = "http://";
    if (location.size() <= scheme.size() || !http::iequals(location.substr(0, 7), scheme))
        return false;
    location.remove_prefix(scheme.size());
    const std::string_view host = request.host();
    return location.size() > host.size() && http::iequals(location.substr(0, host.size()), host) &&
           location.substr(host.size()) == request.target;
}

bool explicit_freshness(const http::HeaderList& headers, bool targeted) {
    const cache::EffectiveControl ec = cache::effective_cache_control(headers, targeted);
    return ec.cc.max_age || ec.cc.s_maxage ||
           (ec.source == cache::ControlSource::CacheControl && headers.contains("expires"));
}

}  // namespace

bool Pipeline::store_post_response(const Task& t, const Fetched& f, std::uint64_t purge_epoch) {
    const http::Request& post = t.request;
    const upstream::SourceExchange& exchange = *f.exchange;
    if (post.method != http::Method::Post || exchange.status() != 200) return false;
    if (post.has(http::Field::Cookie) || post.has(http::Field::Authorization) ||
        post.has(http::Field::ProxyAuthorization))
        return false;
    const auto location = exchange.headers().get("content-location");
    if (!location || !names_target(*location, post)) return false;
    if (!explicit_freshness(exchange.headers(), shared_.http_policy.targeted_cache_control))
        return false;
    // The same URL as a GET, without the body: what would the rules do with it?
    http::Request get = post;
    get.method = http::Method::Get;
    get.method_text = "GET";
    get.body = {};
    rules::Decision d = shared_.rules.decide(get);
    if (d.action != rules::Action::Cache) return false;
    const std::string query = shared_.rules.normalised_query(d.rule_name, post.query);
    if (query != post.query) return false;  // rendered for parameters the key leaves out
    std::optional<cache::RuleTtlPolicy> rule_policy;
    const cache::CachePolicy* policy = &http_policy_;
    if (!d.follow_origin) {
        const auto& cache = shared_.config.cache;
        rule_policy.emplace(cache::RuleTtlPolicy::Windows{d.ttl, d.grace, d.stale_if_error},
                            cache::StorableLimits{.max_object_size = cache.max_object_size,
                                                  .cacheable_status = &cache.cacheable_status});
        policy = &*rule_policy;
    }
    cache::ResponseFacts facts{.method = http::Method::Get,
                               .status = exchange.status(),
                               .headers = &exchange.headers(),
                               .body_size = f.body.size(),
                               .request_time = f.response_time,
                               .response_time = f.response_time};
    cache::ResponseVerdict v = policy->judge_response(facts, d.strip_set_cookie);
    if (v.refusal) return false;
    std::string key =
        v.meta.vary.empty()
            ? d.key
            : cache::variant_key(d.key, cache::secondary_key(v.meta.vary, get.headers));
    auto object =
        cache::build(std::move(key), exchange.status(), exchange.reason(), exchange.headers(),
                     f.body, v, d.strip_set_cookie, std::string(d.rule_name));
    object.url = rules::RuleSet::url_of("http", post.host(), post.path);
    object.url_query = query;
    object.epoch = purge_epoch;
    const auto& purge = shared_.config.purge;
    object.tags = cache::collect_tags(exchange.headers(), purge.tag_headers);
    if (purge.strip_tag_headers) cache::strip_fields(object.head, purge.tag_headers);
    const bool stored = shared_.store.insert(cache::Object::make(object));
    if (stored) obs::Counters::bump(counters_.cache_stores);
    return stored;
}

}  // namespace larder::proxy
