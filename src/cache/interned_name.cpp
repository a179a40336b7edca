// The process-wide table of InternedName: a node-based set, so the strings never move, under one
// mutex. Entries are never removed (see interned_name.hpp).
#include "larder/cache/interned_name.hpp"

#include <functional>
#include <mutex>
#include <unordered_set>

namespace larder::cache {

namespace {

// Looked up by string_view, so finding a name already there allocates nothing.
struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

struct Table {
    std::mutex mutex;
    std::unordered_set<std::string, NameHash, std::equal_to<>> names;
};

Table& table() {
    static Table* t = new Table;  // never destroyed: objects may outlive static destruction
    return *t;
}

}  // namespace

const std::string* InternedName::intern(std::string_view name) {
    if (name.empty()) return nullptr;
    Table& t = table();
    std::lock_guard lock(t.mutex);
    if (auto it = t.names.find(name); it != t.names.end()) return &*it;
    return &*t.names.emplace(name).first;
}

const std::string& InternedName::empty_string() noexcept {
    static const std::string empty;
    return empty;
}

std::size_t InternedName::table_size() {
    Table& t = table();
    std::lock_guard lock(t.mutex);
    return t.names.size();
}

}  // namespace larder::cache
