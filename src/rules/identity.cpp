#include "larder/rules/identity.hpp"

#include <algorithm>

#include "larder/http/cookies.hpp"

namespace larder::rules {

namespace {
// RFC 6265 / RFC 9110 token characters: what every cookie parser takes literally.
bool is_token(std::string_view name) {
    for (unsigned char c : name) {
        if (c <= 0x20 || c >= 0x7f) return false;
        switch (c) {
            case '(':
            case ')':
            case '<':
            case '>':
            case '@':
            case ',':
            case ';':
            case ':':
            case '\\':
            case '"':
            case '/':
            case '[':
            case ']':
            case '?':
            case '=':
            case '{':
            case '}':
                return false;
            default:
                break;
        }
    }
    return !name.empty();
}

bool contains(const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}
}  // namespace

std::string_view to_string(VisitorReason r) {
    switch (r) {
        case VisitorReason::NothingPersonal:
            return "anonymous";
        case VisitorReason::LoginCookie:
            return "login_cookie";
        case VisitorReason::SessionUser:
            return "session_user";
        case VisitorReason::SessionUnreadable:
            return "session_unreadable";
        case VisitorReason::ServerSession:
            return "server_session";
        case VisitorReason::SessionPersonalKey:
            return "session_personal_key";
        case VisitorReason::PersonalCookie:
            return "personal_cookie";
        case VisitorReason::UndeclaredCookie:
            return "undeclared_cookie";
        case VisitorReason::UnreadableCookieName:
            return "unreadable_cookie_name";
    }
    return "unknown";
}

std::string VisitorClass::explain() const {
    std::string out(to_string(reason));
    if (!detail.empty()) out.append(":").append(detail);
    return out;
}

Identity::Identity(const config::IdentityConfig& config)
    : knows_visitors_(config.knows_visitors()),
      login_cookies_(config.cookies),
      personal_cookies_(config.personal_cookies) {
    for (const auto& g : config.anonymous_cookies) anonymous_cookies_.emplace_back(g);
    if (config.flask_session) flask_.emplace(*config.flask_session);
    if (const auto& django = config.django_session) {
        if (django->signed_cookies()) {
            django_signed_.emplace(*django);
        } else {
            django_server_cookie_ = django->cookie;
            django_login_cookie_ = django->login_cookie;
        }
    }
}

std::optional<VisitorClass> Identity::judge(std::string_view name, std::string_view value,
                                            const std::vector<std::string>& keyed) const {
    if (!is_token(name))
        return VisitorClass{VisitorKind::LoggedIn, VisitorReason::UnreadableCookieName, {}};
    auto from_session = [&](const SessionVerdict& v) -> std::optional<VisitorClass> {
        switch (v.state) {
            case SessionState::User:
                return VisitorClass{VisitorKind::LoggedIn, VisitorReason::SessionUser, name};
            case SessionState::Invalid:
                return VisitorClass{VisitorKind::LoggedIn, VisitorReason::SessionUnreadable, name};
            case SessionState::Personal:
                return VisitorClass{VisitorKind::Personal, VisitorReason::SessionPersonalKey,
                                    v.personal_key};
            case SessionState::Anonymous:
                return std::nullopt;
        }
        return std::nullopt;
    };
    if (flask_ && name == flask_->cookie_name()) return from_session(flask_->inspect(value));
    if (django_signed_ && name == django_signed_->cookie_name())
        return from_session(django_signed_->inspect(value));
    if (value.empty()) return std::nullopt;
    if (contains(login_cookies_, name))
        return VisitorClass{VisitorKind::LoggedIn, VisitorReason::LoginCookie, name};
    if (!django_server_cookie_.empty()) {
        if (django_login_cookie_ && name == *django_login_cookie_)
            return VisitorClass{VisitorKind::LoggedIn, VisitorReason::LoginCookie, name};
        if (!django_login_cookie_ && name == django_server_cookie_)
            return VisitorClass{VisitorKind::LoggedIn, VisitorReason::ServerSession, name};
    }
    if (contains(personal_cookies_, name))
        return VisitorClass{VisitorKind::Personal, VisitorReason::PersonalCookie, name};
    if (!knows_visitors_ && !any_matches(anonymous_cookies_, name) && !contains(keyed, name))
        return VisitorClass{VisitorKind::Personal, VisitorReason::UndeclaredCookie, name};
    return std::nullopt;
}

VisitorClass Identity::classify(const http::HeaderList& headers,
                                const std::vector<std::string>& keyed) const {
    VisitorClass result;
    http::for_each_cookie(headers, [&](std::string_view name, std::string_view value) {
        if (result.kind == VisitorKind::LoggedIn) return;
        auto verdict = judge(name, value, keyed);
        if (verdict && verdict->kind > result.kind) result = *verdict;
    });
    return result;
}

}  // namespace larder::rules
