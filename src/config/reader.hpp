// detail::Reader: walks one TOML table on behalf of a config section and turns every mistake into
// a ConfigError with the right file, line, column and dotted key.
//
// Each accessor names a key the section understands; the Reader remembers every name asked for,
// so finish() can reject any other key in the table as unknown and suggest the closest known one.
// Accessors leave the output untouched when the key is absent, which keeps the defaults in
// config.hpp the single source of truth. Errors about a key point at the key; errors about an
// array element point at the element. Only src/config includes this (and so toml++).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "larder/config/config.hpp"

namespace larder::config::detail {

// "an integer", "a string", ... for "expected X, got Y" messages.
std::string_view type_name(const toml::node& node);
// A value quoted for a message: strings in quotes, other types as TOML would print them.
std::string show(const toml::node& node);
// Appends a table key to a dotted path, quoting keys that are not bare TOML keys.
std::string join_key(std::string_view path, std::string_view key);

class Reader {
  public:
    Reader(const std::string& file, const toml::table& table, std::string path);

    const std::string& file() const { return *file_; }
    const toml::table& table() const { return *table_; }
    const std::string& path() const { return path_; }
    int line() const;
    std::string key(std::string_view name) const { return join_key(path_, name); }

    // Marks `name` known; the value, or nullptr when absent.
    const toml::node* find(std::string_view name);
    // Errors positioned at key `name` of this table, or at `node` under the dotted `key`.
    [[noreturn]] void fail(std::string_view name, const std::string& problem) const;
    [[noreturn]] void fail_at(const toml::node& node, const std::string& key,
                              const std::string& problem) const;
    [[noreturn]] void fail_here(const std::string& key, const std::string& problem) const;
    // At element `index` of the array at key `name` ("name[index]"), or at the key when the
    // value is a single string (see strings(..., single_ok)).
    [[noreturn]] void fail_item(std::string_view name, std::size_t index,
                                const std::string& problem) const;

    // Typed accessors: true when the key was present (and `out` set), false when absent.
    bool string(std::string_view name, std::string& out, bool allow_empty = false);
    bool boolean(std::string_view name, bool& out);
    bool integer(std::string_view name, std::int64_t& out, std::int64_t min, std::int64_t max);
    bool size(std::string_view name, std::size_t& out, bool allow_zero = false);
    bool duration(std::string_view name, Duration& out, bool allow_zero = false);
    // An array of strings; with `single_ok` a lone string counts as a one-element array.
    bool strings(std::string_view name, std::vector<std::string>& out, bool single_ok);
    // A sub-table (inline or not); nullopt when absent.
    std::optional<Reader> table(std::string_view name);

    // Rejects keys no accessor asked about.
    void finish() const;

  private:
    const std::string* file_;
    const toml::table* table_;
    std::string path_;
    std::vector<std::string> known_;
};

// Fails with `expected <what>, got <value>` at `node`.
[[noreturn]] void expected(const Reader& r, const toml::node& node, const std::string& key,
                           const std::string& what);

}  // namespace larder::config::detail
