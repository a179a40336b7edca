// config::lint: warnings about a valid config that will not do what its author most likely meant.
//
// The loader (loader.hpp) rejects what is wrong; lint() looks at what is allowed but suspicious,
// and at what the config does with visitors' cookies: a rule that an earlier rule shadows, a rule
// whose own conditions contradict each other, a caching rule that never caches (no GET or HEAD), a
// caching rule whose pages logged-in visitors share, and notes on how cookies are treated without
// [identity] or with a Django server-side session. docs/configuration.md ("What --check-config
// warns about") lists them; `larder --check-config` prints them and still exits 0, start-up logs
// them.
//
// Invariants: lint() reads only the config structs (never the TOML), has no side effects, and is
// deterministic: warnings come in rule order (within a rule: contradictions, methods, shadowing,
// sharing), then the [identity] notes. It is conservative: every "can never match" it reports is
// certain for any request; whenever it cannot tell (regexes, globs it does not understand), it
// stays silent. A warning never changes what the daemon does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "larder/config/config.hpp"

namespace larder::config {

struct Warning {
    int line = 0;         // the rule's line; 0 when the structs hold no position (identity.*)
    std::string key;      // "rules[2]", "identity", "identity.django_session"
    std::string message;  // one sentence, no trailing period
};

std::vector<Warning> lint(const Config& config);

// "FILE:LINE", or "FILE" when the warning has no line: the part before ": KEY: MESSAGE".
std::string location(std::string_view file, const Warning& warning);

}  // namespace larder::config
