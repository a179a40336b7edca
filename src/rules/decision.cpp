#include "larder/rules/decision.hpp"

#include "larder/rules/explanation.hpp"

namespace larder::rules {

std::string_view to_string(DecisionReason r) {
    switch (r) {
        case DecisionReason::RuleCache:
            return "rule_cache";
        case DecisionReason::RulePass:
            return "rule_pass";
        case DecisionReason::NoRuleMatched:
            return "no_rule_matched";
        case DecisionReason::MethodNotCacheable:
            return "method_not_cacheable";
        case DecisionReason::RequestHasAuthorization:
            return "request_has_authorization";
        case DecisionReason::HttpDefault:
            return "http_default";
        case DecisionReason::PersonalVisitor:
            return "personal_visitor";
        case DecisionReason::RequestHasBody:
            return "request_has_body";
        case DecisionReason::ConnectionNamesFields:
            return "connection_names_fields";
    }
    return "unknown";
}

std::string_view to_string(Mismatch m) {
    switch (m) {
        case Mismatch::None:
            return "none";
        case Mismatch::Method:
            return "method";
        case Mismatch::Host:
            return "host";
        case Mismatch::Path:
            return "paths";
        case Mismatch::PathPrefix:
            return "path_prefixes";
        case Mismatch::PathRegex:
            return "path_regex";
        case Mismatch::Query:
            return "query";
        case Mismatch::Header:
            return "headers";
        case Mismatch::Cookie:
            return "cookies";
        case Mismatch::Visitor:
            return "visitor";
    }
    return "unknown";
}

}  // namespace larder::rules
