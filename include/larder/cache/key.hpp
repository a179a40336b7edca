// cache::Key: a primary cache key, hashed once per request.
//
// The rule decision builds the key text; Key::from() hashes it once, and the hash goes with the
// text into every store call for that request (Store::lookup_or_join, mark_uncacheable), so the
// store picks the shard and the map bucket without hashing again. `text` is a primary key: it
// never holds the Vary separator (vary.hpp), the store derives variants from request headers.
// The hash is std::hash<std::string_view> of the text, the same function the store uses for the
// string-based calls (lookup, insert, erase), so both kinds of call meet in the same entry.
// Invariant: hash == std::hash<std::string_view>{}(text); build Keys with from(), never by hand.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace larder::cache {

struct Key {
    std::string text;
    std::size_t hash = 0;

    static Key from(std::string text) {
        Key key{std::move(text), 0};
        key.hash = std::hash<std::string_view>{}(key.text);
        return key;
    }
};

}  // namespace larder::cache
