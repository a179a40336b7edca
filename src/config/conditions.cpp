// Rule conditions: `cookies = { NAME = "present" | "absent" | "empty" | { equals = "v" } |
// { regex = "p" } }`, and the same for `query` and `headers`.
#include "checks.hpp"
#include "sections.hpp"

namespace larder::config::detail {

namespace {

constexpr std::string_view kExpected =
    "\"present\", \"absent\", \"empty\", { equals = \"...\" } or { regex = \"...\" }";

Condition read_table_condition(Reader& c, const toml::node& node) {
    Condition out;
    std::string equals;
    std::string regex;
    const bool has_equals = c.string("equals", equals, /*allow_empty=*/true);
    const bool has_regex = c.string("regex", regex);
    c.finish();
    if (has_equals == has_regex) {
        c.fail_at(node, c.path(),
                  "expected exactly one of { equals = \"...\" } or "
                  "{ regex = \"...\" }");
    }
    if (has_equals) {
        out.kind = Condition::Kind::Equals;
        out.value = std::move(equals);
    } else {
        if (auto problem = regex_error(regex)) c.fail("regex", *problem);
        out.kind = Condition::Kind::Regex;
        out.value = std::move(regex);
    }
    return out;
}

}  // namespace

std::vector<Condition> read_conditions(Reader& rule, std::string_view name) {
    auto table = rule.table(name);
    if (!table) return {};
    std::vector<Condition> out;
    for (const auto& [key, node] : table->table()) {
        const std::string path = table->key(key.str());
        Condition condition;
        if (const auto* s = node.as_string()) {
            if (s->get() == "present") {
                condition.kind = Condition::Kind::Present;
            } else if (s->get() == "absent") {
                condition.kind = Condition::Kind::Absent;
            } else if (s->get() == "empty") {
                condition.kind = Condition::Kind::Empty;
            } else {
                table->fail(key.str(),
                            "expected " + std::string(kExpected) + ", got " + show(node));
            }
        } else if (const auto* t = node.as_table()) {
            Reader inner(rule.file(), *t, path);
            condition = read_table_condition(inner, node);
        } else {
            table->fail(key.str(), "expected " + std::string(kExpected) + ", got " + show(node));
        }
        if (key.str().empty()) table->fail(key.str(), "the name must not be empty");
        condition.name = std::string(key.str());
        out.push_back(std::move(condition));
    }
    return out;
}

}  // namespace larder::config::detail
