// cluster::PurgeMessage: a purge as it travels through the Redis stream.
//
// One stream entry per purge, its fields flat strings: `node` (who accepted it), `kind` (url,
// prefix, pattern, tag: obs::to_string(PurgeKind)), `value` (what the operator named, before
// normalisation — every node normalises it with its own rules, proxy::prepare_purge) and `soft`
// ("1" or "0"). Decoding is strict and never trusts the stream: anything else (a missing or
// repeated field, an unknown kind, a value over kMaxValue) is a DecodeError, and the bus skips
// that entry with a warning instead of guessing. Pure functions, unit-tested.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "larder/proxy/purge.hpp"

namespace larder::cluster {

inline constexpr std::size_t kMaxPurgeValue = 8192;

struct PurgeMessage {
    std::string node;
    proxy::PurgeOrder order;
};

using StreamFields = std::vector<std::pair<std::string, std::string>>;

StreamFields encode(const PurgeMessage& message);

enum class DecodeError : std::uint8_t {
    None,
    MissingField,
    UnknownField,
    BadKind,
    BadSoft,
    TooLong
};
const char* to_string(DecodeError error);

struct Decoded {
    PurgeMessage message;
    DecodeError error = DecodeError::None;
};

Decoded decode(const StreamFields& fields);

}  // namespace larder::cluster
