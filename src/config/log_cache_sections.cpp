// [log] and [cache]: small sections of independent values, checked one key at a time.
#include <algorithm>
#include <array>

#include "sections.hpp"

namespace larder::config::detail {

namespace {

constexpr std::array<std::string_view, 7> kLevels = {"trace", "debug",    "info", "warn",
                                                     "error", "critical", "off"};

}  // namespace

void read_log(Reader& r, LogConfig& out) {
    r.string("access", out.access);
    r.string("error", out.error);
    std::string level;
    if (r.string("level", level)) {
        if (std::find(kLevels.begin(), kLevels.end(), level) == kLevels.end()) {
            r.fail("level",
                   "expected one of trace, debug, info, warn, error, critical, off, got \"" +
                       level + '"');
        }
        out.level = level;
    }
    r.finish();
}

void read_cache(Reader& r, CacheConfig& out) {
    r.size("max_size", out.max_size);
    std::int64_t objects = 0;
    if (r.integer("max_objects", objects, 1, std::int64_t{1} << 40)) {
        out.max_objects = static_cast<std::size_t>(objects);
    }
    r.size("max_object_size", out.max_object_size);
    std::string policy;
    if (r.string("default", policy)) {
        if (policy != "pass" && policy != "http") {
            r.fail("default", "expected \"pass\" or \"http\", got \"" + policy + '"');
        }
        out.default_policy = policy;
    }
    if (const toml::node* node = r.find("cacheable_status")) {
        const auto* array = node->as_array();
        if (!array) {
            r.fail("cacheable_status",
                   "expected an array of status codes such as [200, 301], got " +
                       std::string(type_name(*node)));
        }
        std::vector<int> statuses;
        for (std::size_t i = 0; i < array->size(); ++i) {
            const toml::node& element = *array->get(i);
            const auto* code = element.as_integer();
            if (!code || code->get() < 100 || code->get() > 599) {
                expected(r, element, r.key("cacheable_status") + '[' + std::to_string(i) + ']',
                         "an HTTP status code from 100 to 599");
            }
            statuses.push_back(static_cast<int>(code->get()));
        }
        out.cacheable_status = std::move(statuses);
    }
    r.boolean("sort_query", out.sort_query);
    r.strings("drop_query", out.drop_query, false);
    r.finish();
    if (out.max_object_size > out.max_size) {
        r.fail("max_object_size", "must not be larger than cache.max_size (" +
                                      std::to_string(out.max_size) + " bytes)");
    }
}

}  // namespace larder::config::detail
