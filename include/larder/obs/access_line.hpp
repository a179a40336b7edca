// obs::AccessLine: one access-log line per request, as text (combined-style) or JSON.
//
// text: the fields of the combined log format, then Larder's own, space-separated:
//   ADDRESS - - [TIME] "METHOD TARGET HTTP/M.N" STATUS BYTES "REFERER" "USER-AGENT"
//   total_us=N upstream_us=N CACHE REASON host=HOST id=REQUEST-ID
// json: one object per line with the keys time, address, method, target, protocol, status,
//   bytes, referer, user_agent, total_us, upstream_us, cache, reason, host, request_id (a field
//   that is absent is null in JSON, "-" in text).
// TIME is RFC 3339 in UTC with milliseconds ("2026-12-01T15:14:59.123Z").
//
// Invariant: whatever bytes a client or an origin put in a field, the result is exactly one
// line. In text, quoted fields escape '"' and '\' with a backslash and every byte outside
// printable ASCII as \xHH; REASON and HOST are written bare when they are printable ASCII
// without space, '"' or '\', else quoted and escaped the same way. In JSON, strings are escaped
// per RFC 8259 and every byte outside printable ASCII is \u00HH (the byte's value), so the line
// is valid JSON (and ASCII) even when a header holds invalid UTF-8.
//
// Cost: one Formatter per worker; format() reuses its buffer (no allocation once it has grown
// to the longest line) and formats the date part of TIME once per second.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace larder::obs {

enum class LogFormat { Text, Json };

// "text" or "json"; nullopt otherwise.
std::optional<LogFormat> log_format_from_string(std::string_view name);

// The facts of one request. Optional views are absent when the request never parsed or did not
// carry the field.
struct AccessRecord {
    std::chrono::system_clock::time_point time;
    std::string_view address;  // "ip:port"
    std::optional<std::string_view> method;
    std::optional<std::string_view> target;
    unsigned version_major = 1;
    unsigned version_minor = 1;
    int status = 0;  // 0: no response was written whole
    std::uint64_t bytes = 0;
    std::optional<std::string_view> referer;
    std::optional<std::string_view> user_agent;
    std::int64_t total_us = 0;
    std::int64_t upstream_us = -1;  // -1: the app was not asked
    std::string_view cache;         // HIT, MISS, PASS, ...
    std::string_view reason;        // empty: none
    std::optional<std::string_view> host;
    std::string_view request_id;
};

class AccessLineFormatter {
  public:
    explicit AccessLineFormatter(LogFormat format) : format_(format) {}

    // The line for `record`, without a newline; valid until the next call.
    std::string_view format(const AccessRecord& record);

  private:
    void append_time(std::chrono::system_clock::time_point time);
    void text(const AccessRecord& r);
    void json(const AccessRecord& r);

    LogFormat format_;
    std::string line_;
    std::int64_t cached_second_ = INT64_MIN;
    char second_text_[19] = {};  // "YYYY-MM-DDTHH:MM:SS" of cached_second_
};

}  // namespace larder::obs
