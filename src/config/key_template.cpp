// key_template_error: scans "${...}" placeholders of a cache-key template. Text outside
// placeholders is literal; a '$' not followed by '{' is literal too.
#include <array>
#include <vector>

#include "checks.hpp"
#include "suggest.hpp"

namespace larder::config::detail {

namespace {

constexpr std::array<std::string_view, 5> kPlain = {"scheme", "host", "path", "query", "method"};
constexpr std::array<std::string_view, 2> kNamed = {"cookie", "header"};
constexpr std::string_view kExpected =
    "${scheme}, ${host}, ${path}, ${query}, ${method}, ${cookie:NAME} or ${header:NAME}";

std::optional<std::string> placeholder_error(std::string_view inside) {
    for (auto plain : kPlain) {
        if (inside == plain) return std::nullopt;
    }
    const auto colon = inside.find(':');
    if (colon != std::string_view::npos) {
        const auto kind = inside.substr(0, colon);
        for (auto named : kNamed) {
            if (kind != named) continue;
            if (colon + 1 == inside.size()) {
                return "${" + std::string(inside) + "} needs a name, as in ${" + std::string(kind) +
                       ":NAME}";
            }
            return std::nullopt;
        }
    }
    std::string problem = "unknown placeholder ${" + std::string(inside) + "}";
    std::vector<std::string> known(kPlain.begin(), kPlain.end());
    const auto word = colon == std::string_view::npos ? inside : inside.substr(0, colon);
    if (colon != std::string_view::npos) known.assign(kNamed.begin(), kNamed.end());
    if (auto guess = closest(word, known)) {
        const auto rest = colon == std::string_view::npos ? "" : inside.substr(colon);
        problem += " (did you mean ${" + *guess + std::string(rest) + "}?)";
    } else {
        problem += "; expected " + std::string(kExpected);
    }
    return problem;
}

}  // namespace

std::optional<std::string> key_template_error(std::string_view text) {
    std::size_t i = 0;
    while ((i = text.find("${", i)) != std::string_view::npos) {
        const auto close = text.find('}', i + 2);
        if (close == std::string_view::npos) {
            return "unclosed \"${\" at offset " + std::to_string(i);
        }
        if (auto error = placeholder_error(text.substr(i + 2, close - i - 2))) return error;
        i = close + 1;
    }
    return std::nullopt;
}

}  // namespace larder::config::detail
