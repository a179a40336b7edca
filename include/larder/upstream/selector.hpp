// upstream::Selector: which server the next request goes to. One per worker's Pool, so per
// worker and configuration generation (it keeps the round-robin and random state, unshared,
// and starts it anew after a reload that changed [upstream]); it only reads the shared
// HealthTable.
//
// Candidates are the available primaries not yet tried by this request; only when none is left
// do backups become candidates; none at all means "no healthy server" (nullopt), decided at once.
// Among candidates, servers below their max_connections are preferred, so a full server gets a
// request (which then queues) only when every candidate is full. Each server's effective weight
// is weight x slow-start ramp, floored at 1/kScale of a weight so a just-recovered server still
// receives a trickle.
//
// - round_robin: smooth weighted round robin (weights 3:1 give a b a a, a b a a, ...).
// - least_conn:  fewest in-flight requests per unit of effective weight ((active+1)/weight, so a
//                ramping server with nothing in flight is not flooded); ties rotate.
// - random_two:  two servers drawn at random in proportion to effective weight; the less loaded.
// - hash:        consistent hashing of the request's key on a ring of kPointsPerWeight points per
//                unit of weight; an unavailable server's keys move to the next server on the ring
//                and only those keys move. A ramping server keeps a key only when the key's own
//                fraction in [0,1) is below its ramp, so its keys come back gradually.
//                An empty key falls back to round robin.
// Plain C++, time passed in: tests drive it without Asio.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

#include "larder/config/config.hpp"
#include "larder/upstream/health.hpp"

namespace larder::upstream {

std::string_view to_string(config::Balance b);

// 64-bit FNV-1a with a final mix: stable across runs and machines, so several Larder nodes map
// a key to the same server.
std::uint64_t stable_hash(std::string_view data, std::uint64_t seed = 0);

class Selector {
  public:
    static constexpr std::uint64_t kScale = 1000;
    static constexpr unsigned kPointsPerWeight = 40;

    Selector(const HealthTable& table, config::Balance balance, std::uint64_t seed = 0);

    // `tried[i]` marks servers this request already failed on (may be empty).
    std::optional<std::size_t> pick(TimePoint now, std::string_view hash_key = {},
                                    const std::vector<bool>& tried = {});

    config::Balance balance() const { return balance_; }

  private:
    struct Point {
        std::uint64_t hash;
        std::size_t server;
    };

    void gather(TimePoint now, const std::vector<bool>& tried);
    std::uint64_t effective_weight(std::size_t i, TimePoint now) const;
    bool has_room(std::size_t i) const;
    // (active+1)/weight of a is lower than b's
    bool less_loaded(std::size_t a, std::size_t b) const;
    std::size_t round_robin();
    std::size_t least_conn();
    std::size_t random_two();
    std::size_t weighted_draw(std::uint64_t total, std::size_t skip);
    std::optional<std::size_t> consistent_hash(std::string_view key, TimePoint now);

    const HealthTable& table_;
    config::Balance balance_;
    std::vector<std::int64_t> current_;  // smooth round robin state
    std::vector<std::uint64_t> weight_;  // effective weights of this pick
    std::vector<std::size_t> candidates_;
    std::vector<bool> is_candidate_;
    std::vector<Point> ring_primary_;
    std::vector<Point> ring_backup_;
    bool backup_tier_ = false;
    std::size_t rotate_ = 0;
    std::mt19937_64 random_;
};

}  // namespace larder::upstream
