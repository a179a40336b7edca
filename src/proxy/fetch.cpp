// The Fetch step and the one fetch-and-store path under it.
//
// fetch() builds the job from the request's place in the cache (the anonymous request for a
// cache candidate, the client's own for a pass; the stale object's validators when it
// revalidates), runs fetch_and_store(), and picks the next step from what came back: the object
// (Deliver), the app's answer relayed (pass, or too large to buffer), a stale object instead of
// an app failure (Deliver), an error (Synth), or — for a visitor whose cookies the shared fetch
// dropped, when its answer could not be shared — this visitor's own page as a pass (Fetch again).
#include <cassert>

#include "interim_relay.hpp"
#include "larder/cache/conditional.hpp"
#include "larder/cache/encode_at_store.hpp"
#include "larder/cache/invalidation.hpp"
#include "larder/cache/tags.hpp"
#include "larder/cache/vary.hpp"
#include "larder/proxy/messages.hpp"
#include "larder/rules/ruleset.hpp"
#include "task.hpp"

namespace larder::proxy {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

void Pipeline::invalidate_after(const http::Request& request,
                                const upstream::SourceExchange& exchange) {
    if (!cache::is_unsafe(request.method)) return;
    // The target URI and the response's Location / Content-Location on the same host (RFC 9111
    // section 4.4), found through the store's URL index whatever rule and key stored them: an
    // object matches when its query equals this one as its own rule normalises queries.
    for (const auto& uri : cache::invalidation_keys({.method = request.method,
                           .status = exchange.status(),
                           .scheme = "http",
                           .host = request.host(),
                           .path = request.path,
                           .query = request.query,
                           .response_headers = &exchange.headers()})) {
        auto q = uri.find('?');
        std::string_view url = std::string_view(uri).substr(0, q);
        std::string_view query =
            q == std::string::npos ? std::string_view() : std::string_view(uri).substr(q + 1);
        shared_.store.erase_at(url, [&](const cache::Object& o) {
            return o.url_query() == shared_.rules.normalised_query(o.rule_name, query);
        });
    }
}

asio::awaitable<Pipeline::Step> Pipeline::fetch(Task& t) {
    // A fetch that may store goes as the anonymous visitor, under a policy (privacy invariant).
    assert(!t.cacheable || (t.policy && t.anonymous));
    assert(!t.flight || t.cacheable);
    const auto& config = shared_.config;
    const bool is_head = t.request.method == http::Method::Head;
    // A HEAD that may fill the cache is sent as GET, so the stored object has its body.
    const bool send_as_get = t.cacheable && is_head;
    const http::Request& sent = t.cacheable ? t.anonymous->get() : t.request;
    FetchJob job{.head = forward_head(sent, t.client.ip, send_as_get, t.tx.request_id),
                 .body = sent.body,
                 .method = send_as_get ? http::Method::Get : t.request.method,
                 .idempotent = http::is_idempotent(t.request.method),
                 .head_request = is_head && !send_as_get,
                 .hash_key = !t.key.text.empty()      ? std::string_view(t.key.text)
                             : t.decision.key.empty() ? t.request.target
                                                      : std::string_view(t.decision.key),
                 .buffer_limit = config.upstream.buffer_size};
    if (t.cacheable) {
        // The client's own validators are not sent (AnonymousRequest): Larder answers them.
        job.revalidate = t.revalidate && t.stale;
        if (job.revalidate) {  // ask the app whether the stored object is still good
            std::string validators;
            for (const auto& [name, value] : cache::revalidation_headers(*t.stale))
                validators.append(name).append(": ").append(value).append("\r\n");
            job.head.insert(job.head.size() - 2, validators);
        }
        job.sent = forwarded_fields(job.head);
        job.policy = t.policy;
        job.key = t.key;
        job.url = rules::RuleSet::url_of("http", t.request.host(), t.request.path);
        job.url_query = shared_.rules.normalised_query(t.decision.rule_name, t.request.query);
        job.strip_set_cookie = t.decision.strip_set_cookie;
        job.rule_name = std::string(t.decision.rule_name);
        job.request_no_store = t.directives.no_store;
        job.stale = t.stale;
        job.flight = t.flight ? &*t.flight : nullptr;
    }
    InterimRelay interim(t.writer, t.tx, t.request);  // the app's 1xx responses, to this client
    job.interim = &interim;
    Fetched f;
    co_await fetch_and_store(job, f);
    t.tx.upstream_us = f.upstream_us;

    bool stale_allowed = t.stale && t.stale->servable_on_error(f.response_time);
    if (f.app_failed && stale_allowed) {
        if (!f.complete) f.exchange->finish();
        if (t.flight) t.flight->hand_over(t.stale);  // waiters get the same stale answer
        t.path = Path::StaleOnError;
        t.object = t.stale;
        t.age =
            std::chrono::duration_cast<std::chrono::seconds>(f.response_time - t.stale->stored_at)
                .count();
        co_return Step::Deliver;
    }
    if (t.flight && !f.object) t.flight->hand_over(nullptr);
    if (f.error != upstream::UpstreamError::None) {
        obs::Counters::bump(counters_.upstream_errors);
        log_upstream_error(t.request.method_text, t.request.target, f.error,
                           f.exchange->backend_name());
        f.exchange->finish();
        t.path = Path::Synthetic;
        t.synth_status = upstream::status_for(f.error);
        t.tx.reason = upstream::to_string(f.error);
        co_return Step::Synth;
    }
    if (f.complete) {
        invalidate_after(t.request, *f.exchange);
        // Then, only when configured, a POST answer the RFC lets a later GET reuse.
        if (!t.cacheable && shared_.config.cache.store_post_responses)
            store_post_response(t, f, f.purge_epoch);
    }
    if (f.refusal) t.tx.reason = cache::to_string(*f.refusal);
    // An answer to the fetch without this visitor's cookies that will not be shared (refused,
    // too large to buffer, an app failure) was rendered for nobody but a cookieless visitor,
    // and may set cookies that would replace this visitor's: fetch theirs, as a pass.
    if (t.cacheable && t.anonymous->stripped() && (f.refusal || !f.complete || !f.object)) {
        if (!f.complete) f.exchange->finish();  // the connection closes: the body is not read
        t.path = Path::Pass;
        t.cacheable = false;
        t.flight.reset();  // already ended by fetch_and_store
        co_return Step::Fetch;
    }
    // A pass, an app failure, or too large to buffer: relay it.
    if (!t.cacheable || !f.complete || !f.object) {
        if (t.cacheable && !f.complete)
            t.tx.reason = cache::to_string(cache::NoCacheReason::TooLarge);
        co_await relay(t, f);
        co_return Step::Done;
    }
    t.object = std::move(f.object);
    // The age it arrived with (its Age field and the transit time, RFC 9111 section 4.2.3): an
    // answer that was already 3000 s old at the app says so.
    const std::int64_t initial_age = t.object->meta.corrected_initial_age.count();
    if (f.revalidated || initial_age > 0) t.age = initial_age;
    if (f.revalidated && !f.refusal) t.tx.reason = "revalidated";
    co_return Step::Deliver;
}

asio::awaitable<void> Pipeline::fetch_and_store(FetchJob& job, Fetched& out) {
    auto t_up = SteadyClock::now();
    const obs::TimePoint request_time = shared_.clock.now();
    // Taken before the request leaves: a purge accepted from now on vets what this stores.
    const std::uint64_t purge_epoch = shared_.store.purge_epoch();
    out.purge_epoch = purge_epoch;
    out.exchange = source_.open();
    upstream::SourceExchange& exchange = *out.exchange;
    out.error = co_await exchange.start({.head = job.head,
                                         .body = job.body,
                                         .idempotent = job.idempotent,
                                         .head_request = job.head_request,
                                         .hash_key = job.hash_key,
                                         .interim = job.interim});
    if (out.error == upstream::UpstreamError::None)
        out.error = co_await exchange.read_body(out.body, job.buffer_limit);
    out.response_time = shared_.clock.now();
    out.upstream_us =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - t_up).count();
    if (out.error != upstream::UpstreamError::None) {
        out.app_failed = true;
        co_return;
    }
    if (!exchange.body_done()) {  // larger than the buffer: never stored
        if (job.policy) remember_uncacheable(job, out.response_time);
        co_return;
    }
    out.complete = true;
    exchange.finish();  // the app server's connection goes back before anyone is served
    out.app_failed = exchange.status() >= 500;
    if (!job.policy || out.app_failed) co_return;

    // Only an anonymous fetch may store: it never carries credentials (AnonymousRequest). Should
    // that ever fail, the answer is refused, not stored (and never a crash a client can cause).
    const bool credentials =
        job.sent.contains("authorization") || job.sent.contains("proxy-authorization");
    cache::ResponseFacts facts{.method = job.method,
                               .status = exchange.status(),
                               .headers = &exchange.headers(),
                               .body_size = out.body.size(),
                               .request_has_authorization = credentials,
                               .request_no_store = job.request_no_store,
                               .request_time = request_time,
                               .response_time = out.response_time};
    cache::ObjectDraft object;
    if (job.revalidate && exchange.status() == 304 &&
        cache::not_modified_applies(*job.stale, exchange.headers())) {
        cache::Revalidated r = cache::revalidate(*job.policy, *job.stale, exchange.headers(), facts,
                                                 job.strip_set_cookie);
        out.refusal = r.verdict.refusal;
        out.revalidated = true;
        object = std::move(r.object);
    } else {
        cache::ResponseVerdict v = job.policy->judge_response(facts, job.strip_set_cookie);
        out.refusal = v.refusal;
        std::string key;
        if (!v.refusal)
            key =
                v.meta.vary.empty()
                    ? job.key.text
                    : cache::variant_key(job.key.text, cache::secondary_key(v.meta.vary, job.sent));
        // A response that is not stored keeps its cookies (it goes to this visitor alone).
        object =
            cache::build(std::move(key), exchange.status(), exchange.reason(), exchange.headers(),
                         std::move(out.body), v, job.strip_set_cookie && !v.refusal, job.rule_name);
    }
    if (credentials && !out.refusal) out.refusal = cache::NoCacheReason::RequestHadAuthorization;
    object.url = job.url;
    object.url_query = job.url_query;
    object.epoch = purge_epoch;
    const auto& purge = shared_.config.purge;
    object.tags = cache::collect_tags(exchange.headers(), purge.tag_headers);
    if (object.tags.empty() && out.revalidated) object.tags = job.stale->tags();
    if (purge.strip_tag_headers) cache::strip_fields(object.head, purge.tag_headers);
    if (out.revalidated) {
        cache::carry_encodings(object, *job.stale);  // same body: nothing to compress again
    } else if (!out.refusal) {
        auto refusal = co_await encode_for_store(object, exchange.headers());
        if (refusal) out.refusal = refusal;
    }
    out.object = cache::Object::make(object);  // packed: one allocation, texts and body
    object = {};  // the draft's copy of the body goes now, not when the coroutine ends
    if (out.refusal) {
        if (cache::is_lasting(*out.refusal))
            remember_uncacheable(job, out.response_time);
        else if (job.flight)
            job.flight->hand_over(nullptr);
        co_return;
    }
    // A fetch without a flight (a follower that gave up waiting) stores directly.
    bool stored = job.flight ? job.flight->complete(out.object, false, out.response_time)
                             : shared_.store.insert(out.object);
    if (stored) obs::Counters::bump(counters_.cache_stores);
}

void Pipeline::remember_uncacheable(FetchJob& job, obs::TimePoint now) {
    if (job.flight)
        job.flight->complete(nullptr, true, now);
    else
        shared_.store.mark_uncacheable(job.key, now);
}

}  // namespace larder::proxy
