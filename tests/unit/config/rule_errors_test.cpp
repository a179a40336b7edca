// Mistakes inside [[rules]]: each names the rule by index and points at the offending key.
// with_upstream() puts two lines first, so "[[rules]]" in a body is on line 3.
#include <gtest/gtest.h>

#include "config_test_util.hpp"

namespace larder::config {
namespace {

using testing::error_of;
using testing::with_upstream;

std::string rule_error(std::string_view rule_body) {
    return error_of(with_upstream("[[rules]]\nname = \"r\"\n" + std::string(rule_body))).what();
}

TEST(RuleErrors, NeitherCacheNorPass) {
    EXPECT_EQ(rule_error("path = \"/\"\n"),
              "test.toml:3:1: rules[0]: rule \"r\" needs an action: cache = \"<duration>\", "
              "cache = \"origin\" or pass = true");
    EXPECT_EQ(rule_error("pass = false\n"),
              "test.toml:3:1: rules[0]: rule \"r\" needs an action: cache = \"<duration>\", "
              "cache = \"origin\" or pass = true");
}

TEST(RuleErrors, BothCacheAndPass) {
    EXPECT_EQ(rule_error("cache = \"1m\"\npass = true\n"),
              "test.toml:6:1: rules[0].pass: a rule either caches (cache = \"<duration>\" or "
              "\"origin\") or passes (pass = true), not both");
}

TEST(RuleErrors, MissingAndDuplicateName) {
    EXPECT_STREQ(error_of(with_upstream("[[rules]]\npass = true\n")).what(),
                 "test.toml:3:1: rules[0].name: missing; every rule needs a name, as in name = "
                 "\"static files\"");
    EXPECT_STREQ(error_of(with_upstream("[[rules]]\nname = \"a\"\npass = true\n\n[[rules]]\n"
                                        "name = \"a\"\ncache = \"1s\"\n"))
                     .what(),
                 "test.toml:8:1: rules[1].name: duplicate rule name \"a\" (first defined at line "
                 "3)");
}

TEST(RuleErrors, UnknownKeyInRuleAndCondition) {
    EXPECT_EQ(rule_error("cach = \"60s\"\n"),
              "test.toml:5:1: rules[0].cach: unknown key (did you mean \"cache\"?)");
    EXPECT_EQ(rule_error("pass = true\ncookies = { a = { equal = \"x\" } }\n"),
              "test.toml:6:19: rules[0].cookies.a.equal: unknown key (did you mean \"equals\"?)");
    EXPECT_STREQ(error_of(with_upstream("[[rule]]\nname = \"r\"\n")).what(),
                 "test.toml:3:3: rule: unknown key (did you mean \"rules\"?)");
}

TEST(RuleErrors, BadDurationAndWrongType) {
    EXPECT_EQ(rule_error("cache = \"forever\"\n"),
              "test.toml:5:1: rules[0].cache: expected a duration such as \"90s\" or \"250ms\", "
              "got \"forever\"");
    EXPECT_EQ(rule_error("cache = \"0s\"\n"),
              "test.toml:5:1: rules[0].cache: must be greater than zero");
    EXPECT_EQ(rule_error("pass = \"true\"\n"),
              "test.toml:5:1: rules[0].pass: expected true or false, got \"true\"");
    EXPECT_EQ(rule_error("pass = true\npath = 5\n"),
              "test.toml:6:1: rules[0].path: expected a string or an array of strings, got an "
              "integer");
}

TEST(RuleErrors, BadPathsAndMethods) {
    EXPECT_EQ(rule_error("pass = true\npath = [\"/\", \"about\"]\n"),
              "test.toml:6:14: rules[0].path[1]: must start with '/', got \"about\"");
    EXPECT_EQ(rule_error("pass = true\npath_prefix = \"static/\"\n"),
              "test.toml:6:1: rules[0].path_prefix: must start with '/', got \"static/\"");
    EXPECT_EQ(rule_error("pass = true\nmethods = [\"GET\", \"NOT A METHOD\"]\n"),
              "test.toml:6:19: rules[0].methods[1]: expected an HTTP method such as \"GET\", got "
              "\"NOT A METHOD\"");
}

TEST(RuleErrors, BadRegex) {
    EXPECT_EQ(rule_error("pass = true\npath_regex = \"^/(a|b\"\n"),
              "test.toml:6:1: rules[0].path_regex: invalid regular expression: missing closing "
              "parenthesis at offset 6");
    EXPECT_EQ(rule_error("pass = true\nheaders = { Accept = { regex = \"[a-\" } }\n"),
              "test.toml:6:24: rules[0].headers.Accept.regex: invalid regular expression: missing "
              "terminating ] for character class at offset 3");
}

TEST(RuleErrors, BadCondition) {
    EXPECT_EQ(rule_error("pass = true\ncookies = { session = \"here\" }\n"),
              "test.toml:6:13: rules[0].cookies.session: expected \"present\", \"absent\", "
              "\"empty\", { equals = \"...\" } or { regex = \"...\" }, got \"here\"");
    EXPECT_EQ(rule_error("pass = true\nquery = { page = 1 }\n"),
              "test.toml:6:11: rules[0].query.page: expected \"present\", \"absent\", \"empty\", "
              "{ equals = \"...\" } or { regex = \"...\" }, got 1");
    EXPECT_EQ(rule_error("pass = true\nquery = { page = { equals = \"1\", regex = \"1\" } }\n"),
              "test.toml:6:18: rules[0].query.page: expected exactly one of { equals = \"...\" } "
              "or { regex = \"...\" }");
    EXPECT_EQ(rule_error("pass = true\nheaders = { \"X-A.B\" = {} }\n"),
              "test.toml:6:23: rules[0].headers.\"X-A.B\": expected exactly one of { equals = "
              "\"...\" } or { regex = \"...\" }");
    EXPECT_EQ(rule_error("pass = true\ncookies = \"session\"\n"),
              "test.toml:6:1: rules[0].cookies: expected a table, got \"session\"");
}

TEST(RuleErrors, BadKeyTemplate) {
    EXPECT_EQ(rule_error("cache = \"1s\"\nkey = \"${hots}${path}\"\n"),
              "test.toml:6:1: rules[0].key: unknown placeholder ${hots} (did you mean ${host}?)");
    EXPECT_EQ(rule_error("cache = \"1s\"\nkey = \"${path}${cokie:a}\"\n"),
              "test.toml:6:1: rules[0].key: unknown placeholder ${cokie:a} (did you mean "
              "${cookie:a}?)");
    EXPECT_EQ(rule_error("cache = \"1s\"\nkey = \"${whatever}\"\n"),
              "test.toml:6:1: rules[0].key: unknown placeholder ${whatever}; expected ${scheme}, "
              "${host}, ${path}, ${query}, ${method}, ${cookie:NAME} or ${header:NAME}");
    EXPECT_EQ(rule_error("cache = \"1s\"\nkey = \"${path}${cookie:}\"\n"),
              "test.toml:6:1: rules[0].key: ${cookie:} needs a name, as in ${cookie:NAME}");
    EXPECT_EQ(rule_error("cache = \"1s\"\nkey = \"${path\"\n"),
              "test.toml:6:1: rules[0].key: unclosed \"${\" at offset 0");
}

TEST(RuleErrors, BadVisitor) {
    EXPECT_EQ(rule_error("cache = \"1s\"\nvisitor = \"guest\"\n"),
              "test.toml:6:1: rules[0].visitor: expected \"any\", \"anonymous\" or "
              "\"authenticated\", got \"guest\"");
    EXPECT_EQ(rule_error("cache = \"1s\"\nvisitor = \"anonymous\"\n"),
              "test.toml:6:1: rules[0].visitor: visitor = \"anonymous\" needs [identity] cookies, "
              "flask_session or django_session");
    EXPECT_EQ(rule_error("pass = true\nvisitor = \"authenticated\"\n"),
              "test.toml:6:1: rules[0].visitor: visitor = \"authenticated\" needs [identity] "
              "cookies, flask_session or django_session");
}

TEST(RuleErrors, VisitorIsFineWithEitherIdentitySource) {
    const std::string rule = "[[rules]]\nname = \"r\"\ncache = \"1s\"\nvisitor = \"anonymous\"\n";
    EXPECT_NO_THROW(load_string(with_upstream("[identity]\ncookies = [\"sid\"]\n" + rule)));
    EXPECT_NO_THROW(load_string(with_upstream("[identity]\nflask_session = {}\n" + rule)));
}

}  // namespace
}  // namespace larder::config
