// AddressRange: literal addresses and CIDR blocks, parsed with inet_pton and compared masked.
#include "larder/config/address_range.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace larder::config {

namespace {
constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool has_mapped_prefix(const std::array<std::uint8_t, 16>& b) {
    return std::memcmp(b.data(), kMappedPrefix.data(), kMappedPrefix.size()) == 0;
}

// `a` and `b` agree on their first `prefix` bits.
bool same_prefix(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                 unsigned prefix) {
    unsigned whole = prefix / 8;
    if (std::memcmp(a.data(), b.data(), whole) != 0) return false;
    unsigned rest = prefix % 8;
    if (rest == 0) return true;
    auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}
}  // namespace

std::optional<std::array<std::uint8_t, 16>> parse_address(std::string_view address) {
    if (address.empty() || address.size() > 45) return std::nullopt;
    char text[46] = {};
    std::memcpy(text, address.data(), address.size());
    std::array<std::uint8_t, 16> out{};
    if (address.find(':') == std::string_view::npos) {
        std::uint8_t v4[4];
        if (inet_pton(AF_INET, text, v4) != 1) return std::nullopt;
        std::memcpy(out.data(), kMappedPrefix.data(), kMappedPrefix.size());
        std::memcpy(out.data() + 12, v4, 4);
        return out;
    }
    if (inet_pton(AF_INET6, text, out.data()) != 1) return std::nullopt;
    return out;
}

std::optional<AddressRange> AddressRange::parse(std::string_view text) {
    auto slash = text.find('/');
    auto address = parse_address(text.substr(0, slash));
    if (!address) return std::nullopt;
    bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
    unsigned width = v4 ? 32 : 128;
    unsigned prefix = width;
    if (slash != std::string_view::npos) {
        std::string_view digits = text.substr(slash + 1);
        if (digits.empty() || digits.size() > 3) return std::nullopt;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (ec != std::errc() || end != digits.data() + digits.size() || prefix > width)
            return std::nullopt;
    }
    AddressRange range;
    range.prefix = v4 ? prefix + 96 : prefix;
    range.text = std::string(text);
    // Zero the host bits, so "10.1.2.3/8" means 10.0.0.0/8.
    for (unsigned bit = range.prefix; bit < 128; ++bit)
        (*address)[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    range.bytes = *address;
    return range;
}

bool AddressRange::contains(std::string_view address) const {
    auto peer = parse_address(address);
    return peer && same_prefix(*peer, bytes, prefix);
}

bool is_loopback_host(std::string_view host) {
    if (host == "localhost") return true;
    auto address = parse_address(host);
    if (!address) return false;
    static const std::array<std::uint8_t, 16> v6_loopback = {0, 0, 0, 0, 0, 0, 0, 0,
                                                             0, 0, 0, 0, 0, 0, 0, 1};
    return *address == v6_loopback || (has_mapped_prefix(*address) && (*address)[12] == 127);
}

}  // namespace larder::config
