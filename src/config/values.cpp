// parse_size, parse_duration, parse_host_port: the human value syntaxes of the config file.
//
// All three are pure functions of their text and return nullopt rather than guessing: a size is
// digits with an optional unit (B, KB/MB/GB/TB = powers of 1000, KiB/MiB/GiB/TiB = powers of 1024,
// case-insensitive); a duration is one or more number+unit groups ("1h30m") with units ms, s, m,
// h, d; an address is "host:port" or "[ipv6]:port" with a port 0-65535. Overflow is malformed.
#include <cctype>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "larder/config/loader.hpp"

namespace larder::config {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads leading digits of `text` into `out`; false when there are none or they overflow.
bool take_number(std::string_view& text, std::uint64_t& out) {
    std::size_t i = 0;
    out = 0;
    while (i < text.size() && is_digit(text[i])) {
        const std::uint64_t digit = static_cast<std::uint64_t>(text[i] - '0');
        if (out > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
            return false;
        }
        out = out * 10 + digit;
        ++i;
    }
    text.remove_prefix(i);
    return i > 0;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::optional<std::uint64_t> size_unit(std::string_view unit) {
    const std::string u = lower(unit);
    if (u.empty() || u == "b") return 1;
    if (u == "kb") return 1000ull;
    if (u == "mb") return 1000ull * 1000;
    if (u == "gb") return 1000ull * 1000 * 1000;
    if (u == "tb") return 1000ull * 1000 * 1000 * 1000;
    if (u == "kib") return 1ull << 10;
    if (u == "mib") return 1ull << 20;
    if (u == "gib") return 1ull << 30;
    if (u == "tib") return 1ull << 40;
    return std::nullopt;
}

std::optional<std::uint64_t> duration_unit_ms(std::string_view unit) {
    if (unit == "ms") return 1;
    if (unit == "s") return 1000;
    if (unit == "m") return 60'000;
    if (unit == "h") return 3'600'000;
    if (unit == "d") return 86'400'000;
    return std::nullopt;
}

bool valid_host_name(std::string_view host) {
    if (host.empty()) return false;
    for (char c : host) {
        const bool ok =
            std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

bool valid_ipv6(std::string_view host) {
    if (host.find(':') == std::string_view::npos) return false;
    for (char c : host) {
        const bool ok = std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

std::optional<std::size_t> parse_size(std::string_view text) {
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    std::uint64_t number = 0;
    if (!take_number(text, number)) return std::nullopt;
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    const auto unit = size_unit(text);
    if (!unit) return std::nullopt;
    if (number > std::numeric_limits<std::size_t>::max() / *unit) return std::nullopt;
    return static_cast<std::size_t>(number * *unit);
}

std::optional<Duration> parse_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::uint64_t total = 0;
    while (!text.empty()) {
        std::uint64_t number = 0;
        if (!take_number(text, number)) return std::nullopt;
        std::size_t unit_len = 0;
        while (unit_len < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_len]))) {
            ++unit_len;
        }
        const auto ms = duration_unit_ms(text.substr(0, unit_len));
        if (!ms) return std::nullopt;
        text.remove_prefix(unit_len);
        constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<Duration::rep>::max());
        if (number > max / *ms || total > max - number * *ms) return std::nullopt;
        total += number * *ms;
    }
    return Duration{static_cast<Duration::rep>(total)};
}

std::optional<HostPort> parse_host_port(std::string_view text) {
    std::string_view host;
    std::string_view rest;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        rest = text.substr(close + 1);
        if (!valid_ipv6(host)) return std::nullopt;
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        rest = text.substr(colon);
        if (!valid_host_name(host)) return std::nullopt;
    }
    if (rest.size() < 2 || rest.front() != ':') return std::nullopt;
    rest.remove_prefix(1);
    std::uint64_t port = 0;
    if (!take_number(rest, port) || !rest.empty() || port > 65535) return std::nullopt;
    return HostPort{std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace larder::config
