// cache::RareString: a string field of a stored object that is usually empty (the normalised
// query, the purge tags, the normalised Vary): one pointer wide, nothing allocated while empty.
//
// A std::string costs 32 bytes in every object whether it holds anything or not; most stored
// objects have no query, no tags and no Vary, so those 32 bytes were pure overhead (issue 16:
// per-object bookkeeping). A non-empty RareString is one allocation holding its length and its
// characters (NUL-terminated). It reads like a std::string_view (it converts to one) and is
// replaced whole by assignment; there is no in-place editing, which no such field needs.
// Invariant: ptr_ is null exactly when the string is empty.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace larder::cache {

class RareString {
  public:
    RareString() noexcept = default;
    RareString(std::string_view s) { assign(s); }  // NOLINT: reads like the string it holds
    RareString(const std::string& s) { assign(s); }
    RareString(const char* s) { assign(s); }
    RareString(const RareString& o) { assign(o.view()); }
    RareString(RareString&& o) noexcept : ptr_(o.ptr_) { o.ptr_ = nullptr; }
    RareString& operator=(const RareString& o) {
        if (this != &o) assign(o.view());
        return *this;
    }
    RareString& operator=(RareString&& o) noexcept {
        if (this != &o) {
            release();
            ptr_ = o.ptr_;
            o.ptr_ = nullptr;
        }
        return *this;
    }
    RareString& operator=(std::string_view s) {
        assign(s);
        return *this;
    }
    RareString& operator=(const std::string& s) { return *this = std::string_view(s); }
    RareString& operator=(const char* s) { return *this = std::string_view(s); }
    ~RareString() { release(); }

    std::string_view view() const noexcept {
        return ptr_ ? std::string_view(ptr_ + kHeader, stored_length()) : std::string_view();
    }
    operator std::string_view() const noexcept { return view(); }  // NOLINT
    std::string str() const { return std::string(view()); }
    const char* data() const noexcept { return ptr_ ? ptr_ + kHeader : ""; }
    const char* c_str() const noexcept { return data(); }
    std::size_t size() const noexcept { return ptr_ ? stored_length() : 0; }
    std::size_t length() const noexcept { return size(); }
    bool empty() const noexcept { return ptr_ == nullptr; }
    void clear() noexcept { release(); }
    auto begin() const noexcept { return view().begin(); }
    auto end() const noexcept { return view().end(); }
    std::size_t find(std::string_view s, std::size_t pos = 0) const noexcept {
        return view().find(s, pos);
    }
    std::size_t find(char c, std::size_t pos = 0) const noexcept { return view().find(c, pos); }
    std::string_view substr(std::size_t pos, std::size_t n = std::string_view::npos) const {
        return view().substr(pos, n);
    }
    // The size of the one allocation (0 when empty), for Object::charge().
    std::size_t allocation_size() const noexcept {
        return ptr_ ? kHeader + stored_length() + 1 : 0;
    }

    friend bool operator==(const RareString& a, std::string_view b) noexcept {
        return a.view() == b;
    }
    friend bool operator==(const RareString& a, const RareString& b) noexcept {
        return a.view() == b.view();
    }
    // Exact matches, so comparing with a std::string or a literal is not ambiguous between the
    // two above.
    friend bool operator==(const RareString& a, const std::string& b) noexcept {
        return a.view() == b;
    }
    friend bool operator==(const RareString& a, const char* b) noexcept { return a.view() == b; }
    friend std::ostream& operator<<(std::ostream& os, const RareString& s) {
        return os << s.view();
    }

  private:
    static constexpr std::size_t kHeader = sizeof(std::uint32_t);

    std::uint32_t stored_length() const noexcept {
        std::uint32_t n;
        std::memcpy(&n, ptr_, sizeof n);
        return n;
    }
    void assign(std::string_view s) {
        if (s.size() > std::numeric_limits<std::uint32_t>::max())
            throw std::length_error("cache::RareString: longer than 4 GiB");
        char* fresh = nullptr;
        if (!s.empty()) {
            fresh = static_cast<char*>(::operator new(kHeader + s.size() + 1));
            const auto n = static_cast<std::uint32_t>(s.size());
            std::memcpy(fresh, &n, sizeof n);
            std::memcpy(fresh + kHeader, s.data(), s.size());
            fresh[kHeader + s.size()] = '\0';
        }
        release();
        ptr_ = fresh;
    }
    void release() noexcept {
        ::operator delete(ptr_);
        ptr_ = nullptr;
    }

    char* ptr_ = nullptr;  // [u32 length][characters]['\0'], or null when empty
};

}  // namespace larder::cache
