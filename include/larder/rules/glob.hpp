// rules::Glob: a compiled shell-style pattern where '*' matches any run of characters
// (including '/' and the empty run); every other byte matches itself, case-sensitively.
//
// Invariants: a pattern is split once at construction into its literal pieces (stored as offsets
// into the owned pattern, so a Glob can be moved freely). matches() never allocates and never
// backtracks: with only '*' as a wildcard, matching the first piece as a prefix, the last as a
// suffix and every middle piece at its leftmost position is exact.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace larder::rules {

class Glob {
  public:
    explicit Glob(std::string_view pattern);

    bool matches(std::string_view text) const;
    // True when the pattern has no '*' (it is compared with ==).
    bool is_literal() const { return pieces_.empty(); }
    const std::string& pattern() const { return pattern_; }

  private:
    struct Piece {
        std::uint32_t offset;
        std::uint32_t size;
    };
    std::string_view piece(const Piece& p) const { return {pattern_.data() + p.offset, p.size}; }

    std::string pattern_;
    // Literal runs between stars, first and last included even when empty; empty when literal.
    std::vector<Piece> pieces_;
};

// True when any glob in `globs` matches `text`.
bool any_matches(const std::vector<Glob>& globs, std::string_view text);

}  // namespace larder::rules
