// Object::charge(): what one stored object really costs, measured against this standard library.
//
// The fixed part is found once by asking the library itself: a recording allocator is handed to
// std::allocate_shared<Object> and to the store's own map types, and remembers the size of the
// single-element allocations they make (the in-place control block holding the Object, the
// node of the per-key entry map, the node of the URL index). An empty allocator does not change
// either layout, so the sizes equal those of make_shared and of std::allocator-based maps. The
// store allocates one detail::Slot per object with `new` (sizeof(Slot) exactly). The bucket
// arrays add one pointer per node at a load factor of 1. Malloc's own per-chunk header is not
// counted. The entry's copy of the primary key is a std::string built from a string_view: its
// capacity is the key's length, on the heap once that exceeds the inline (SSO) buffer.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>

#include "entry.hpp"
#include "larder/cache/object.hpp"
#include "larder/cache/vary.hpp"

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

template <class Map>
std::size_t measure_node(typename Map::key_type key) {
    g_recorded = 0;
    Map map;
    map.try_emplace(std::move(key));
    return g_recorded;
}

std::size_t compute_bookkeeping() {
    using EntryAlloc = RecordingAllocator<std::pair<const detail::EntryKey, detail::Entry>>;
    return measure_shared_allocation() + sizeof(detail::Slot) +
           measure_node<detail::BasicEntryMap<EntryAlloc>>(detail::EntryKey{"k", 0}) +
           sizeof(void*);
}

std::size_t compute_url_index() {
    using UrlAlloc = RecordingAllocator<std::pair<const std::string_view, detail::Slot*>>;
    return measure_node<detail::BasicUrlIndex<UrlAlloc>>(std::string_view("u")) + sizeof(void*);
}

// Bytes a string holds on the heap: nothing while it fits in the inline (SSO) buffer.
std::size_t heap_bytes(const std::string& s) {
    static const std::size_t inline_capacity = std::string().capacity();
    return s.capacity() > inline_capacity ? s.capacity() + 1 : 0;
}

// Bytes a std::string built from `length` characters of a string_view holds on the heap.
std::size_t heap_bytes_of_copy(std::size_t length) {
    static const std::size_t inline_capacity = std::string().capacity();
    return length > inline_capacity ? length + 1 : 0;
}

}  // namespace

std::size_t Object::bookkeeping_bytes() {
    static const std::size_t bytes = compute_bookkeeping();
    return bytes;
}

std::size_t Object::charge() const {
    static const std::size_t url_index = compute_url_index();
    return bookkeeping_bytes() + heap_bytes(key) + heap_bytes(head) + heap_bytes(body) +
           heap_bytes(rule_name) + heap_bytes(meta.etag) + heap_bytes(meta.vary) + heap_bytes(url) +
           heap_bytes(url_query) + heap_bytes_of_copy(primary_of(key).size()) +
           (url.empty() ? 0 : url_index);
}

}  // namespace larder::cache
