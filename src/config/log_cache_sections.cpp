// [log] and [cache]: small sections of independent values, checked one key at a time.
#include <algorithm>
#include <array>

#include "sections.hpp"

namespace larder::config::detail {

namespace {

constexpr std::array<std::string_view, 7> kLevels = {"trace", "debug",    "info", "warn",
                                                     "error", "critical", "off"};

// "10%" (or "2.5%") -> 0.10; 0 to 100 percent. An integer/float 0..1 is the fraction itself.
void read_heuristic(Reader& r, CacheConfig& out) {
    const toml::node* node = r.find("heuristic");
    if (!node) return;
    const std::string what = "a percentage from \"0%\" to \"100%\", such as \"10%\"";
    if (const auto* f = node->as_floating_point()) {
        if (f->get() < 0.0 || f->get() > 1.0) expected(r, *node, r.key("heuristic"), what);
        out.heuristic = f->get();
        return;
    }
    if (const auto* i = node->as_integer()) {
        if (i->get() != 0 && i->get() != 1) expected(r, *node, r.key("heuristic"), what);
        out.heuristic = static_cast<double>(i->get());
        return;
    }
    const auto* str = node->as_string();
    if (!str) expected(r, *node, r.key("heuristic"), what);
    std::string text = str->get();
    if (text == "off") {
        out.heuristic = 0.0;
        return;
    }
    if (text.size() < 2 || text.back() != '%') expected(r, *node, r.key("heuristic"), what);
    text.pop_back();
    double percent = 0.0;
    bool digits = false, dot = false;
    double scale = 1.0;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            digits = true;
            if (dot) {
                scale /= 10.0;
                percent += (c - '0') * scale;
            } else {
                percent = percent * 10.0 + (c - '0');
            }
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            expected(r, *node, r.key("heuristic"), what);
        }
    }
    if (!digits || percent > 100.0) expected(r, *node, r.key("heuristic"), what);
    out.heuristic = percent / 100.0;
}

void read_http_policy(Reader& r, CacheConfig& out) {
    read_heuristic(r, out);
    r.duration("heuristic_max", out.heuristic_max);
    bool honor = false;
    if (r.boolean("honor_client_no_cache", honor)) out.honor_client_no_cache = honor;
    r.boolean("honor_client_max_stale", out.honor_client_max_stale);
    std::int64_t variants = 0;
    if (r.integer("max_variants", variants, 0, 1024)) {
        out.max_variants = static_cast<std::size_t>(variants);
    }
    r.boolean("targeted_cache_control", out.targeted_cache_control);
    r.boolean("strip_targeted_headers", out.strip_targeted_headers);
    r.boolean("store_post_responses", out.store_post_responses);
}

// Warm restart: a file path, and how often to write it besides the stop (0 = only then).
void read_snapshot(Reader& r, CacheConfig& out) {
    if (r.string("snapshot", out.snapshot) && out.snapshot.back() == '/') {
        r.fail("snapshot",
               "expected the path of a file (such as \"/var/lib/larder/cache.snapshot\"), "
               "got the directory \"" +
                   out.snapshot + '"');
    }
    if (r.duration("snapshot_interval", out.snapshot_interval, true)) {
        if (out.snapshot_interval.count() != 0 && out.snapshot_interval < std::chrono::seconds{1})
            r.fail("snapshot_interval", "expected 0 (off) or at least \"1s\"");
        if (out.snapshot.empty() && out.snapshot_interval.count() != 0)
            r.fail("snapshot_interval", "needs cache.snapshot, the file to write");
    }
}

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
    std::string format;
    if (r.string("format", format)) {
        if (format != "text" && format != "json")
            r.fail("format", "expected \"text\" or \"json\", got \"" + format + '"');
        out.format = format;
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
    read_http_policy(r, out);
    r.duration("grace", out.grace, true);
    r.duration("stale_if_error", out.stale_if_error, true);
    r.duration("lock_timeout", out.lock_timeout);
    r.duration("uncacheable_ttl", out.uncacheable_ttl, true);
    std::int64_t uncacheable = 0;
    if (r.integer("max_uncacheable", uncacheable, 1, std::int64_t{1} << 32))
        out.max_uncacheable = static_cast<std::size_t>(uncacheable);
    read_snapshot(r, out);
    r.finish();
    if (out.max_object_size > out.max_size) {
        r.fail("max_object_size", "must not be larger than cache.max_size (" +
                                      std::to_string(out.max_size) + " bytes)");
    }
}

}  // namespace larder::config::detail
