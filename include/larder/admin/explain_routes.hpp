// admin::add_explain_routes: GET /explain on the admin API — the JSON `larder explain --admin`
// prints (docs/operations.md, "Why is this page not cached?").
//
// Query parameters as the CLI takes them: url (required), method, cookie and header (each may
// repeat). The answer is explain::explain_route(): which rule matches and why each earlier one
// does not, the identity verdict, the key, and what the store holds for it. A bad query is 400
// with the explain module's error text.
#pragma once

#include "larder/admin/router.hpp"
#include "larder/cache/store.hpp"
#include "larder/config/config.hpp"
#include "larder/obs/clock.hpp"
#include "larder/proxy/generation.hpp"
#include "larder/rules/ruleset.hpp"

namespace larder::admin {

struct ExplainSources {
    const config::Config& config;
    const rules::RuleSet& rules;
    cache::Store& store;
    const obs::Clock& clock;
};

// Each request is explained with the config and rules of the generation in use when it arrives
// (a reload changes them). Everything passed must outlive the router.
void add_explain_routes(Router& router, const proxy::CurrentGeneration& generations,
                        cache::Store& store, const obs::Clock& clock);

AdminResponse handle_explain(const AdminRequest& request, const ExplainSources& sources);

}  // namespace larder::admin
