#include "larder/rules/condition.hpp"

#include "larder/http/cookies.hpp"
#include "larder/rules/query.hpp"

namespace larder::rules {

namespace {
thread_local std::string tl_decoded;
}  // namespace

using Kind = config::Condition::Kind;

Condition::Condition(const config::Condition& c) : name_(c.name), kind_(c.kind), value_(c.value) {
    if (kind_ == Kind::Regex) regex_.emplace(value_);
}

bool Condition::holds(std::optional<std::string_view> value, bool percent_decoded) const {
    switch (kind_) {
        case Kind::Present:
            return value.has_value();
        case Kind::Absent:
            return !value.has_value();
        case Kind::Empty:
            return value.has_value() && value->empty();
        case Kind::Equals:
            if (!value) return false;
            return percent_decoded ? percent_decoded_equals(*value, value_) : *value == value_;
        case Kind::Regex:
            if (!value) return false;
            if (percent_decoded && needs_decoding(*value)) {
                percent_decode(*value, tl_decoded);
                return regex_->search(tl_decoded);
            }
            return regex_->search(*value);
    }
    return false;
}

bool Condition::holds_in_query(std::string_view query) const {
    return holds(find_query_param(query, name_), true);
}

bool Condition::holds_in_cookies(const http::HeaderList& headers) const {
    return holds(http::find_cookie(headers, name_), false);
}

bool Condition::holds_in_headers(const http::HeaderList& headers) const {
    return holds(headers.get(name_), false);
}

}  // namespace larder::rules
