// Object::charge(): what one stored object really costs, measured against this standard library.
//
// The fixed part is found once by asking the library itself: a recording allocator is handed to
// std::allocate_shared<Object> and to the store's own map type, and remembers the size of the
// single-element allocations they make (the in-place control block holding the Object, and the
// map node that is also the LRU link). An empty allocator does not change either layout, so the
// sizes equal those of make_shared and of std::allocator-based maps. The bucket array adds one
// pointer per object at a load factor of 1. Malloc's own per-chunk header is not counted.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>

#include "larder/cache/object.hpp"
#include "lru.hpp"

namespace larder::cache {

namespace {

std::size_t g_recorded = 0;  // only touched during the one-time measurement below

template <class T>
struct RecordingAllocator {
    using value_type = T;
    RecordingAllocator() = default;
    template <class U>
    RecordingAllocator(const RecordingAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) {
        // Bucket arrays are arrays of pointers; nodes and control blocks come one at a time.
        if (n == 1 && !std::is_pointer_v<T>) g_recorded = std::max(g_recorded, sizeof(T));
        return std::allocator<T>{}.allocate(n);
    }
    void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>{}.deallocate(p, n); }
    template <class U>
    bool operator==(const RecordingAllocator<U>&) const noexcept {
        return true;
    }
};

std::size_t measure_shared_allocation() {
    g_recorded = 0;
    auto p = std::allocate_shared<Object>(RecordingAllocator<Object>{});
    return g_recorded;
}

std::size_t measure_map_node() {
    using Alloc = RecordingAllocator<std::pair<const std::string_view, detail::Entry>>;
    g_recorded = 0;
    detail::BasicEntryMap<Alloc> map;
    map.try_emplace(std::string_view("k"));
    return g_recorded;
}

std::size_t compute_bookkeeping() {
    return measure_shared_allocation() + measure_map_node() + sizeof(void*);
}

// Bytes a string holds on the heap: nothing while it fits in the inline (SSO) buffer.
std::size_t heap_bytes(const std::string& s) {
    static const std::size_t inline_capacity = std::string().capacity();
    return s.capacity() > inline_capacity ? s.capacity() + 1 : 0;
}

}  // namespace

std::size_t Object::bookkeeping_bytes() {
    static const std::size_t bytes = compute_bookkeeping();
    return bytes;
}

std::size_t Object::charge() const {
    return bookkeeping_bytes() + heap_bytes(key) + heap_bytes(head) + heap_bytes(body) +
           heap_bytes(rule_name) + heap_bytes(meta.etag) + heap_bytes(meta.vary);
}

}  // namespace larder::cache
