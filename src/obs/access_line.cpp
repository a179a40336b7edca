#include "larder/obs/access_line.hpp"

#include <charconv>
#include <ctime>

namespace larder::obs {

namespace {

constexpr char kHex[] = "0123456789abcdef";

bool printable(unsigned char c) {
    return c >= 0x20 && c < 0x7f;
}

void append_number(std::string& out, std::int64_t n) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, end);
}

// Text: the inside of a quoted field.
void append_text_escaped(std::string& out, std::string_view value) {
    for (unsigned char c : value) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (printable(c)) {
            out.push_back(static_cast<char>(c));
        } else {
            out.append("\\x");
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
        }
    }
}

void append_text_quoted(std::string& out, const std::optional<std::string_view>& value) {
    out.push_back('"');
    if (value)
        append_text_escaped(out, *value);
    else
        out.push_back('-');
    out.push_back('"');
}

// Text: a token written bare when it can be, else quoted.
void append_text_token(std::string& out, std::string_view value) {
    if (value.empty()) {
        out.push_back('-');
        return;
    }
    bool bare = true;
    for (unsigned char c : value) bare = bare && c > 0x20 && c < 0x7f && c != '"' && c != '\\';
    if (bare) {
        out.append(value);
        return;
    }
    out.push_back('"');
    append_text_escaped(out, value);
    out.push_back('"');
}

void append_json_string(std::string& out, std::string_view value) {
    out.push_back('"');
    for (unsigned char c : value) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (printable(c)) {
            out.push_back(static_cast<char>(c));
        } else if (c == '\n') {
            out.append("\\n");
        } else if (c == '\r') {
            out.append("\\r");
        } else if (c == '\t') {
            out.append("\\t");
        } else {
            out.append("\\u00");
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
        }
    }
    out.push_back('"');
}

void append_json_optional(std::string& out, const std::optional<std::string_view>& value) {
    if (value)
        append_json_string(out, *value);
    else
        out.append("null");
}

}  // namespace

std::optional<LogFormat> log_format_from_string(std::string_view name) {
    if (name == "text") return LogFormat::Text;
    if (name == "json") return LogFormat::Json;
    return std::nullopt;
}

std::string_view AccessLineFormatter::format(const AccessRecord& record) {
    line_.clear();
    if (format_ == LogFormat::Json)
        json(record);
    else
        text(record);
    return line_;
}

void AccessLineFormatter::append_time(std::chrono::system_clock::time_point time) {
    using namespace std::chrono;
    const std::int64_t ms = duration_cast<milliseconds>(time.time_since_epoch()).count();
    std::int64_t second = ms / 1000;
    std::int64_t milli = ms % 1000;
    if (milli < 0) {  // before 1970: floor, not truncation
        milli += 1000;
        second -= 1;
    }
    if (second != cached_second_) {
        std::time_t t = static_cast<std::time_t>(second);
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[32];  // strftime writes a terminator; second_text_ holds none
        std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
        if (n != sizeof second_text_) n = 0;  // years beyond 9999 do not happen here
        std::copy(buf, buf + n, second_text_);
        cached_second_ = second;
    }
    line_.append(second_text_, sizeof second_text_);
    line_.push_back('.');
    line_.push_back(static_cast<char>('0' + milli / 100));
    line_.push_back(static_cast<char>('0' + milli / 10 % 10));
    line_.push_back(static_cast<char>('0' + milli % 10));
    line_.push_back('Z');
}

void AccessLineFormatter::text(const AccessRecord& r) {
    std::string& out = line_;
    out.append(r.address.empty() ? std::string_view("-") : r.address).append(" - - [");
    append_time(r.time);
    out.append("] \"");
    if (r.method) {
        append_text_escaped(out, *r.method);
        out.push_back(' ');
        append_text_escaped(out, r.target.value_or("-"));
        out.append(" HTTP/");
        append_number(out, r.version_major);
        out.push_back('.');
        append_number(out, r.version_minor);
    } else {
        out.push_back('-');
    }
    out.append("\" ");
    append_number(out, r.status);
    out.push_back(' ');
    append_number(out, static_cast<std::int64_t>(r.bytes));
    out.push_back(' ');
    append_text_quoted(out, r.referer);
    out.push_back(' ');
    append_text_quoted(out, r.user_agent);
    out.append(" total_us=");
    append_number(out, r.total_us);
    out.append(" upstream_us=");
    append_number(out, r.upstream_us);
    out.push_back(' ');
    append_text_token(out, r.cache);
    out.push_back(' ');
    append_text_token(out, r.reason);
    out.append(" host=");
    append_text_token(out, r.host.value_or(std::string_view()));
    out.append(" id=");
    append_text_token(out, r.request_id);
}

void AccessLineFormatter::json(const AccessRecord& r) {
    std::string& out = line_;
    out.append("{\"time\":\"");
    append_time(r.time);
    out.append("\",\"address\":");
    append_json_string(out, r.address);
    out.append(",\"method\":");
    append_json_optional(out, r.method);
    out.append(",\"target\":");
    append_json_optional(out, r.target);
    out.append(",\"protocol\":");
    if (r.method) {
        out.append("\"HTTP/");
        append_number(out, r.version_major);
        out.push_back('.');
        append_number(out, r.version_minor);
        out.push_back('"');
    } else {
        out.append("null");
    }
    out.append(",\"status\":");
    append_number(out, r.status);
    out.append(",\"bytes\":");
    append_number(out, static_cast<std::int64_t>(r.bytes));
    out.append(",\"referer\":");
    append_json_optional(out, r.referer);
    out.append(",\"user_agent\":");
    append_json_optional(out, r.user_agent);
    out.append(",\"total_us\":");
    append_number(out, r.total_us);
    out.append(",\"upstream_us\":");
    if (r.upstream_us >= 0)
        append_number(out, r.upstream_us);
    else
        out.append("null");
    out.append(",\"cache\":");
    append_json_string(out, r.cache);
    out.append(",\"reason\":");
    if (r.reason.empty())
        out.append("null");
    else
        append_json_string(out, r.reason);
    out.append(",\"host\":");
    append_json_optional(out, r.host);
    out.append(",\"request_id\":");
    append_json_string(out, r.request_id);
    out.push_back('}');
}

}  // namespace larder::obs
