#include "larder/obs/rule_rows.hpp"

#include <algorithm>

namespace larder::obs {

std::uint32_t RuleRows::row_for(std::string_view name) {
    std::lock_guard lock(mutex_);
    auto found = std::find(names_.begin(), names_.end(), name);
    if (found != names_.end()) return static_cast<std::uint32_t>(found - names_.begin());
    if (names_.size() >= capacity_) return static_cast<std::uint32_t>(capacity_);
    names_.emplace_back(name);
    return static_cast<std::uint32_t>(names_.size() - 1);
}

std::vector<std::string> RuleRows::names() const {
    std::lock_guard lock(mutex_);
    return names_;
}

}  // namespace larder::obs
