#include "larder/rules/ruleset.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "larder/http/cookies.hpp"
#include "larder/rules/condition.hpp"
#include "larder/rules/glob.hpp"
#include "larder/rules/host.hpp"
#include "larder/rules/identity.hpp"
#include "larder/rules/key_template.hpp"
#include "larder/rules/query.hpp"
#include "larder/rules/regex.hpp"

namespace larder::rules {

namespace {

using config::Visitor;

std::uint32_t method_bit(http::Method m) {
    return 1u << static_cast<unsigned>(m);
}

struct CompiledRule {
    std::string name;

    bool any_method = false;
    std::uint32_t method_mask = 0;           // known methods
    std::vector<std::string> other_methods;  // extension methods, compared as sent
    std::vector<Glob> paths;
    std::vector<std::string> path_prefixes;
    std::optional<Regex> path_regex;
    std::vector<std::string> hosts;  // lower-case, no port
    std::vector<Condition> query;
    std::vector<Condition> cookies;
    std::vector<Condition> headers;
    Visitor visitor = Visitor::Any;  // effective (see ruleset.hpp)

    bool pass = false;
    std::chrono::milliseconds ttl{0};
    std::chrono::milliseconds grace{0};
    std::chrono::milliseconds stale_if_error{0};
    bool follow_origin = false;  // cache = "origin"
    KeyTemplate key;
    std::vector<std::string> vary_cookies;
    bool ignore_cookies = false;
    std::vector<std::string> forwarded_cookies;  // the key's cookies and vary_cookies
    bool strip_set_cookie = false;
    QueryPolicy query_policy;
};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

QueryPolicy make_query_policy(bool sort, const std::vector<std::string>& drop) {
    QueryPolicy p;
    p.sort = sort;
    for (const auto& g : drop) p.drop.emplace_back(g);
    return p;
}

CompiledRule compile(const config::RuleConfig& rc, const config::CacheConfig& cache,
                     const Identity& identity) {
    CompiledRule r;
    r.name = rc.name;
    r.any_method = rc.methods.empty();
    for (const auto& m : rc.methods) {
        http::Method known = http::method_from_string(m);
        if (known == http::Method::Other)
            r.other_methods.push_back(m);
        else
            r.method_mask |= method_bit(known);
    }
    for (const auto& p : rc.paths) r.paths.emplace_back(p);
    r.path_prefixes = rc.path_prefixes;
    if (rc.path_regex) r.path_regex.emplace(*rc.path_regex);
    for (const auto& h : rc.hosts) r.hosts.push_back(lower(host_without_port(h)));
    for (const auto& c : rc.query) r.query.emplace_back(c);
    for (const auto& c : rc.cookies) r.cookies.emplace_back(c);
    for (const auto& c : rc.headers) r.headers.emplace_back(c);

    r.follow_origin = rc.ttl_from_origin && !rc.pass;
    r.pass = rc.pass || (!rc.ttl && !r.follow_origin);  // a rule without an action never caches
    if (rc.ttl) r.ttl = *rc.ttl;
    if (!r.pass && !r.follow_origin && r.ttl.count() <= 0)
        throw std::invalid_argument("ttl must be positive");

    r.visitor = rc.visitor;
    if (!r.pass && rc.visitor == Visitor::Any && !rc.ignore_cookies && identity.knows_visitors())
        r.visitor = Visitor::Anonymous;
    r.ignore_cookies = rc.ignore_cookies;

    r.key = KeyTemplate(rc.key ? std::string_view(*rc.key) : KeyTemplate::kDefault);
    r.vary_cookies = rc.vary_cookies;
    r.forwarded_cookies = r.key.cookie_names();
    for (const auto& c : rc.vary_cookies)
        if (std::find(r.forwarded_cookies.begin(), r.forwarded_cookies.end(), c) ==
            r.forwarded_cookies.end())
            r.forwarded_cookies.push_back(c);
    r.strip_set_cookie = rc.strip_set_cookie;
    r.grace = rc.grace.value_or(cache.grace);
    r.stale_if_error = rc.stale_if_error.value_or(cache.stale_if_error);
    r.query_policy = make_query_policy(rc.sort_query.value_or(cache.sort_query),
                                       rc.drop_query ? *rc.drop_query : cache.drop_query);
    return r;
}

std::string rule_label(const config::RuleConfig& rc, std::size_t index) {
    std::string label = "rule " + std::to_string(index + 1);
    if (!rc.name.empty()) label += " \"" + rc.name + "\"";
    if (rc.line > 0) label += " (line " + std::to_string(rc.line) + ")";
    return label;
}

}  // namespace

struct RuleSet::Impl {
    explicit Impl(const config::Config& config)
        : identity(config.identity),
          http_default(config.cache.default_policy == "http"),
          default_key(KeyTemplate::kDefault),
          default_query_policy(
              make_query_policy(config.cache.sort_query, config.cache.drop_query)) {
        rules.reserve(config.rules.size());
        for (std::size_t i = 0; i < config.rules.size(); ++i) {
            try {
                rules.push_back(compile(config.rules[i], config.cache, identity));
            } catch (const std::exception& e) {
                throw std::invalid_argument(rule_label(config.rules[i], i) + ": " + e.what());
            }
        }
    }

    // The first matcher of `r` that fails for `req` (Mismatch::None: the rule matches), and the
    // index of the failing condition. One function for decide() and explain().
    struct Miss {
        Mismatch why = Mismatch::None;
        std::uint32_t condition = 0;
    };
    // Inlined into each evaluate() (a call per rule measurably slowed decide()).
    [[gnu::always_inline]] Miss first_mismatch(const CompiledRule& r, const http::Request& req,
                                               std::optional<VisitorClass>& visitor) const;
    // decide()'s logic; `on_skip(index, miss)` is called for each rule that did not match.
    template <class OnSkip>
    [[gnu::always_inline]] Decision evaluate(const http::Request& request, std::string_view scheme,
                                             OnSkip&& on_skip, std::size_t* matched) const;
    const VisitorClass& classify(const http::Request& req,
                                 std::optional<VisitorClass>& visitor) const {
        if (!visitor)  // a request without cookies is anonymous without a scan
            visitor =
                req.has(http::Field::Cookie) ? identity.classify(req.headers) : VisitorClass{};
        return *visitor;
    }
    Decision cache(const CompiledRule& r, const http::Request& req, std::string_view scheme) const;

    Identity identity;
    bool http_default;  // [cache] default = "http"
    KeyTemplate default_key;
    QueryPolicy default_query_policy;
    std::vector<std::string> no_cookies;  // what `default = "http"` forwards on a fetch
    std::vector<CompiledRule> rules;
};

inline RuleSet::Impl::Miss RuleSet::Impl::first_mismatch(
    const CompiledRule& r, const http::Request& req, std::optional<VisitorClass>& visitor) const {
    if (!r.any_method) {
        bool ok = req.method == http::Method::Other
                      ? std::find(r.other_methods.begin(), r.other_methods.end(),
                                  req.method_text) != r.other_methods.end()
                      : (r.method_mask & method_bit(req.method)) != 0;
        if (!ok) return {Mismatch::Method};
    }
    if (!r.hosts.empty()) {
        std::string_view host = host_without_port(req.host());
        bool ok = false;
        for (const auto& h : r.hosts) ok = ok || http::iequals(host, h);
        if (!ok) return {Mismatch::Host};
    }
    if (!r.paths.empty() && !any_matches(r.paths, req.path)) return {Mismatch::Path};
    if (!r.path_prefixes.empty()) {
        bool ok = false;
        for (const auto& p : r.path_prefixes) ok = ok || req.path.starts_with(p);
        if (!ok) return {Mismatch::PathPrefix};
    }
    if (r.path_regex && !r.path_regex->search(req.path)) return {Mismatch::PathRegex};
    // Range loops (the bounds are loaded once); the index is only computed on a mismatch.
    auto index = [](const std::vector<Condition>& all, const Condition& c) {
        return static_cast<std::uint32_t>(&c - all.data());
    };
    for (const auto& c : r.query)
        if (!c.holds_in_query(req.query)) return {Mismatch::Query, index(r.query, c)};
    for (const auto& c : r.headers)
        if (!c.holds_in_headers(req.headers)) return {Mismatch::Header, index(r.headers, c)};
    for (const auto& c : r.cookies)
        if (!c.holds_in_cookies(req.headers)) return {Mismatch::Cookie, index(r.cookies, c)};
    if (r.visitor != Visitor::Any) {
        // A visitor with personal state is not logged in: "anonymous" rules match, and then
        // pass them (see decide()).
        bool logged_in = classify(req, visitor).kind == VisitorKind::LoggedIn;
        if (logged_in != (r.visitor == Visitor::Authenticated)) return {Mismatch::Visitor};
    }
    return {};
}

Decision RuleSet::Impl::cache(const CompiledRule& r, const http::Request& req,
                              std::string_view scheme) const {
    Decision d;
    d.action = Action::Cache;
    d.reason = DecisionReason::RuleCache;
    d.rule_name = r.name;
    d.ttl = r.ttl;
    d.strip_set_cookie = r.strip_set_cookie;
    d.grace = r.grace;
    d.stale_if_error = r.stale_if_error;
    d.follow_origin = r.follow_origin;
    d.forwarded_cookies = &r.forwarded_cookies;
    std::size_t hint = r.key.size_hint(req);
    for (const auto& c : r.vary_cookies) hint += c.size() + 2 + 32;
    d.key.reserve(hint);
    r.key.expand(d.key, req, scheme, r.query_policy);
    for (const auto& c : r.vary_cookies) {
        d.key.push_back('\x1f');
        d.key.append(c);
        d.key.push_back('=');
        d.key.append(http::find_cookie(req.headers, c).value_or(std::string_view{}));
    }
    return d;
}

RuleSet::RuleSet(const config::Config& config) : impl_(std::make_unique<Impl>(config)) {}

RuleSet::~RuleSet() = default;

std::string RuleSet::url_of(std::string_view scheme, std::string_view host, std::string_view path) {
    std::string url;
    url.reserve(scheme.size() + 3 + host.size() + path.size());
    url.append(scheme).append("://");
    append_key_host(url, host, scheme);
    url.append(path);
    return url;
}

std::string RuleSet::normalised_query(std::string_view rule_name, std::string_view query) const {
    const QueryPolicy* policy = &impl_->default_query_policy;
    for (const auto& r : impl_->rules)
        if (r.name == rule_name) policy = &r.query_policy;
    std::string out;
    append_normalised_query(out, query, *policy);
    return out;
}

namespace {
// Whether a Connection field lists anything but the connection options themselves.
bool names_fields(std::string_view connection) {
    bool names = false;
    while (!connection.empty() && !names) {
        auto comma = connection.find(',');
        auto token = http::trim_ows(connection.substr(0, comma));
        names = !token.empty() && !http::iequals(token, "keep-alive") &&
                !http::iequals(token, "close") && !http::iequals(token, "upgrade") &&
                !http::iequals(token, "te");
        connection =
            comma == std::string_view::npos ? std::string_view() : connection.substr(comma + 1);
    }
    return names;
}

Decision personal(const VisitorClass& v, std::string_view rule_name,
                  std::uint32_t rule_index = Decision::kNoRule) {
    Decision d;
    d.reason = DecisionReason::PersonalVisitor;
    d.rule_name = rule_name;
    d.rule_index = rule_index;
    d.visitor = v.explain();
    return d;
}
}  // namespace

template <class OnSkip>
inline Decision RuleSet::Impl::evaluate(const http::Request& request, std::string_view scheme,
                                        OnSkip&& on_skip, std::size_t* matched) const {
    Decision d;
    // Credentials make the page this visitor's alone, and a shared fetch never carries them.
    if (request.has(http::Field::Authorization)) {
        d.reason = DecisionReason::RequestHasAuthorization;
        return d;
    }
    const bool safe_method =
        request.method == http::Method::Get || request.method == http::Method::Head;
    // What a shared fetch cannot reproduce makes a cache candidate pass (see decision.hpp).
    auto unshareable = [&]() -> std::optional<DecisionReason> {
        if (!request.body.empty()) return DecisionReason::RequestHasBody;
        if (auto c = request.field(http::Field::Connection); c && names_fields(*c))
            return DecisionReason::ConnectionNamesFields;
        return std::nullopt;
    };
    std::optional<VisitorClass> visitor;  // classified once, on first need
    for (const CompiledRule& r : rules) {
        const auto i = static_cast<std::uint32_t>(&r - rules.data());
        if (Miss miss = first_mismatch(r, request, visitor); miss.why != Mismatch::None) {
            on_skip(i, miss);
            continue;
        }
        if (matched) *matched = i;
        d.rule_name = r.name;
        d.rule_index = i;
        if (r.pass) {
            d.reason = DecisionReason::RulePass;
            return d;
        }
        if (!safe_method) {
            d.reason = DecisionReason::MethodNotCacheable;
            return d;
        }
        // The shared page is fetched without cookies: a visitor whose page would differ passes
        // (a logged-in visitor reaches here only through visitor = "authenticated").
        if (!r.ignore_cookies) {
            // Without [identity], whether a cookie is undeclared depends on the rule's key.
            std::optional<VisitorClass> own;
            if (!identity.knows_visitors() && request.has(http::Field::Cookie))
                own = identity.classify(request.headers, r.forwarded_cookies);
            const VisitorClass& v = own ? *own : classify(request, visitor);
            if (v.kind == VisitorKind::Personal ||
                (v.kind == VisitorKind::LoggedIn && r.visitor != Visitor::Authenticated))
                return personal(v, r.name, i);
        }
        if (auto why = unshareable()) {
            d.reason = *why;
            return d;
        }
        Decision cached = cache(r, request, scheme);
        cached.rule_index = i;
        return cached;
    }
    if (http_default && safe_method) {
        const VisitorClass& v = classify(request, visitor);
        if (v.kind != VisitorKind::Anonymous) return personal(v, {});
        if (auto why = unshareable()) {
            d.reason = *why;
            return d;
        }
        d.action = Action::Cache;
        d.reason = DecisionReason::HttpDefault;
        d.follow_origin = true;
        d.forwarded_cookies = &no_cookies;
        d.key.reserve(default_key.size_hint(request));
        default_key.expand(d.key, request, scheme, default_query_policy);
        return d;
    }
    // A visitor turned away from a caching rule by who they are: say so, not "no rule matched".
    if (visitor && visitor->kind != VisitorKind::Anonymous) return personal(*visitor, {});
    d.reason = DecisionReason::NoRuleMatched;
    return d;
}

Decision RuleSet::decide(const http::Request& request, std::string_view scheme) const {
    return impl_->evaluate(
        request, scheme, [](std::size_t, Impl::Miss) {}, nullptr);
}

Explanation RuleSet::explain(const http::Request& request, std::string_view scheme) const {
    Explanation e;
    std::size_t matched = impl_->rules.size();
    e.decision = impl_->evaluate(
        request, scheme,
        [&](std::size_t i, Impl::Miss miss) {
            e.skipped.push_back({.rule = i,
                                 .why = miss.why,
                                 .condition = miss.condition,
                                 .wanted = impl_->rules[i].visitor});
        },
        &matched);
    if (matched < impl_->rules.size()) e.matched = matched;
    if (request.has(http::Field::Cookie)) {
        static const std::vector<std::string> none;
        e.visitor = impl_->identity.classify(
            request.headers, e.matched ? impl_->rules[*e.matched].forwarded_cookies : none);
    }
    return e;
}

}  // namespace larder::rules
