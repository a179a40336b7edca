// config::AddressRange: an IPv4 or IPv6 address or CIDR block from the config ("10.0.0.0/8",
// "192.168.1.7", "::1", "fd00::/8"), and whether a peer address falls in it.
//
// Invariants: `bytes` holds the network address in 16 bytes (an IPv4 range as its IPv4-mapped
// IPv6 form, ::ffff:a.b.c.d, with its prefix moved up by 96), with every bit past `prefix` zero,
// so contains() is a masked compare. A peer written as IPv4 or as IPv4-mapped IPv6 matches the
// same IPv4 ranges. Plain functions of their text: nullopt for anything malformed, no guessing
// (no host names, no "10.1" shorthands).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace larder::config {

struct AddressRange {
    std::array<std::uint8_t, 16> bytes{};
    unsigned prefix = 128;  // in the 128-bit form
    std::string text;       // as written, for messages and the admin API

    static std::optional<AddressRange> parse(std::string_view text);
    // `address` is a literal IPv4 or IPv6 address (no port, no brackets); false when malformed.
    bool contains(std::string_view address) const;

    bool operator==(const AddressRange&) const = default;
};

// A literal address in the 16-byte form above; nullopt when `address` is not one.
std::optional<std::array<std::uint8_t, 16>> parse_address(std::string_view address);
// Whether a listen host only accepts connections from this machine: "localhost", 127.0.0.0/8,
// ::1 (and ::ffff:127.0.0.0/104).
bool is_loopback_host(std::string_view host);

}  // namespace larder::config
