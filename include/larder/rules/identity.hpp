// rules::Identity: tells an anonymous visitor from a logged-in one, from the request's cookies.
//
// A visitor is Authenticated when any cookie named in [identity] cookies is present with a
// non-empty value, or when a Flask session cookie is User or Invalid (see flask_session.hpp:
// when in doubt, the request goes to the app). Every cookie with the session name is inspected
// (browsers may send several for different paths); any one is enough. With no [identity]
// configured, every visitor is Anonymous and configured() is false. classify() is const and
// thread-safe; it scans the Cookie headers once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "larder/config/config.hpp"
#include "larder/http/headers.hpp"
#include "larder/rules/flask_session.hpp"

namespace larder::rules {

class Identity {
  public:
    explicit Identity(const config::IdentityConfig& config);

    bool configured() const { return !cookies_.empty() || flask_.has_value(); }

    // Anonymous or Authenticated (never Any).
    config::Visitor classify(const http::HeaderList& headers) const;

  private:
    std::vector<std::string> cookies_;
    std::optional<FlaskSessionReader> flask_;
};

}  // namespace larder::rules
