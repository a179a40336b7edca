#include "larder/explain/explain.hpp"

#include <boost/json/array.hpp>
#include <string>

#include "larder/http/cookies.hpp"
#include "larder/rules/explanation.hpp"

namespace larder::explain {

namespace json = boost::json;
using namespace std::string_literals;

namespace {

// A JSON string for bytes from a request or a config: bytes outside ASCII are read as Latin-1
// (each becomes U+0080..U+00FF), so the value is valid UTF-8 whatever the client sent.
json::string text(std::string_view bytes) {
    json::string out;
    out.reserve(bytes.size());
    for (unsigned char c : bytes) {
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back(static_cast<char>(0xc0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
        }
    }
    return out;
}

std::string quoted(std::string_view s) {
    return "\"" + std::string(s) + "\"";
}

std::string list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + quoted(items[i]);
    return out + "]";
}

std::string_view visitor_name(config::Visitor v) {
    switch (v) {
        case config::Visitor::Any:
            return "any";
        case config::Visitor::Anonymous:
            return "anonymous";
        case config::Visitor::Authenticated:
            return "authenticated";
    }
    return "any";
}

std::string_view kind_name(rules::VisitorKind k) {
    switch (k) {
        case rules::VisitorKind::Anonymous:
            return "anonymous";
        case rules::VisitorKind::Personal:
            return "personal";
        case rules::VisitorKind::LoggedIn:
            return "logged_in";
    }
    return "anonymous";
}

std::string describe(const config::Condition& c) {
    std::string out = quoted(c.name);
    switch (c.kind) {
        case config::Condition::Kind::Present:
            return out + " is present";
        case config::Condition::Kind::Absent:
            return out + " is absent";
        case config::Condition::Kind::Empty:
            return out + " is empty";
        case config::Condition::Kind::Equals:
            return out + " equals " + quoted(c.value);
        case config::Condition::Kind::Regex:
            return out + " matches " + quoted(c.value);
    }
    return out;
}

const config::Condition* condition_at(const std::vector<config::Condition>& all, std::size_t i) {
    return i < all.size() ? &all[i] : nullptr;
}

std::string why_not(const rules::RuleMiss& miss, const config::RuleConfig& rule,
                    const http::Request& request, const rules::VisitorClass& visitor) {
    using rules::Mismatch;
    auto condition = [&](const char* what, const std::vector<config::Condition>& all) {
        const config::Condition* c = condition_at(all, miss.condition);
        return std::string(what) + " condition " + (c ? describe(*c) : "?") + " does not hold";
    };
    switch (miss.why) {
        case Mismatch::None:
            return "matched";
        case Mismatch::Method:
            return "method " + std::string(request.method_text) + " is not in methods " +
                   list(rule.methods);
        case Mismatch::Host:
            return "host " + quoted(request.host()) + " is not in hosts " + list(rule.hosts);
        case Mismatch::Path:
            return "path " + quoted(request.path) + " matches none of paths " + list(rule.paths);
        case Mismatch::PathPrefix:
            return "path " + quoted(request.path) + " starts with none of path_prefix " +
                   list(rule.path_prefixes);
        case Mismatch::PathRegex:
            return "path " + quoted(request.path) + " does not match path_regex " +
                   quoted(rule.path_regex.value_or(""));
        case Mismatch::Query:
            return condition("query", rule.query);
        case Mismatch::Header:
            return condition("header", rule.headers);
        case Mismatch::Cookie:
            return condition("cookie", rule.cookies);
        case Mismatch::Visitor: {
            std::string out =
                "the rule is for " + std::string(visitor_name(miss.wanted)) + " visitors";
            if (rule.visitor != miss.wanted)
                out +=
                    " (visitor = \"any\" reads as \"anonymous\" when [identity] is set and "
                    "ignore_cookies is false)";
            return out + "; this visitor is " + std::string(kind_name(visitor.kind)) + " (" +
                   visitor.explain() + ")";
        }
    }
    return "?";
}

std::string decision_detail(const rules::Decision& d, const config::Config& config) {
    using rules::DecisionReason;
    const std::string rule = d.rule_name.empty() ? "" : "rule " + quoted(d.rule_name) + " ";
    switch (d.reason) {
        case DecisionReason::RuleCache:
            return rule + "matched: the request is a cache candidate";
        case DecisionReason::RulePass:
            return rule + "matched and says pass";
        case DecisionReason::NoRuleMatched:
            return "no rule matched and [cache] default = " + quoted(config.cache.default_policy);
        case DecisionReason::MethodNotCacheable:
            return rule + "matched, but only GET and HEAD are served from the cache";
        case DecisionReason::RequestHasAuthorization:
            return "the request carries Authorization: its page is this visitor's alone "
                   "(checked before any rule)";
        case DecisionReason::HttpDefault:
            return "no rule matched; [cache] default = \"http\": the response's Cache-Control "
                   "decides";
        case DecisionReason::PersonalVisitor:
            return (rule.empty() ? "" : rule + "matched, but ") + "the visitor is not anonymous (" +
                   d.visitor +
                   "): a shared page is fetched without cookies, so this visitor passes";
        case DecisionReason::RequestHasBody:
            return rule + "matched, but the request has a body that a shared fetch would not send";
        case DecisionReason::ConnectionNamesFields:
            return rule +
                   "matched, but Connection names fields that are dropped before "
                   "forwarding, so the key could not describe what the app sees";
    }
    return "";
}

json::value optional_text(const std::optional<std::string_view>& v) {
    return v ? json::value(text(*v)) : json::value(nullptr);
}

template <class D>
std::int64_t ms(D d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

json::object explain(const Probe& probe, const config::Config& config, const rules::RuleSet& rules,
                     std::string* key) {
    ProbeRequest built(probe);
    const http::Request& request = built.get();
    // The daemon builds keys with "http" (see ProbeRequest::url_scheme).
    const rules::Explanation e = rules.explain(request, "http");
    const rules::Decision& d = e.decision;

    json::object answer;
    json::array cookies, headers;
    for (const auto& c : probe.cookies) cookies.push_back(text(c));
    for (const auto& h : probe.headers) headers.push_back(text(h));
    answer["request"] = {{"method", text(request.method_text)}, {"url", text(probe.url)},
                         {"host", text(request.host())},        {"path", text(request.path)},
                         {"query", text(request.query)},        {"cookies", std::move(cookies)},
                         {"headers", std::move(headers)}};

    json::array verdicts;
    std::size_t next_skip = 0;
    for (std::size_t i = 0; i < config.rules.size(); ++i) {
        const config::RuleConfig& rc = config.rules[i];
        json::object v{{"index", i + 1},
                       {"name", text(rc.name)},
                       {"line", rc.line > 0 ? json::value(rc.line) : json::value(nullptr)}};
        if (next_skip < e.skipped.size() && e.skipped[next_skip].rule == i) {
            const rules::RuleMiss& miss = e.skipped[next_skip++];
            v["verdict"] = "skipped";
            v["why_not"] = rules::to_string(miss.why);
            v["detail"] = text(why_not(miss, rc, request, e.visitor));
        } else if (e.matched && *e.matched == i) {
            v["verdict"] = "matched";
        } else {
            v["verdict"] = "not_reached";
        }
        verdicts.push_back(std::move(v));
    }
    answer["rules"] = std::move(verdicts);

    const bool cache = d.action == rules::Action::Cache;
    answer["decision"] = {
        {"action", cache ? "cache" : "pass"},
        {"reason", rules::to_string(d.reason)},
        {"rule", d.rule_name.empty() ? json::value(nullptr) : json::value(text(d.rule_name))},
        {"why", text(d.why())},
        {"detail", text(decision_detail(d, config))}};

    answer["visitor"] = {{"kind", kind_name(e.visitor.kind)},
                         {"reason", rules::to_string(e.visitor.reason)},
                         {"detail", text(e.visitor.detail)},
                         {"summary", text(e.visitor.explain())}};

    answer["key"] = cache ? json::value(text(d.key)) : json::value(nullptr);
    if (key) *key = d.key;
    json::array forwarded;
    if (cache && d.forwarded_cookies)
        for (const auto& name : *d.forwarded_cookies)
            forwarded.push_back(
                {{"name", text(name)},
                 {"value", optional_text(http::find_cookie(request.headers, name))}});
    answer["forwarded_cookies"] = std::move(forwarded);
    if (cache)
        answer["freshness"] = {
            {"follows_origin", d.follow_origin},
            {"ttl_ms", d.follow_origin ? json::value(nullptr) : json::value(d.ttl.count())},
            {"grace_ms", d.grace.count()},
            {"stale_if_error_ms", d.stale_if_error.count()}};
    else
        answer["freshness"] = nullptr;
    return answer;
}

void add_stored(json::object& answer, const std::optional<cache::StoredKey>& stored,
                obs::TimePoint now) {
    if (!stored) {
        answer["stored"] = nullptr;
        return;
    }
    json::array variants;
    for (const auto& v : stored->variants) {
        const char* state = now < v.expires_at                             ? "fresh"
                            : now < std::max(v.grace_until, v.error_until) ? "stale"
                                                                           : "expired";
        variants.push_back(
            {{"secondary", text(v.secondary)},
             {"status", v.status},
             {"state", state},
             {"age_ms", ms(now - v.stored_at)},
             {"ttl_left_ms", ms(v.expires_at - now)},
             {"grace_left_ms", std::max<std::int64_t>(0, ms(v.grace_until - now))},
             {"stale_if_error_left_ms", std::max<std::int64_t>(0, ms(v.error_until - now))},
             {"body_bytes", v.body_bytes},
             {"charge_bytes", v.charge},
             {"policy", v.http_policy ? "http" : "rule"},
             {"etag", text(v.etag)},
             {"rule", text(v.rule_name)},
             {"tags", text(v.tags)},
             {"referenced", v.referenced}});
    }
    json::value marker = nullptr;
    if (stored->hit_for_pass_until && now < *stored->hit_for_pass_until)
        marker = ms(*stored->hit_for_pass_until - now);
    answer["stored"] = {{"vary", text(stored->vary)},
                        {"flights", stored->flights},
                        {"hit_for_pass_ms", marker},
                        {"variants", std::move(variants)}};
}

json::value explain_route(std::string_view query, const config::Config& config,
                          const rules::RuleSet& rules, cache::Store& store, obs::TimePoint now) {
    try {
        std::string key;
        json::object answer = explain(probe_from_query_string(query), config, rules, &key);
        std::optional<cache::StoredKey> stored;
        if (!key.empty()) stored = store.inspect(cache::Key::from(std::move(key)));
        add_stored(answer, stored, now);
        return answer;
    } catch (const ProbeError& e) {
        return json::object{{"error", text(e.what())}};
    }
}

}  // namespace larder::explain
