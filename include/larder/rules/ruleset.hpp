// rules::RuleSet: the compiled [[rules]] and [identity] of a config, and decide(request).
//
// Rules are compiled once at load (globs, PCRE2 regexes with JIT, cookie and header conditions);
// decide() evaluates them in order, first match wins, and never blocks. A RuleSet is immutable
// after construction and shared by all worker threads.
//
// decide(), in order:
//   1. A request with an Authorization header is Pass / RequestHasAuthorization (before any rule):
//      a shared fetch never carries credentials, so such a visitor's page is theirs alone.
//   2. The first rule whose matchers all hold (methods, paths, path_prefixes, path_regex, hosts,
//      query, headers, cookies, visitor) decides: pass -> Pass / RulePass; a caching rule ->
//      Pass / MethodNotCacheable unless the method is GET or HEAD; then, unless the rule says
//      ignore_cookies, a visitor that rules::Identity finds Personal (or LoggedIn, for a rule
//      not meant for logged-in visitors) -> Pass / PersonalVisitor; a request a shared fetch
//      cannot reproduce (a body: RequestHasBody; Connection naming fields to drop:
//      ConnectionNamesFields) -> Pass; else Cache / RuleCache.
//   3. No rule matched: [cache] default = "http" -> Cache / HttpDefault for GET and HEAD of
//      anonymous visitors (PersonalVisitor otherwise); else Pass / NoRuleMatched, or
//      PersonalVisitor when the visitor's identity is what kept a caching rule from matching.
// Safe by default: when [identity] says how to tell visitors apart, a caching rule with
// visitor = any and ignore_cookies = false behaves as visitor = anonymous; without [identity],
// any cookie outside [identity] anonymous_cookies makes a visitor Personal. A logged-in visitor
// never gets a shared page unless the rule says ignore_cookies = true or visitor =
// "authenticated". The visitor is classified at most once per request, and only when a rule that
// matched everything else needs it (or no rule matched under default = "http").
// The key is the rule's template (default "${scheme}://${host}${path}${query}", see
// key_template.hpp), then for each vary_cookies name "\x1f" "NAME=VALUE" (empty when absent).
// Those cookies, and the template's ${cookie:NAME}s, are the Decision's forwarded_cookies: the
// only ones a fetch that may be stored sends upstream. decide() allocates only the key string
// (reserved once) and, for PersonalVisitor, the explanation; evaluating rules copies no strings.
// explain() is decide() with a record of the rules it skipped (explanation.hpp).
#pragma once

#include <memory>
#include <string_view>

#include "larder/config/config.hpp"
#include "larder/http/request.hpp"
#include "larder/rules/decision.hpp"
#include "larder/rules/explanation.hpp"

namespace larder::rules {

class RuleSet {
  public:
    // Throws std::invalid_argument naming the rule when something does not compile (the config
    // loader validates first, so this is a second line of defence).
    explicit RuleSet(const config::Config& config);
    ~RuleSet();
    RuleSet(const RuleSet&) = delete;
    RuleSet& operator=(const RuleSet&) = delete;

    // `scheme` is "http" (or "https" behind a TLS terminator), used by the default key.
    Decision decide(const http::Request& request, std::string_view scheme = "http") const;
    // decide(), and why: the rules skipped and what failed in each (explanation.hpp). Same code
    // path as decide(); allocates freely (not for the hot path).
    Explanation explain(const http::Request& request, std::string_view scheme = "http") const;

    // Where stored objects are found again whatever their key (invalidation, purge): the
    // resource "scheme://host/path" (host as in keys: lower-case, default port dropped), and the
    // query as the rule called `rule_name` normalises it into its keys (sort_query, drop_query;
    // [cache]'s policy for an object stored without a rule).
    static std::string url_of(std::string_view scheme, std::string_view host,
                              std::string_view path);
    std::string normalised_query(std::string_view rule_name, std::string_view query) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace larder::rules
