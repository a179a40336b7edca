#include "larder/rules/identity.hpp"

#include "larder/http/cookies.hpp"

namespace larder::rules {

Identity::Identity(const config::IdentityConfig& config) : cookies_(config.cookies) {
    if (config.flask_session) flask_.emplace(*config.flask_session);
}

config::Visitor Identity::classify(const http::HeaderList& headers) const {
    if (!configured()) return config::Visitor::Anonymous;
    bool authenticated = false;
    http::for_each_cookie(headers, [&](std::string_view name, std::string_view value) {
        if (authenticated) return;
        if (flask_ && name == flask_->cookie_name()) {
            if (flask_->inspect(value).state != SessionState::Anonymous) authenticated = true;
            return;
        }
        if (value.empty()) return;
        for (const auto& c : cookies_)
            if (name == c) {
                authenticated = true;
                return;
            }
    });
    return authenticated ? config::Visitor::Authenticated : config::Visitor::Anonymous;
}

}  // namespace larder::rules
