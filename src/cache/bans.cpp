#include "bans.hpp"

#include <algorithm>

namespace larder::cache {

const char* to_string(PurgeRefusal refusal) {
    switch (refusal) {
        case PurgeRefusal::None:
            return "none";
        case PurgeRefusal::TooManyPending:
            return "too_many_pending_purges";
    }
    return "unknown";
}

std::string purge_subject(const Object& object) {
    std::string_view url = object.url();
    if (auto scheme = url.find("://"); scheme != std::string_view::npos)
        url.remove_prefix(scheme + 3);
    std::string subject(url);
    if (!object.url_query().empty()) subject.append("?").append(object.url_query());
    return subject;
}

namespace detail {

std::uint64_t Bans::add(Purge purge, obs::TimePoint now) {
    std::lock_guard lock(mu_);
    if (bans_.size() >= max_pending_) return 0;
    const std::uint64_t id = latest_.load(std::memory_order_relaxed) + 1;
    bans_.push_back(Ban{.id = id, .purge = std::move(purge), .accepted = now});
    // Published after the ban is listed: whoever sees the new number (under mu_) finds it.
    latest_.store(id, std::memory_order_release);
    return id;
}

BanVerdict Bans::test(const Object& object, std::uint64_t& checked) {
    std::lock_guard lock(mu_);
    BanVerdict verdict = BanVerdict::Keep;
    Ban* taker = nullptr;
    for (auto it = std::upper_bound(bans_.begin(), bans_.end(), checked,
                                    [](std::uint64_t c, const Ban&b) { return c < b.id; });
         it != bans_.end(); ++it) {
        if (!it->purge.matches || !it->purge.matches(object)) continue;
        const BanVerdict v = it->purge.soft ? BanVerdict::Soften : BanVerdict::Remove;
        if (v > verdict || !taker) {
            if (v > verdict) verdict = v;
            taker = &*it;
        }
        if (verdict == BanVerdict::Remove) break;
    }
    if (taker) ++taker->counted;
    checked = latest_.load(std::memory_order_relaxed);
    return verdict;
}

void Bans::swept(std::uint64_t id) {
    std::lock_guard lock(mu_);
    for (auto& b : bans_)
        if (b.id == id) b.swept = true;
}

std::size_t Bans::counted(std::uint64_t id) {
    std::lock_guard lock(mu_);
    for (const auto& b : bans_)
        if (b.id == id) return b.counted;
    return 0;
}

std::size_t Bans::retire(obs::TimePoint now) {
    std::lock_guard lock(mu_);
    const auto before = bans_.size();
    std::erase_if(bans_, [&](const Ban& b) { return b.swept && now >= b.accepted + window_; });
    return before - bans_.size();
}

std::size_t Bans::pending() {
    std::lock_guard lock(mu_);
    return bans_.size();
}

}  // namespace detail
}  // namespace larder::cache
