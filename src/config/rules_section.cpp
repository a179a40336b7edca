// [[rules]]: matchers and actions of each rule, in file order. A rule either caches (cache =
// "<ttl>") or passes (pass = true), never both; names are unique so logs can name the rule.
#include <algorithm>
#include <cctype>

#include "checks.hpp"
#include "sections.hpp"

namespace larder::config::detail {

namespace {

bool is_token(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
}

void read_matchers(Reader& r, RuleConfig& rule) {
    if (r.strings("methods", rule.methods, true)) {
        for (std::size_t i = 0; i < rule.methods.size(); ++i) {
            auto& method = rule.methods[i];
            if (!is_token(method)) {
                r.fail_item("methods", i,
                            "expected an HTTP method such as \"GET\", got \"" + method + '"');
            }
            std::transform(method.begin(), method.end(), method.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        }
    }
    for (auto [name, list] :
         {std::pair{"path", &rule.paths}, {"path_prefix", &rule.path_prefixes}}) {
        if (!r.strings(name, *list, true)) continue;
        for (std::size_t i = 0; i < list->size(); ++i) {
            if ((*list)[i].front() != '/') {
                r.fail_item(name, i, "must start with '/', got \"" + (*list)[i] + '"');
            }
        }
    }
    std::string regex;
    if (r.string("path_regex", regex)) {
        if (auto problem = regex_error(regex)) r.fail("path_regex", *problem);
        rule.path_regex = std::move(regex);
    }
    if (r.strings("host", rule.hosts, true)) {
        for (auto& host : rule.hosts) {
            std::transform(host.begin(), host.end(), host.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        }
    }
    rule.query = read_conditions(r, "query");
    rule.cookies = read_conditions(r, "cookies");
    rule.headers = read_conditions(r, "headers");
    std::string visitor;
    if (r.string("visitor", visitor)) {
        if (visitor == "any") {
            rule.visitor = Visitor::Any;
        } else if (visitor == "anonymous") {
            rule.visitor = Visitor::Anonymous;
        } else if (visitor == "authenticated") {
            rule.visitor = Visitor::Authenticated;
        } else {
            r.fail("visitor",
                   "expected \"any\", \"anonymous\" or \"authenticated\", got \"" + visitor + '"');
        }
    }
}

void read_actions(Reader& r, RuleConfig& rule) {
    Duration ttl{};
    const toml::node* cache = r.find("cache");
    if (cache && cache->is_string() && cache->as_string()->get() == "origin") {
        rule.ttl_from_origin = true;  // follow the app's Cache-Control (RFC 9111)
    } else if (r.duration("cache", ttl)) {
        rule.ttl = ttl;
    }
    r.boolean("pass", rule.pass);
    std::string key;
    if (r.string("key", key)) {
        if (auto problem = key_template_error(key)) r.fail("key", *problem);
        rule.key = std::move(key);
    }
    r.strings("vary_cookies", rule.vary_cookies, true);
    r.boolean("ignore_cookies", rule.ignore_cookies);
    r.boolean("strip_set_cookie", rule.strip_set_cookie);
    Duration window{};
    if (r.duration("grace", window, true)) rule.grace = window;
    if (r.duration("stale_if_error", window, true)) rule.stale_if_error = window;
    bool sort = false;
    if (r.boolean("sort_query", sort)) rule.sort_query = sort;
    std::vector<std::string> drop;
    if (r.strings("drop_query", drop, false)) rule.drop_query = std::move(drop);
}

RuleConfig read_rule(Reader& r, const IdentityConfig& identity) {
    RuleConfig rule;
    rule.line = r.line();
    if (!r.string("name", rule.name)) {
        r.fail_here(r.key("name"),
                    "missing; every rule needs a name, as in name = \"static files\"");
    }
    read_matchers(r, rule);
    read_actions(r, rule);
    r.finish();

    const bool caches = rule.ttl || rule.ttl_from_origin;
    if (caches && rule.pass) {
        r.fail("pass",
               "a rule either caches (cache = \"<duration>\" or \"origin\") or passes "
               "(pass = true), not both");
    }
    if (!caches && !rule.pass) {
        r.fail_here(r.path(), "rule \"" + rule.name +
                                  "\" needs an action: cache = \"<duration>\", cache = "
                                  "\"origin\" or pass = true");
    }
    if (rule.visitor != Visitor::Any && !identity.knows_visitors()) {
        const char* which = rule.visitor == Visitor::Anonymous ? "anonymous" : "authenticated";
        r.fail("visitor", std::string("visitor = \"") + which +
                              "\" needs [identity] cookies, flask_session or django_session");
    }
    return rule;
}

}  // namespace

void read_rules(Reader& root, const IdentityConfig& identity, std::vector<RuleConfig>& out) {
    for (Reader& r : read_table_array(root, "rules")) {
        RuleConfig rule = read_rule(r, identity);
        const auto same = std::find_if(out.begin(), out.end(),
                                       [&](const RuleConfig& o) { return o.name == rule.name; });
        if (same != out.end()) {
            r.fail("name", "duplicate rule name \"" + rule.name + "\" (first defined at line " +
                               std::to_string(same->line) + ')');
        }
        out.push_back(std::move(rule));
    }
}

}  // namespace larder::config::detail
