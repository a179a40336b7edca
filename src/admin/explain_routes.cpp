#include "larder/admin/explain_routes.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "larder/explain/explain.hpp"

namespace larder::admin {

namespace {
// The router hands parameters decoded; explain_route() reads a query string: encode them again.
std::string query_string(const AdminRequest& request) {
    std::string out;
    for (const auto& [name, value] : request.query) {
        if (!out.empty()) out.push_back('&');
        out += boost::urls::encode(name, boost::urls::unreserved_chars);
        out.push_back('=');
        out += boost::urls::encode(value, boost::urls::unreserved_chars);
    }
    return out;
}
}  // namespace

AdminResponse handle_explain(const AdminRequest& request, const ExplainSources& sources) {
    boost::json::value answer = explain::explain_route(
        query_string(request), sources.config, sources.rules, sources.store, sources.clock.now());
    if (answer.is_object() && answer.as_object().contains("error")) {
        const auto& error = answer.as_object().at("error");
        return AdminResponse::error(400, "invalid_explain_request",
                                    error.is_string() ? std::string_view(error.as_string())
                                                      : std::string_view("bad query"));
    }
    return AdminResponse::json(answer);
}

void add_explain_routes(Router& router, const proxy::CurrentGeneration& generations,
                        cache::Store& store, const obs::Clock& clock) {
    router.add(
        "GET", "/explain",
        [&generations, &store, &clock](const AdminRequest& request) {
            proxy::GenerationPtr pinned = generations.get();
            return handle_explain(
                request,
                {.config = pinned->config, .rules = pinned->rules, .store = store, .clock = clock});
        },
        RouteAccess::Token, "which rule decides a URL, why, its key and what is stored for it");
}

}  // namespace larder::admin
