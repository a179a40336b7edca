#include "larder/rules/glob.hpp"

namespace larder::rules {

Glob::Glob(std::string_view pattern) : pattern_(pattern) {
    if (pattern_.find('*') == std::string::npos) return;
    std::size_t start = 0;
    while (true) {
        std::size_t star = pattern_.find('*', start);
        std::size_t end = star == std::string::npos ? pattern_.size() : star;
        pieces_.push_back(
            {static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end - start)});
        if (star == std::string::npos) break;
        start = star + 1;
    }
}

bool Glob::matches(std::string_view text) const {
    if (pieces_.empty()) return text == pattern_;
    std::string_view first = piece(pieces_.front());
    std::string_view last = piece(pieces_.back());
    if (text.size() < first.size() + last.size()) return false;
    if (!text.starts_with(first) || !text.ends_with(last)) return false;
    text.remove_prefix(first.size());
    text.remove_suffix(last.size());
    for (std::size_t i = 1; i + 1 < pieces_.size(); ++i) {
        std::string_view middle = piece(pieces_[i]);
        if (middle.empty()) continue;
        std::size_t at = text.find(middle);
        if (at == std::string_view::npos) return false;
        text.remove_prefix(at + middle.size());
    }
    return true;
}

bool any_matches(const std::vector<Glob>& globs, std::string_view text) {
    for (const auto& g : globs)
        if (g.matches(text)) return true;
    return false;
}

}  // namespace larder::rules
