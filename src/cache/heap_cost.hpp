// cache::detail::heap_cost: what the allocator really holds for one allocation of n bytes, so the
// store's byte budget (Object::charge and the store's own charges) counts the memory the process
// uses, not only the bytes asked for. Internal to src/cache/.
//
// glibc's malloc (which operator new calls) serves a request of n bytes from a chunk of n plus an
// 8-byte header, rounded up to 16 bytes, at least 32; requests from 128 KiB up (the default
// M_MMAP_THRESHOLD) are mapped on their own: n plus a 16-byte header, rounded up to 4 KiB pages.
// heap_cost_test checks the first rule against malloc_usable_size. Over a store of small objects
// this is what kept the resident set above max_size (issue 16: 7 allocations of a 512-byte page
// held about 110 bytes more than they were charged).
#pragma once

#include <cstddef>

namespace larder::cache::detail {

constexpr std::size_t kMmapThreshold = 128 * 1024;

constexpr std::size_t heap_cost(std::size_t n) {
    if (n == 0) return 0;
    if (n >= kMmapThreshold) return (n + 16 + 4095) & ~std::size_t{4095};
    const std::size_t chunk = (n + 8 + 15) & ~std::size_t{15};
    return chunk < 32 ? 32 : chunk;
}

}  // namespace larder::cache::detail
