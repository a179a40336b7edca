// rules::Condition: one compiled query, cookie or header condition of a rule
// (present / absent / empty / equals / regex).
//
// Invariants: "present" holds when the item exists, whatever its value; "absent" when it does
// not; "empty" when it exists with an empty value (an absent item is not empty); "equals" and
// "regex" only when it exists. Where the value comes from:
//   - query:  the first parameter with exactly this (undecoded) name; its value is
//             percent-decoded ('+' is a space) before equals/regex.
//   - cookie: the first cookie with this name (http::find_cookie), value as sent.
//   - header: the first field with this name, compared case-insensitively; value as sent.
// Regexes are compiled once (PCRE2 JIT) and searched unanchored. holds() does not allocate,
// except that decoding a query value for a regex reuses a thread-local buffer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "larder/config/config.hpp"
#include "larder/http/headers.hpp"
#include "larder/rules/regex.hpp"

namespace larder::rules {

class Condition {
  public:
    // Throws std::invalid_argument when a regex does not compile.
    explicit Condition(const config::Condition& c);

    const std::string& name() const { return name_; }

    bool holds_in_query(std::string_view query) const;
    bool holds_in_cookies(const http::HeaderList& headers) const;
    bool holds_in_headers(const http::HeaderList& headers) const;

    // The core test; `value` is nullopt when the item is absent.
    bool holds(std::optional<std::string_view> value, bool percent_decoded) const;

  private:
    std::string name_;
    config::Condition::Kind kind_;
    std::string value_;
    std::optional<Regex> regex_;
};

}  // namespace larder::rules
