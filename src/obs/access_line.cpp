#include "larder/obs/access_line.hpp"

#include <array>
#include <charconv>
#include <ctime>

namespace larder::obs {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Bytes written as they are inside a quoted text field or JSON string (printable ASCII but the
// double quote and the backslash), and bytes a text token may hold bare (those but the space).
constexpr std::array<bool, 256> quoted_plain() {
    std::array<bool, 256> ok{};
    for (int c = 0x20; c < 0x7f; ++c) ok[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
    return ok;
}
constexpr std::array<bool, 256> kQuotedPlain = quoted_plain();
constexpr std::array<bool, 256> bare_plain() {
    std::array<bool, 256> ok = quoted_plain();
    ok[' '] = false;
    return ok;
}
constexpr std::array<bool, 256> kBarePlain = bare_plain();

void append_number(std::string& out, std::int64_t n) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, end);
}

// Text: the inside of a quoted field. Runs of plain bytes are appended whole.
void append_text_escaped(std::string& out, std::string_view value) {
    std::size_t run = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        if (kQuotedPlain[c]) continue;
        out.append(value.data() + run, i - run);
        run = i + 1;
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else {
            const char hex[4] = {'\\', 'x', kHex[c >> 4], kHex[c & 0xf]};
            out.append(hex, 4);
        }
    }
    out.append(value.data() + run, value.size() - run);
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
    for (unsigned char c : value) {
        if (!kBarePlain[c]) {
            out.push_back('"');
            append_text_escaped(out, value);
            out.push_back('"');
            return;
        }
    }
    out.append(value);
}

void append_json_string(std::string& out, std::string_view value) {
    out.push_back('"');
    std::size_t run = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        if (kQuotedPlain[c]) continue;
        out.append(value.data() + run, i - run);
        run = i + 1;
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (c == '\n') {
            out.append("\\n");
        } else if (c == '\r') {
            out.append("\\r");
        } else if (c == '\t') {
            out.append("\\t");
        } else {
            const char hex[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
            out.append(hex, 6);
        }
    }
    out.append(value.data() + run, value.size() - run);
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
