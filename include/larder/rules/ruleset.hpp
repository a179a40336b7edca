// rules::RuleSet: the compiled [[rules]] and [identity] of a config, and decide(request).
//
// Rules are compiled once at load (globs, PCRE2 regexes with JIT, cookie and header conditions);
// decide() evaluates them in order, first match wins, and never blocks. A RuleSet is immutable
// after construction and shared by all worker threads.
//
// decide(), in order:
//   1. A request with an Authorization header is Pass / RequestHasAuthorization (before any rule).
//   2. The first rule whose matchers all hold (methods, paths, path_prefixes, path_regex, hosts,
//      query, headers, cookies, visitor) decides: pass -> Pass / RulePass; ttl -> Cache /
//      RuleCache, unless the method is not GET or HEAD -> Pass / MethodNotCacheable. A rule with
//      neither action passes. Only GET and HEAD are ever Cache.
//   3. No rule matched -> Pass / NoRuleMatched (for [cache] default_policy "pass", and for now
//      "http" too).
// Safe by default: when [identity] is configured, a caching rule (ttl) with visitor = any and
// ignore_cookies = false behaves as visitor = anonymous, so a logged-in visitor never gets a
// shared page unless the rule says ignore_cookies = true. The visitor is classified at most once
// per request, and only when a rule that matched everything else needs it.
// The key is the rule's template (default "${scheme}://${host}${path}${query}", see
// key_template.hpp), then for each vary_cookies name "\x1f" "NAME=VALUE" (empty when absent).
// Cookies named neither by the template nor vary_cookies never affect the key. decide() allocates
// only the key string (reserved once); evaluating rules copies no strings.
#pragma once

#include <memory>
#include <string_view>

#include "larder/config/config.hpp"
#include "larder/http/request.hpp"
#include "larder/rules/decision.hpp"

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

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace larder::rules
