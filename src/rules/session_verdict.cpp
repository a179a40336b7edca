#include "larder/rules/session_verdict.hpp"

#include "larder/rules/json_scan.hpp"

namespace larder::rules {

std::string_view to_string(SessionState s) {
    switch (s) {
        case SessionState::Anonymous:
            return "anonymous";
        case SessionState::User:
            return "user";
        case SessionState::Personal:
            return "personal";
        case SessionState::Invalid:
            return "invalid";
    }
    return "invalid";
}

SessionVerdict verdict_from_payload(std::string_view json, std::string_view user_key,
                                    const std::vector<std::string>& personal_keys) {
    switch (json_object_has_key(json, user_key)) {
        case JsonKeyScan::Found:
            return {SessionState::User, {}};
        case JsonKeyScan::Invalid:
            return {SessionState::Invalid, {}};
        case JsonKeyScan::NotFound:
            break;
    }
    for (const auto& key : personal_keys)
        if (json_object_has_key(json, key) == JsonKeyScan::Found)
            return {SessionState::Personal, key};
    return {SessionState::Anonymous, {}};
}

}  // namespace larder::rules
