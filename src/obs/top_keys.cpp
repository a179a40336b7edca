// TopKeys: the (weighted) Space-Saving update (under the block's mutex) and the reader's copy.
#include "larder/obs/top_keys.hpp"

#include <algorithm>

namespace larder::obs {

void TopKeys::count(std::string_view key, std::size_t hash, std::uint32_t weight) {
    for (std::size_t i = 0; i < used_; ++i) {
        if (slots_[i].hash == hash) {
            slots_[i].count += weight;
            return;
        }
    }
    Entry* slot = nullptr;
    std::uint64_t inherited = 0;
    if (used_ < kSlots) {
        slot = &slots_[used_++];
    } else {  // replace the least counted key; its count is the newcomer's possible error
        slot = &*std::min_element(slots_.begin(), slots_.end(),
                                  [](const Entry& a, const Entry& b) { return a.count < b.count; });
        inherited = slot->count;
    }
    slot->key.assign(key.substr(0, kMaxKeyBytes));
    slot->hash = hash;
    slot->count = inherited + weight;
    slot->error = inherited;
}

std::vector<TopKeys::Entry> TopKeys::snapshot() const {
    std::vector<Entry> out;
    {
        std::lock_guard lock(mu_);
        out.assign(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(used_));
    }
    std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
        return a.count != b.count ? a.count > b.count : a.key < b.key;
    });
    return out;
}

}  // namespace larder::obs
