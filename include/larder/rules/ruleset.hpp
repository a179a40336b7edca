// rules::RuleSet: the compiled [[rules]] and [identity] of a config, and decide(request).
//
// Rules are compiled once at load (globs, PCRE2 regexes with JIT, cookie and header conditions);
// decide() evaluates them in order, first match wins, and never blocks. A RuleSet is immutable
// after construction and shared by all worker threads.
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
