// The cache tests' global operator new and delete (counting_new_support.cpp): they count this
// thread's allocations (lookup_test: a hit allocates nothing) and what malloc holds for every live
// allocation of the process (memory_accounting_test: the store charges all it holds). Not under
// the sanitizers, which bring their own operator new: LARDER_COUNT_ALLOCATIONS is then undefined.
#pragma once

#include <cstddef>
#include <cstdint>

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define LARDER_COUNT_ALLOCATIONS 1
#endif

namespace larder::cache::testing {

// Allocations made by the calling thread so far.
std::size_t thread_allocations();
// What malloc holds for the live allocations of all threads, at detail::heap_cost of each
// request.
std::int64_t held_bytes();

}  // namespace larder::cache::testing
