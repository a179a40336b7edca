#include "larder/admin/purge_routes.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "larder/proxy/purge.hpp"

namespace larder::admin {

namespace json = boost::json;

namespace {

AdminResponse invalid_body(std::string_view message) {
    return AdminResponse::error(400, "invalid_body", message);
}

}  // namespace

AdminResponse handle_purge(const AdminRequest& request, const PurgeSources& sources) {
    json::error_code ec;
    json::value body = json::parse(request.body, ec);
    if (ec || !body.is_object())
        return invalid_body(
            "expected a JSON object such as {\"url\": \"http://example.com/page\"}");
    const json::object& fields = body.as_object();
    proxy::PurgeOrder order;
    int named = 0;
    for (const auto& [name, kind] :
         {std::pair{"url", cache::PurgeKind::Url}, std::pair{"tag", cache::PurgeKind::Tag},
          std::pair{"prefix", cache::PurgeKind::Prefix},
          std::pair{"pattern", cache::PurgeKind::Pattern}}) {
        const json::value* v = fields.if_contains(name);
        if (!v) continue;
        if (!v->is_string()) return invalid_body(std::string("\"") + name + "\" must be a string");
        order.kind = kind;
        order.value = std::string(v->as_string());
        ++named;
    }
    if (named != 1)
        return invalid_body("name exactly one of \"url\", \"tag\", \"prefix\", \"pattern\"");
    if (const json::value* soft = fields.if_contains("soft")) {
        if (!soft->is_bool()) return invalid_body("\"soft\" must be true or false");
        order.soft = soft->as_bool();
    }
    for (const auto& field : fields) {
        const std::string_view name = field.key();
        if (name != "url" && name != "tag" && name != "prefix" && name != "pattern" &&
            name != "soft")
            return invalid_body("unknown field \"" + std::string(name) + "\"");
    }

    proxy::PreparedPurge prepared = proxy::prepare_purge(sources.rules, order);
    if (!prepared.purge) {
        std::string message = "cannot purge \"" + order.value + "\"";
        if (!prepared.detail.empty()) message += ": " + prepared.detail;
        return AdminResponse::error(400, proxy::to_string(prepared.error), message);
    }
    const cache::PurgeResult result =
        sources.store.purge(std::move(*prepared.purge), sources.clock.now());
    if (result.refusal != cache::PurgeRefusal::None)
        return AdminResponse::error(429, cache::to_string(result.refusal),
                                    "too many purges are still remembered; retry shortly");
    sources.counters.count(order.kind, result.objects);
    spdlog::info("purge {} {}{}: {} objects (id {})", obs::to_string(order.kind), order.value,
                 order.soft ? " (soft)" : "", result.objects, result.id);
    if (sources.on_applied) sources.on_applied(order);
    return AdminResponse::json(json::object{{"kind", obs::to_string(order.kind)},
                                            {"soft", order.soft},
                                            {"purged", result.objects},
                                            {"id", result.id}});
}

void add_purge_routes(Router& router, const proxy::CurrentGeneration& generations,
                      cache::Store& store, const obs::Clock& clock, obs::PurgeCounters& counters,
                      std::function<void(const proxy::PurgeOrder&)> on_applied) {
    router.add(
        "POST", "/purge",
        [&generations, &store, &clock, &counters,
         on_applied = std::move(on_applied)](const AdminRequest& request) {
            proxy::GenerationPtr pinned = generations.get();
            return handle_purge(request, {.rules = pinned->rules,
                                          .store = store,
                                          .clock = clock,
                                          .counters = counters,
                                          .on_applied = on_applied});
        },
        RouteAccess::Token, "purge by url, tag, prefix or pattern; \"soft\": true marks stale");
}

}  // namespace larder::admin
