// detail::closest: "did you mean" for unknown keys and placeholders.
//
// Plain Levenshtein distance over bytes; the closest candidate within `max_distance` wins, the
// earliest one on a tie, so suggestions are stable for a given list of known names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace larder::config::detail {

std::size_t edit_distance(std::string_view a, std::string_view b);
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& known,
                                   std::size_t max_distance = 2);

}  // namespace larder::config::detail
