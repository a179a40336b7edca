#include "larder/upstream/selector.hpp"

#include <algorithm>
#include <string>

namespace larder::upstream {

std::string_view to_string(config::Balance b) {
    switch (b) {
        case config::Balance::RoundRobin:
            return "round_robin";
        case config::Balance::LeastConn:
            return "least_conn";
        case config::Balance::RandomTwo:
            return "random_two";
        case config::Balance::Hash:
            return "hash";
    }
    return "unknown";
}

std::uint64_t stable_hash(std::string_view data, std::uint64_t seed) {
    std::uint64_t h = 0xcbf29ce484222325ULL ^ (seed * 0x9e3779b97f4a7c15ULL);
    for (unsigned char c : data) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    // splitmix64 finaliser: FNV alone leaves similar keys close together on the ring.
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

Selector::Selector(const HealthTable& table, config::Balance balance, std::uint64_t seed)
    : table_(table),
      balance_(balance),
      current_(table.size(), 0),
      weight_(table.size(), 0),
      is_candidate_(table.size(), false),
      random_(seed) {
    candidates_.reserve(table.size());
    if (balance_ != config::Balance::Hash) return;
    for (std::size_t i = 0; i < table.size(); ++i) {
        const ServerInfo& info = table.info(i);
        auto& ring = info.backup ? ring_backup_ : ring_primary_;
        unsigned points = info.weight * kPointsPerWeight;
        for (unsigned p = 0; p < points; ++p)
            ring.push_back({stable_hash(info.name + '#' + std::to_string(p)), i});
    }
    auto by_hash = [](const Point& a, const Point& b) {
        return a.hash < b.hash || (a.hash == b.hash && a.server < b.server);
    };
    std::sort(ring_primary_.begin(), ring_primary_.end(), by_hash);
    std::sort(ring_backup_.begin(), ring_backup_.end(), by_hash);
}

std::uint64_t Selector::effective_weight(std::size_t i, TimePoint now) const {
    double w = static_cast<double>(table_.info(i).weight * kScale) * table_.ramp(i, now);
    return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(w));
}

bool Selector::has_room(std::size_t i) const {
    std::size_t limit = table_.info(i).max_connections;
    return limit == 0 || table_.active(i) < limit;
}

void Selector::gather(TimePoint now, const std::vector<bool>& tried) {
    candidates_.clear();
    std::fill(is_candidate_.begin(), is_candidate_.end(), false);
    for (bool backups : {false, true}) {
        for (std::size_t i = 0; i < table_.size(); ++i) {
            if (table_.info(i).backup != backups) continue;
            if (i < tried.size() && tried[i]) continue;
            if (!table_.available(i, now)) continue;
            candidates_.push_back(i);
        }
        backup_tier_ = backups;
        if (!candidates_.empty()) break;
    }
    // Hashing keeps a key on its server even when that server is full (the request queues).
    if (balance_ != config::Balance::Hash &&
        std::any_of(candidates_.begin(), candidates_.end(), [&](auto i) { return has_room(i); }) &&
        !std::all_of(candidates_.begin(), candidates_.end(), [&](auto i) { return has_room(i); })) {
        std::erase_if(candidates_, [&](auto i) { return !has_room(i); });
    }
    for (std::size_t i : candidates_) {
        is_candidate_[i] = true;
        weight_[i] = effective_weight(i, now);
    }
}

std::optional<std::size_t> Selector::pick(TimePoint now, std::string_view hash_key,
                                          const std::vector<bool>& tried) {
    gather(now, tried);
    if (candidates_.empty()) return std::nullopt;
    if (candidates_.size() == 1) return candidates_.front();
    switch (balance_) {
        case config::Balance::RoundRobin:
            return round_robin();
        case config::Balance::LeastConn:
            return least_conn();
        case config::Balance::RandomTwo:
            return random_two();
        case config::Balance::Hash:
            if (hash_key.empty()) return round_robin();
            return consistent_hash(hash_key, now);
    }
    return round_robin();
}

std::size_t Selector::round_robin() {
    std::int64_t total = 0;
    std::size_t best = candidates_.front();
    for (std::size_t i : candidates_) {
        current_[i] += static_cast<std::int64_t>(weight_[i]);
        total += static_cast<std::int64_t>(weight_[i]);
        if (current_[i] > current_[best]) best = i;
    }
    current_[best] -= total;
    return best;
}

bool Selector::less_loaded(std::size_t a, std::size_t b) const {
    std::uint64_t load_a = std::uint64_t{table_.active(a)} + 1;
    std::uint64_t load_b = std::uint64_t{table_.active(b)} + 1;
    return load_a * weight_[b] < load_b * weight_[a];
}

std::size_t Selector::least_conn() {
    const std::size_t n = candidates_.size();
    std::size_t start = rotate_++ % n;
    std::size_t best = candidates_[start];
    for (std::size_t k = 1; k < n; ++k) {
        std::size_t i = candidates_[(start + k) % n];
        if (less_loaded(i, best)) best = i;
    }
    return best;
}

std::size_t Selector::weighted_draw(std::uint64_t total, std::size_t skip) {
    std::uint64_t r = std::uniform_int_distribution<std::uint64_t>(0, total - 1)(random_);
    for (std::size_t i : candidates_) {
        if (i == skip) continue;
        if (r < weight_[i]) return i;
        r -= weight_[i];
    }
    return candidates_.back() == skip ? candidates_.front() : candidates_.back();
}

std::size_t Selector::random_two() {
    std::uint64_t total = 0;
    for (std::size_t i : candidates_) total += weight_[i];
    std::size_t a = weighted_draw(total, table_.size());
    std::size_t b = weighted_draw(total - weight_[a], a);
    return less_loaded(b, a) ? b : a;
}

std::optional<std::size_t> Selector::consistent_hash(std::string_view key, TimePoint now) {
    const auto& ring = backup_tier_ ? ring_backup_ : ring_primary_;
    if (ring.empty()) return round_robin();
    std::uint64_t h = stable_hash(key);
    auto it = std::lower_bound(ring.begin(), ring.end(), h,
                               [](const Point& p, std::uint64_t v) { return p.hash < v; });
    std::size_t start = static_cast<std::size_t>(it - ring.begin());
    std::optional<std::size_t> first_candidate;
    for (std::size_t k = 0; k < ring.size(); ++k) {
        std::size_t server = ring[(start + k) % ring.size()].server;
        if (!is_candidate_[server]) continue;
        if (!first_candidate) first_candidate = server;
        double ramp = table_.ramp(server, now);
        if (ramp >= 1.0) return server;
        // This key's own place in [0, 1) for this server: the key stays once the ramp passes it.
        double u = static_cast<double>(stable_hash(key, server + 1) >> 11) * 0x1.0p-53;
        if (u < ramp) return server;
    }
    return first_candidate;
}

}  // namespace larder::upstream
