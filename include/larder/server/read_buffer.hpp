// server::ReadBuffer: a client connection's read buffer, a vector of chars whose new elements
// are left uninitialised.
//
// recv() writes every byte before anything reads it, so zero-filling the buffer each time it
// grows or is made anew (8 KiB per keep-alive request, since an idle session gives its buffer
// back: session.hpp) was pure waste: 17% of a pass request's instructions. Everything else is
// std::vector.
#pragma once

#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace larder::server {

template <class T>
struct DefaultInitAllocator : std::allocator<T> {
    using value_type = T;
    DefaultInitAllocator() noexcept = default;
    template <class U>
    DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
    template <class U>
    struct rebind {
        using other = DefaultInitAllocator<U>;
    };
    // Value-initialisation (resize) becomes default-initialisation: no zeroing for chars.
    template <class U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

using ReadBuffer = std::vector<char, DefaultInitAllocator<char>>;

}  // namespace larder::server
