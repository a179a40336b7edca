// The miss step with request coalescing, and the background refresh of grace mode.
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "flight_guard.hpp"
#include "larder/proxy/messages.hpp"
#include "larder/proxy/pipeline.hpp"

namespace larder::proxy {

namespace asio = boost::asio;

asio::awaitable<void> Pipeline::miss(const http::Request& request, Attempt& attempt,
                                     const ClientInfo& client, ResponseWriter& writer,
                                     Transaction& tx, bool& keep_alive) {
    const rules::Decision& decision = attempt.decision;
    cache::CoalescingTable::Ticket ticket = shared_.flights.join(decision.key);
    if (ticket.leader) {
        obs::Counters::bump(counters_.cache_misses);
        tx.cache_status = CacheStatus::Miss;
        FlightGuard guard(shared_.flights, std::move(ticket.flight));
        attempt.flight = &guard;
        co_await fetch(request, attempt, client, writer, tx, keep_alive);
        co_return;
    }
    cache::ObjectPtr shared = co_await wait_for_leader(ticket.flight);
    // The leader's object answers this request too, unless it is an RFC 9111 Vary variant (it
    // may be another variant than this request selects) or the client's own directives forbid
    // it. Under a rule's forced TTL, Vary is the rule's business (see fetch.cpp): always shared.
    bool other_variant = shared && decision.follow_origin && !shared->meta.vary.empty();
    if (shared && !other_variant && !attempt.request_no_store) {
        obs::Counters::bump(counters_.cache_coalesced);
        tx.cache_status = CacheStatus::Coalesced;
        co_await deliver(shared, request, writer, tx, keep_alive, 0);
        co_return;
    }
    // The leader's answer could not be shared, or it took longer than lock_timeout: fetch alone
    // (a visitor with cookies as a pass: the shared fetch would not be their page).
    if (attempt.visitor_stripped) attempt.cacheable = false;
    obs::Counters::bump(counters_.cache_misses);
    tx.cache_status = CacheStatus::Miss;
    co_await fetch(request, attempt, client, writer, tx, keep_alive);
}

asio::awaitable<cache::ObjectPtr> Pipeline::wait_for_leader(
    const std::shared_ptr<cache::Flight>& flight) {
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
    wait->timer.expires_after(shared_.config.cache.lock_timeout);
    shared_.flights.wait(flight, [wait, executor](cache::ObjectPtr object) {
        asio::post(executor, [wait, object = std::move(object)]() mutable {
            wait->result = std::move(object);
            wait->done = true;
            wait->timer.cancel();
        });
    });
    co_await wait->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return wait->done ? wait->result : nullptr;
}

void Pipeline::refresh_in_background(const http::Request& request, const rules::Decision& decision,
                                     std::string_view client_ip,
                                     const asio::any_io_executor& executor) {
    cache::CoalescingTable::Ticket ticket = shared_.flights.join(decision.key);
    if (!ticket.leader) return;  // a refresh (or a miss) for this key is already on its way
    obs::Counters::bump(counters_.background_refreshes);
    // The request's views die with this request: the refresh owns a serialized copy. `request`
    // is the anonymous one, so the refresh sends exactly what a miss would.
    std::string head = forward_head(request, client_ip, true);
    asio::co_spawn(executor, refresh(std::move(head), decision, std::move(ticket.flight)),
                   asio::detached);
}

asio::awaitable<void> Pipeline::refresh(std::string head, rules::Decision decision,
                                        std::shared_ptr<cache::Flight> flight) {
    FlightGuard guard(shared_.flights, std::move(flight));
    upstream::Exchange exchange(pool_, shared_.config.server, counters_);
    // The fields sent, so a Vary response is stored under the variant they select.
    http::HeaderList sent = forwarded_fields(head);
    Fetched fetched{.request_headers = &sent, .request_time = shared_.clock.now()};
    auto error = co_await exchange.start({.head = head,
                                          .body = {},
                                          .idempotent = true,
                                          .head_request = false,
                                          .hash_key = decision.key});
    fetched.response_time = shared_.clock.now();
    std::string body;
    if (error == upstream::UpstreamError::None)
        error = co_await exchange.read_body(body, shared_.config.cache.max_object_size + 1);
    if (error != upstream::UpstreamError::None || !exchange.body_done() ||
        exchange.status() >= 500) {
        exchange.finish();
        spdlog::debug("background refresh of {} failed: {} (status {})", decision.key,
                      upstream::to_string(error),
                      error == upstream::UpstreamError::None ? exchange.status()
                                                             : upstream::status_for(error));
        co_return;  // the stale object stays until its windows close
    }
    exchange.finish();
    std::optional<cache::NoCacheReason> refusal;
    cache::ObjectPtr object = admit(exchange, std::move(body), &decision, fetched, refusal);
    guard.complete(refusal ? nullptr : object);
}

}  // namespace larder::proxy
