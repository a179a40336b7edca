// Header lists and the small string helpers every module needs.
//
// A HeaderList keeps fields in the order they arrived, as views (no copies); duplicates are kept
// as separate entries, so callers decide how to combine them (RFC 9110 section 5.3).
// Names compare case-insensitively (ASCII only, as HTTP field names are tokens).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace larder::http {

bool iequals(std::string_view a, std::string_view b);
// Strips spaces and horizontal tabs from both ends (optional whitespace, RFC 9110 section 5.6.3).
std::string_view trim_ows(std::string_view s);
// True when the comma-separated list `value` contains `token` (case-insensitive), e.g.
// has_token("keep-alive, Upgrade", "upgrade").
bool has_token(std::string_view value, std::string_view token);

struct Header {
    std::string_view name;
    std::string_view value;
};

class HeaderList {
  public:
    void add(std::string_view name, std::string_view value) { fields_.push_back({name, value}); }
    void clear() { fields_.clear(); }
    void reserve(std::size_t n) { fields_.reserve(n); }
    // The first field with this name.
    std::optional<std::string_view> get(std::string_view name) const;
    bool contains(std::string_view name) const { return get(name).has_value(); }
    std::size_t count(std::string_view name) const;

    const Header& at(std::size_t i) const { return fields_[i]; }
    auto begin() const { return fields_.begin(); }
    auto end() const { return fields_.end(); }
    std::size_t size() const { return fields_.size(); }
    bool empty() const { return fields_.empty(); }

  private:
    std::vector<Header> fields_;
};

}  // namespace larder::http
