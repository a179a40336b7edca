#include "larder/proxy/purge.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "larder/cache/tags.hpp"
#include "larder/http/headers.hpp"
#include "larder/rules/regex.hpp"

namespace larder::proxy {

const char* to_string(PurgeError error) {
    switch (error) {
        case PurgeError::None:
            return "none";
        case PurgeError::InvalidUrl:
            return "invalid_url";
        case PurgeError::InvalidPattern:
            return "invalid_pattern";
        case PurgeError::InvalidTag:
            return "invalid_tag";
        case PurgeError::EmptyPrefix:
            return "empty_prefix";
    }
    return "unknown";
}

namespace {

std::string_view without_scheme(std::string_view text) {
    for (std::string_view scheme : {"http://", "https://"})
        if (text.size() >= scheme.size() && http::iequals(text.substr(0, scheme.size()), scheme))
            return text.substr(scheme.size());
    return text;
}

bool has_space_or_control(std::string_view text) {
    return std::any_of(text.begin(), text.end(),
                       [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
}

// "host/path?query": the host lower-cased, as purge_subject() has it.
std::string lower_host(std::string_view text) {
    std::string out(text);
    const auto slash = out.find('/');
    std::transform(out.begin(), slash == std::string::npos ? out.end() : out.begin() + slash,
                   out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

PreparedPurge fail(PurgeError error, std::string detail = {}) {
    return PreparedPurge{.purge = std::nullopt, .error = error, .detail = std::move(detail)};
}

}  // namespace

PreparedPurge prepare_purge(const rules::RuleSet& rules, const PurgeOrder& order) {
    cache::Purge purge{.kind = order.kind, .soft = order.soft, .subject = {}, .matches = {}};
    switch (order.kind) {
        case cache::PurgeKind::Url: {
            const std::string_view rest = without_scheme(order.value);
            const auto slash = rest.find('/');
            if (slash == 0 || slash == std::string_view::npos || has_space_or_control(rest))
                return fail(PurgeError::InvalidUrl);
            const std::string_view host = rest.substr(0, slash);
            std::string_view path = rest.substr(slash);
            std::string_view query;
            if (auto q = path.find('?'); q != std::string_view::npos) {
                query = path.substr(q + 1);
                path = path.substr(0, q);
            }
            purge.subject = rules::RuleSet::url_of("http", host, path);
            purge.matches = [&rules, url = purge.subject,
                             query = std::string(query)](const cache::Object& o) {
                return o.url() == url &&
                       o.url_query() == rules.normalised_query(o.rule_name, query);
            };
            break;
        }
        case cache::PurgeKind::Prefix: {
            std::string prefix = lower_host(without_scheme(order.value));
            if (prefix.empty()) return fail(PurgeError::EmptyPrefix);
            purge.subject = prefix;
            purge.matches = [prefix](const cache::Object& o) {
                return cache::purge_subject(o).starts_with(prefix);
            };
            break;
        }
        case cache::PurgeKind::Pattern: {
            std::shared_ptr<const rules::Regex> regex;
            try {
                regex = std::make_shared<const rules::Regex>(order.value);
            } catch (const std::exception& e) {
                return fail(PurgeError::InvalidPattern, e.what());
            }
            purge.subject = order.value;
            purge.matches = [regex](const cache::Object& o) {
                return regex->search(cache::purge_subject(o));
            };
            break;
        }
        case cache::PurgeKind::Tag: {
            if (order.value.empty() || order.value.size() > 256 ||
                has_space_or_control(order.value) || order.value.find(',') != std::string::npos)
                return fail(PurgeError::InvalidTag);
            purge.subject = order.value;
            purge.matches = [tag = order.value](const cache::Object& o) {
                return cache::has_tag(o.tags(), tag);
            };
            break;
        }
    }
    return PreparedPurge{.purge = std::move(purge), .error = PurgeError::None, .detail = {}};
}

}  // namespace larder::proxy
