// cache::InternedName: the name of the rule that stored an object (Object::rule_name), one
// pointer wide, shared by every object of that rule.
//
// Rule names come from the configuration (and from snapshots, which were written from it), so
// there are few of them while objects are many: each distinct name is kept once, for the life of
// the process, in a process-wide table, and an object holds a pointer to it (8 bytes instead of a
// 32-byte std::string, and no allocation per object for a long name). Interning takes a mutex; it
// happens when an object is built, never on a hit. Never intern text a client or an app chose:
// the table does not shrink. Reads like a std::string_view; empty is a null pointer.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace larder::cache {

class InternedName {
  public:
    InternedName() noexcept = default;
    InternedName(std::string_view name) : name_(intern(name)) {}  // NOLINT: reads like a string
    InternedName(const std::string& name) : InternedName(std::string_view(name)) {}
    InternedName(const char* name) : InternedName(std::string_view(name)) {}
    InternedName& operator=(std::string_view name) {
        name_ = intern(name);
        return *this;
    }
    InternedName& operator=(const std::string& name) { return *this = std::string_view(name); }
    InternedName& operator=(const char* name) { return *this = std::string_view(name); }

    const std::string& str() const noexcept { return name_ ? *name_ : empty_string(); }
    operator const std::string&() const noexcept { return str(); }  // NOLINT
    operator std::string_view() const noexcept { return str(); }    // NOLINT
    const char* data() const noexcept { return str().data(); }
    const char* c_str() const noexcept { return str().c_str(); }
    std::size_t size() const noexcept { return str().size(); }
    bool empty() const noexcept { return name_ == nullptr; }

    friend bool operator==(const InternedName& a, std::string_view b) noexcept {
        return a.str() == b;
    }
    friend bool operator==(const InternedName& a, const InternedName& b) noexcept {
        return a.name_ == b.name_;  // one entry per distinct name
    }
    // Exact matches, so comparing with a std::string or a literal is not ambiguous.
    friend bool operator==(const InternedName& a, const std::string& b) noexcept {
        return a.str() == b;
    }
    friend bool operator==(const InternedName& a, const char* b) noexcept { return a.str() == b; }
    friend std::ostream& operator<<(std::ostream& os, const InternedName& n) {
        return os << n.str();
    }

    // Distinct names interned so far (tests).
    static std::size_t table_size();

  private:
    // The table's copy of `name`, added on first use; null for "".
    static const std::string* intern(std::string_view name);
    static const std::string& empty_string() noexcept;

    const std::string* name_ = nullptr;
};

}  // namespace larder::cache
