// The Wait step (a request that follows another's fetch of the same key) and grace's background
// refresh, which is fetch_and_store() with no client waiting.
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "larder/cache/conditional.hpp"
#include "larder/proxy/messages.hpp"
#include "task.hpp"

namespace larder::proxy {

namespace asio = boost::asio;

asio::awaitable<Pipeline::Step> Pipeline::wait(Task& t) {
    cache::ObjectPtr shared = co_await wait_for_leader(t.following);
    t.following.reset();
    // The leader's object answers this request too, unless it is an RFC 9111 Vary variant (it
    // may be another variant than this request selects) or the client's own directives forbid
    // it. Under a rule's forced TTL, Vary is the rule's business: always shared.
    bool other_variant = shared && t.decision.follow_origin && !shared->vary().empty();
    if (shared && !other_variant && !t.directives.no_store) {
        t.object = std::move(shared);
        t.age = 0;
        t.path = Path::Coalesced;
        co_return Step::Deliver;
    }
    // The leader's answer could not be shared, or it took longer than lock_timeout: fetch alone
    // (a visitor with cookies as a pass: the shared fetch would not be their page).
    if (t.anonymous->stripped()) co_return Step::Pass;
    t.path = Path::Miss;
    co_return Step::Fetch;
}

asio::awaitable<cache::ObjectPtr> Pipeline::wait_for_leader(const cache::FlightPtr& flight) {
    // The leader completes on its own thread; the callback posts the result to this one, where
    // it cancels our timer. No polling: the timer only fires when lock_timeout passes.
    struct Wait {
        explicit Wait(asio::any_io_executor ex) : timer(ex) {}
        asio::steady_timer timer;
        cache::ObjectPtr result;
        bool done = false;
    };
    auto executor = co_await asio::this_coro::executor;
    auto wait = std::make_shared<Wait>(executor);
    // The coalesced-waiters gauge, kept right on every way out (including destruction).
    struct Waiting {
        std::atomic<std::int64_t>& gauge;
        explicit Waiting(std::atomic<std::int64_t>& g) : gauge(g) {
            gauge.fetch_add(1, std::memory_order_relaxed);
        }
        ~Waiting() { gauge.fetch_sub(1, std::memory_order_relaxed); }
    } waiting(counters_.coalesced_waiting);
    wait->timer.expires_after(shared_.config.cache.lock_timeout);
    shared_.store.wait(flight, [wait, executor](cache::ObjectPtr object) {
        asio::post(executor, [wait, object = std::move(object)]() mutable {
            wait->result = std::move(object);
            wait->done = true;
            wait->timer.cancel();
        });
    });
    co_await wait->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return wait->done ? wait->result : nullptr;
}

void Pipeline::start_refresh(Task& t) {
    const rules::Decision& d = t.decision;
    if (!t.refreshing) return;  // a refresh (or a miss) for this variant is already on its way
    obs::Counters::bump(counters_.background_refreshes);
    // The request's views die with this request: the job owns copies. It sends what a miss
    // would (the anonymous request), revalidating when the stored object has validators.
    auto job = std::make_shared<FetchJob>();
    job->head = forward_head(t.anonymous->get(), t.client.ip, true, t.tx.request_id);
    if (t.object->meta.parsed &&
        (t.object->meta.has_etag || t.object->meta.last_modified.has_value())) {
        std::string validators;
        for (const auto& [name, value] : cache::revalidation_headers(*t.object))
            validators.append(name).append(": ").append(value).append("\r\n");
        job->head.insert(job->head.size() - 2, validators);
        job->revalidate = true;
        job->stale = t.object;
    }
    job->sent = forwarded_fields(job->head);
    job->key = t.key;
    job->hash_key = job->key.text;
    job->url = t.object->url();
    job->url_query = t.object->url_query();
    job->buffer_limit = shared_.config.upstream.buffer_size;
    if (t.rule_policy) job->own_policy.emplace(*t.rule_policy);
    job->policy = job->own_policy ? &*job->own_policy : t.policy;
    job->strip_set_cookie = d.strip_set_cookie;
    job->rule_name = std::string(d.rule_name);
    job->own_flight.emplace(shared_.store, std::move(t.refreshing));
    job->flight = &*job->own_flight;
    // The completion handler holds the pipeline's owner until the refresh has ended.
    asio::co_spawn(t.executor, refresh(std::move(job)),
                   [owner = owner_.lock()](const std::exception_ptr&) {});
}

asio::awaitable<void> Pipeline::refresh(std::shared_ptr<FetchJob> job) {
    Fetched fetched;
    co_await fetch_and_store(*job, fetched);
    if (fetched.error != upstream::UpstreamError::None || fetched.app_failed || !fetched.complete) {
        if (!fetched.complete) fetched.exchange->finish();
        spdlog::debug("background refresh of {} failed: {} (status {})", job->key.text,
                      upstream::to_string(fetched.error),
                      fetched.error == upstream::UpstreamError::None
                          ? fetched.exchange->status()
                          : upstream::status_for(fetched.error));
    }
    // The stale object stays until its windows close; the flight ends with the job.
}

}  // namespace larder::proxy
