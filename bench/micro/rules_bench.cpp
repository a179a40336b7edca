// Microbenchmarks for rules::RuleSet::decide() on a 5-rule config shaped like the seed case:
// an anonymous visitor hitting a cacheable page, a logged-in visitor known only by a Flask
// session cookie (compressed and plain), a request that matches no rule, and key building
// with query normalisation (drop utm_* / fbclid, sort).
#include <benchmark/benchmark.h>

#include <deque>
#include <string>

#include "larder/rules/query.hpp"
#include "larder/rules/ruleset.hpp"

namespace {

using namespace larder;
using namespace std::chrono_literals;

// Real Flask 2.2 cookies (secret "test-secret-key"); see tests/unit/rules/flask_cookies.hpp.
constexpr std::string_view kUserCookie =
    "eyJfdXNlcl9pZCI6IjQyIiwiX2ZyZXNoIjp0cnVlLCJjc3JmX3Rva2VuIjoiYWJjIn0.awW3IQ."
    "kL4jtS9VViVztLDFhKDnKqrZcqE";
constexpr std::string_view kCompressedUserCookie =
    ".eJzt0TkKgEAQRNG7dGww5e5cRUQcFBEFwQUEmbsr0uUZDKzk08lL-pR6X7ulHlqxAmMggbhpdvd1_PvU7s9sTb-"
    "KLU8ZxRofPIU21EbaWJtoU22mzbUFnRekCJKgCaKgCrKgC8IofOUvczj1wQ.awW3IQ."
    "6CRDmDNeHrf_ewRZVlyzH63ba0o";

config::Config five_rules(bool secret) {
    config::Config c;
    c.cache.sort_query = true;
    c.cache.drop_query = {"utm_*", "fbclid", "gclid"};
    c.identity.cookies = {"remember_token"};
    config::FlaskSessionConfig f;
    if (secret) f.secret_key = "test-secret-key";
    c.identity.flask_session = f;

    config::RuleConfig admin;
    admin.name = "admin";
    admin.path_prefixes = {"/admin/", "/login", "/logout"};
    admin.pass = true;
    config::RuleConfig statics;
    statics.name = "static";
    statics.path_prefixes = {"/static/"};
    statics.ttl = 1h;
    statics.ignore_cookies = true;
    config::RuleConfig api;
    api.name = "api";
    api.path_regex = "^/api/v[0-9]+/public/";
    api.ttl = 10s;
    config::RuleConfig preview;
    preview.name = "preview";
    preview.query = {{"preview", config::Condition::Kind::Present, {}}};
    preview.pass = true;
    config::RuleConfig pages;
    pages.name = "anonymous pages";
    pages.paths = {"/", "/about", "/project/*", "/blog/*"};
    pages.visitor = config::Visitor::Anonymous;
    pages.ttl = 60s;
    pages.strip_set_cookie = true;
    pages.vary_cookies = {"lang"};
    c.rules = {admin, statics, api, preview, pages};
    return c;
}

struct Req {
    std::deque<std::string> store;
    http::Request r;
    Req(std::string_view target, std::string_view cookie) {
        auto keep = [&](std::string_view s) -> std::string_view { return store.emplace_back(s); };
        r.method_text = "GET";
        r.target = keep(target);
        auto q = r.target.find('?');
        r.path = r.target.substr(0, q);
        r.query = q == std::string_view::npos ? std::string_view{} : r.target.substr(q + 1);
        r.headers.add("Host", "www.example.com");
        r.headers.add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0");
        r.headers.add("Accept", "text/html,application/xhtml+xml");
        r.headers.add("Accept-Language", "en-GB,en;q=0.5");
        if (!cookie.empty()) r.headers.add("Cookie", keep(cookie));
    }
};

void run(benchmark::State& state, const rules::RuleSet& rs, const Req& req,
         rules::Action expected) {
    for (auto _ : state) {
        auto d = rs.decide(req.r);
        if (d.action != expected) state.SkipWithError("unexpected decision");
        benchmark::DoNotOptimize(d);
    }
}

void BM_AnonymousHit(benchmark::State& state) {
    rules::RuleSet rs(five_rules(false));
    Req req("/project/42", "_ga=GA1.2.1234567.1700000000; lang=en; _gid=GA1.2.99");
    run(state, rs, req, rules::Action::Cache);
}
BENCHMARK(BM_AnonymousHit);

void BM_AuthenticatedFlaskSession(benchmark::State& state) {
    rules::RuleSet rs(five_rules(false));
    Req req("/project/42", "_ga=GA1.2.1234567.1700000000; session=" + std::string(kUserCookie));
    run(state, rs, req, rules::Action::Pass);
}
BENCHMARK(BM_AuthenticatedFlaskSession);

void BM_AuthenticatedFlaskSessionCompressed(benchmark::State& state) {
    rules::RuleSet rs(five_rules(false));
    Req req("/project/42", "session=" + std::string(kCompressedUserCookie));
    run(state, rs, req, rules::Action::Pass);
}
BENCHMARK(BM_AuthenticatedFlaskSessionCompressed);

void BM_AuthenticatedFlaskSessionSigned(benchmark::State& state) {
    rules::RuleSet rs(five_rules(true));
    Req req("/project/42", "session=" + std::string(kUserCookie));
    run(state, rs, req, rules::Action::Pass);
}
BENCHMARK(BM_AuthenticatedFlaskSessionSigned);

void BM_NoRuleMatched(benchmark::State& state) {
    rules::RuleSet rs(five_rules(false));
    Req req("/users/42/settings", "_ga=GA1.2.1234567.1700000000");
    run(state, rs, req, rules::Action::Pass);
}
BENCHMARK(BM_NoRuleMatched);

void BM_RegexRuleHit(benchmark::State& state) {
    rules::RuleSet rs(five_rules(false));
    Req req("/api/v2/public/items?limit=10", "");
    run(state, rs, req, rules::Action::Cache);
}
BENCHMARK(BM_RegexRuleHit);

void BM_KeyWithQueryNormalisation(benchmark::State& state) {
    rules::RuleSet rs(five_rules(false));
    Req req(
        "/blog/2024/caching?utm_source=newsletter&page=2&utm_medium=email&sort=new&fbclid="
        "IwAR0abcdef&tag=c%2B%2B",
        "lang=fr");
    run(state, rs, req, rules::Action::Cache);
}
BENCHMARK(BM_KeyWithQueryNormalisation);

void BM_NormaliseQueryOnly(benchmark::State& state) {
    rules::QueryPolicy p;
    p.sort = true;
    for (const char* g : {"utm_*", "fbclid", "gclid"}) p.drop.emplace_back(g);
    std::string_view q =
        "utm_source=newsletter&page=2&utm_medium=email&sort=new&fbclid=IwAR0abcdef&tag=c%2B%2B";
    std::string out;
    out.reserve(256);
    for (auto _ : state) {
        out.clear();
        rules::append_normalised_query(out, q, p);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_NormaliseQueryOnly);

}  // namespace
