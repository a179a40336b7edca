// See counting_new.hpp. Each allocation carries its request size in a 16-byte header (keeping
// the 16-byte alignment malloc gives), so delete knows what to give back.
#include "counting_new.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

#include "../../../src/cache/heap_cost.hpp"

#ifdef LARDER_COUNT_ALLOCATIONS

namespace {

thread_local std::size_t g_allocations = 0;
std::atomic<std::int64_t> g_held{0};
constexpr std::size_t kHeader = 16;

void* counted_new(std::size_t n) {
    void* p = std::malloc(n + kHeader);
    if (!p) throw std::bad_alloc();
    *static_cast<std::size_t*>(p) = n;
    ++g_allocations;
    g_held += static_cast<std::int64_t>(larder::cache::detail::heap_cost(n));
    return static_cast<char*>(p) + kHeader;
}

void counted_delete(void* p) noexcept {
    if (!p) return;
    void* base = static_cast<char*>(p) - kHeader;
    g_held -= static_cast<std::int64_t>(
        larder::cache::detail::heap_cost(*static_cast<std::size_t*>(base)));
    std::free(base);
}

}  // namespace

void* operator new(std::size_t n) {
    return counted_new(n);
}
void* operator new[](std::size_t n) {
    return counted_new(n);
}
void operator delete(void* p) noexcept {
    counted_delete(p);
}
void operator delete[](void* p) noexcept {
    counted_delete(p);
}
void operator delete(void* p, std::size_t) noexcept {
    counted_delete(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    counted_delete(p);
}

namespace larder::cache::testing {
std::size_t thread_allocations() {
    return g_allocations;
}
std::int64_t held_bytes() {
    return g_held.load();
}
}  // namespace larder::cache::testing

#else

namespace larder::cache::testing {
std::size_t thread_allocations() {
    return 0;
}
std::int64_t held_bytes() {
    return 0;
}
}  // namespace larder::cache::testing

#endif
