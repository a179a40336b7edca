// cache::RareVector<T>: a list field of a stored object that is usually empty (the other content
// codings, Encodings::others): one pointer wide, nothing allocated while empty.
//
// A std::vector costs 24 bytes in every object; most objects have no other coding. A non-empty
// RareVector owns one std::vector on the heap. It offers the part of std::vector those fields
// use (push_back, reserve, iteration, size, indexing). Nothing is allocated until the first
// push_back or reserve; clear() frees it.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace larder::cache {

template <class T>
class RareVector {
  public:
    RareVector() noexcept = default;
    RareVector(const RareVector& o)
        : v_(o.v_ ? std::make_unique<std::vector<T>>(*o.v_) : nullptr) {}
    RareVector(RareVector&&) noexcept = default;
    RareVector& operator=(const RareVector& o) {
        if (this != &o) v_ = o.v_ ? std::make_unique<std::vector<T>>(*o.v_) : nullptr;
        return *this;
    }
    RareVector& operator=(RareVector&&) noexcept = default;

    bool empty() const noexcept { return !v_ || v_->empty(); }
    std::size_t size() const noexcept { return v_ ? v_->size() : 0; }
    // Whether the heap std::vector exists, and its capacity (for Object::charge()).
    bool allocated() const noexcept { return v_ != nullptr; }
    std::size_t capacity() const noexcept { return v_ ? v_->capacity() : 0; }
    const T& operator[](std::size_t i) const { return (*v_)[i]; }
    const T* begin() const noexcept { return v_ ? v_->data() : nullptr; }
    const T* end() const noexcept { return v_ ? v_->data() + v_->size() : nullptr; }
    void push_back(T value) { list().push_back(std::move(value)); }
    void reserve(std::size_t n) {
        if (n) list().reserve(n);
    }
    void clear() noexcept { v_.reset(); }

  private:
    std::vector<T>& list() {
        if (!v_) v_ = std::make_unique<std::vector<T>>();
        return *v_;
    }

    std::unique_ptr<std::vector<T>> v_;
};

}  // namespace larder::cache
