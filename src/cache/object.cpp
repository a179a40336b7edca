// Object::charge(): what one stored object really costs, measured against this standard library
// and allocator (every allocation at what malloc holds for it: detail::heap_cost).
//
// The fixed part is found once by asking the library itself: a recording allocator is handed to
// std::allocate_shared<Object> and remembers the size of the single allocation it makes (the
// in-place control block holding the Object); an empty allocator does not change its layout, so
// the size equals that of make_shared. Everything else of the store is intrusive and allocated
// with `new` at exactly its sizeof (src/cache/entry.hpp): one detail::Slot per object and one
// detail::Entry per key. The bucket arrays of the entry table and the URL index are charged by
// the shard as a whole (detail::Lru::index_bytes), not per object. A variant's entry also holds
// its normalised Vary in a std::string of its own. The entry keeps no copy of the key (it views
// the object's).
#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>

#include "entry.hpp"
#include "heap_cost.hpp"
#include "larder/cache/object.hpp"
#include "larder/cache/tags.hpp"
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
        if (n == 1) g_recorded = std::max(g_recorded, sizeof(T));
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

using detail::heap_cost;

std::size_t compute_bookkeeping() {
    return heap_cost(measure_shared_allocation()) + heap_cost(sizeof(detail::Slot)) +
           heap_cost(sizeof(detail::Entry));
}

// Bytes a string holds on the heap: nothing while it fits in the inline (SSO) buffer.
std::size_t heap_bytes(const std::string& s) {
    static const std::size_t inline_capacity = std::string().capacity();
    return s.capacity() > inline_capacity ? heap_cost(s.capacity() + 1) : 0;
}

// Bytes a std::string built from `length` characters of a string_view holds on the heap.
std::size_t heap_bytes_of_copy(std::size_t length) {
    static const std::size_t inline_capacity = std::string().capacity();
    return length > inline_capacity ? heap_cost(length + 1) : 0;
}

std::size_t heap_bytes(const RareString& s) {
    return heap_cost(s.allocation_size());
}

// One other coding of an object: its make_shared block and what its strings hold.
std::size_t representation_charge(const Object& r) {
    static const std::size_t block = heap_cost(measure_shared_allocation());
    return block + heap_bytes(r.head) + heap_bytes(r.body) + heap_bytes(r.meta.etag) +
           heap_bytes(r.meta.vary);
}

}  // namespace

std::size_t Object::bookkeeping_bytes() {
    static const std::size_t bytes = compute_bookkeeping();
    return bytes;
}

std::size_t Object::charge() const {
    const bool variant = key.find(kVariantSeparator) != std::string::npos;
    std::size_t tag_bytes = heap_bytes(tags);
    for_each_tag(tags, [&](std::string_view tag) { tag_bytes += detail::tag_charge(tag.size()); });
    std::size_t encoding_bytes =
        encodings.others.allocated()
            ? heap_cost(sizeof(std::vector<ObjectPtr>)) +
                  heap_cost(encodings.others.capacity() * sizeof(ObjectPtr))
            : 0;
    for (const auto& other : encodings.others) encoding_bytes += representation_charge(*other);
    // rule_name is interned (one copy per rule for the whole process): nothing per object.
    return bookkeeping_bytes() + encoding_bytes + tag_bytes + heap_bytes(key) + heap_bytes(head) +
           heap_bytes(body) + heap_bytes(meta.etag) + heap_bytes(meta.vary) + heap_bytes(url) +
           heap_bytes(url_query) +
           (variant ? heap_cost(sizeof(std::string)) + heap_bytes_of_copy(meta.vary.size()) : 0);
}

}  // namespace larder::cache
