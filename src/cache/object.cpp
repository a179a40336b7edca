// Object::make packs an ObjectDraft into one allocation; Object::charge() is what one stored
// object really costs, measured against this standard library and allocator (every allocation at
// what malloc holds for it: detail::heap_cost).
//
// An object is one `operator new` of exactly sizeof(Object) plus its texts (see object.hpp), so
// its cost is heap_cost of that size: nothing of the standard library sits between the object
// and malloc any more (no shared_ptr control block, no std::string buffer). Everything else of
// the store is intrusive and allocated with `new` at exactly its sizeof (src/cache/entry.hpp):
// one detail::Slot per object and one detail::Entry per key. The bucket arrays of the entry
// table and the URL index are charged by the shard as a whole (detail::Lru::index_bytes), not
// per object. A variant's entry also holds its normalised Vary in a std::string of its own. The
// entry keeps no copy of the key (it views the object's).
#include "larder/cache/object.hpp"

#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "entry.hpp"
#include "heap_cost.hpp"
#include "larder/cache/tags.hpp"
#include "larder/cache/vary.hpp"

namespace larder::cache {

namespace {

using detail::heap_cost;

// Bytes a std::string built from `length` characters of a string_view holds on the heap.
std::size_t heap_bytes_of_copy(std::size_t length) {
    static const std::size_t inline_capacity = std::string().capacity();
    return length > inline_capacity ? heap_cost(length + 1) : 0;
}

}  // namespace

ObjectPtr Object::make(const ObjectDraft& d) {
    const std::string_view texts[kTexts] = {d.key,  d.head,      d.url,      d.url_query,
                                            d.tags, d.meta.etag, d.meta.vary};
    std::size_t total = 0;
    for (std::string_view t : texts) total += t.size();
    if (total > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("cache::Object: texts over 4 GiB");
    void* memory = ::operator new(sizeof(Object) + total + d.body.size());
    auto* o = new (memory) Object();
    char* out = reinterpret_cast<char*>(o + 1);
    std::uint32_t end = 0;
    for (std::size_t i = 0; i < kTexts; ++i) {
        if (!texts[i].empty()) std::memcpy(out + end, texts[i].data(), texts[i].size());
        end += static_cast<std::uint32_t>(texts[i].size());
        o->ends_[i] = end;
    }
    if (!d.body.empty()) std::memcpy(out + end, d.body.data(), d.body.size());
    o->body_size_ = d.body.size();
    o->stored_at = d.stored_at;
    o->expires_at = d.expires_at;
    o->grace_until = d.grace_until;
    o->error_until = d.error_until;
    o->rule_name = d.rule_name;
    o->meta = d.meta;  // the Meta part; its texts are in the tail
    o->meta.has_etag = !d.meta.etag.empty();
    o->epoch = d.epoch;
    o->status = d.status;
    o->encodings = d.encodings;
    return ObjectPtr(o);
}

ObjectDraft Object::draft() const {
    ObjectDraft d;
    d.key = key();
    d.head = head();
    d.body = body();
    d.stored_at = stored_at;
    d.expires_at = expires_at;
    d.grace_until = grace_until;
    d.error_until = error_until;
    d.rule_name = rule_name;
    static_cast<Meta&>(d.meta) = meta;
    d.meta.etag = etag();
    d.meta.vary = vary();
    d.url = url();
    d.url_query = url_query();
    d.tags = tags();
    d.epoch = epoch;
    d.status = status;
    d.encodings = encodings;
    return d;
}

void Object::destroy(const Object* o) noexcept {
    o->~Object();
    ::operator delete(const_cast<Object*>(o));
}

std::size_t Object::allocation_bytes() const {
    return heap_cost(sizeof(Object) + ends_[kTexts - 1] + body_size_);
}

std::size_t Object::bookkeeping_bytes() {
    static const std::size_t bytes = heap_cost(sizeof(Object)) + heap_cost(sizeof(detail::Slot)) +
                                     heap_cost(sizeof(detail::Entry));
    return bytes;
}

std::size_t Object::charge() const {
    const std::string_view k = key();
    const bool variant = k.find(kVariantSeparator) != std::string_view::npos;
    std::size_t tag_bytes = 0;
    for_each_tag(tags(),
                 [&](std::string_view tag) { tag_bytes += detail::tag_charge(tag.size()); });
    std::size_t encoding_bytes =
        encodings.others.allocated()
            ? heap_cost(sizeof(std::vector<ObjectPtr>)) +
                  heap_cost(encodings.others.capacity() * sizeof(ObjectPtr))
            : 0;
    for (const auto& other : encodings.others) encoding_bytes += other->allocation_bytes();
    // rule_name is interned (one copy per rule for the whole process): nothing per object.
    return allocation_bytes() + heap_cost(sizeof(detail::Slot)) + heap_cost(sizeof(detail::Entry)) +
           encoding_bytes + tag_bytes +
           (variant ? heap_cost(sizeof(std::string)) + heap_bytes_of_copy(vary().size()) : 0);
}

}  // namespace larder::cache
