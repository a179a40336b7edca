// config::lint: each warning, and silence for configs that do what they say (the shipped
// config/larder.toml, the README's example, static files without [identity]).
// with_upstream() puts two lines first, so the first "[[rules]]" of a body is on line 3.
#include "larder/config/lint.hpp"

#include <gtest/gtest.h>

#include "config_test_util.hpp"

namespace larder::config {
namespace {

using namespace std::chrono_literals;
using testing::with_upstream;
using Lines = std::vector<std::string>;

constexpr std::string_view kIdentity =
    "[identity]\ncookies = [\"remember_token\"]\nflask_session = {}\n";

Lines render(const std::vector<Warning>& warnings) {
    Lines out;
    for (const auto& w : warnings)
        out.push_back(location("test.toml", w) + ": " + w.key + ": " + w.message);
    return out;
}

// Lints `body` (rules and sections) after an upstream and, unless `identity` is false, kIdentity.
Lines lint_toml(std::string_view body, bool identity = true) {
    std::string text = with_upstream(identity ? kIdentity : "");
    text += body;
    return render(lint(load_string(text, "test.toml")));
}

// The same, with the rules starting on line 3 (no [identity] lines before them).
Lines lint_rules(std::string_view rules, std::string_view identity_after = kIdentity) {
    return render(
        lint(load_string(with_upstream(rules) + std::string(identity_after), "test.toml")));
}

RuleConfig cache_rule(std::string name, int line) {
    RuleConfig r;
    r.name = std::move(name);
    r.line = line;
    r.ttl = 60s;
    r.ignore_cookies = true;
    r.path_prefixes = {"/static/"};
    return r;
}

Config with_rules(std::vector<RuleConfig> rules) {
    Config c;
    c.identity.cookies = {"remember_token"};
    c.rules = std::move(rules);
    return c;
}

// ---- no warnings ------------------------------------------------------------------------------

TEST(Lint, ShippedConfigHasNone) {
    const Config c = load_file(std::string(LARDER_TEST_DATA) + "/../../config/larder.toml");
    EXPECT_EQ(render(lint(c)), Lines{});
}

TEST(Lint, SensibleConfigsHaveNone) {
    EXPECT_EQ(lint_rules(""), Lines{});
    EXPECT_EQ(lint_rules("", ""), Lines{});
    // The README's example, plus a members-only area that passes and a cached home page per
    // language.
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"anonymous pages\"\npath = [\"/\", \"/about\", "
                         "\"/project/*\"]\nvisitor = \"anonymous\"\ncache = \"60s\"\n"
                         "strip_set_cookie = true\n"
                         "[[rules]]\nname = \"static files\"\npath_prefix = \"/static/\"\n"
                         "cache = \"1h\"\nignore_cookies = true\n"
                         "[[rules]]\nname = \"members\"\npath_prefix = \"/account/\"\n"
                         "pass = true\n"
                         "[[rules]]\nname = \"home by language\"\npath = \"/home\"\n"
                         "cookies = { lang = \"present\" }\nvary_cookies = [\"lang\"]\n"
                         "cache = \"30s\"\n"
                         "[[rules]]\nname = \"home\"\npath = \"/home\"\ncache = \"30s\"\n"
                         "[[rules]]\nname = \"forms\"\nmethods = [\"POST\", \"PUT\"]\n"
                         "pass = true\n"),
              Lines{});
    // Without [identity], a site that caches only static files.
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"static\"\npath_prefix = \"/static/\"\n"
                         "cache = \"1h\"\nignore_cookies = true\n"
                         "[[rules]]\nname = \"admin\"\npath_prefix = \"/admin/\"\npass = true\n",
                         ""),
              Lines{});
}

// ---- a. shadowed rules ------------------------------------------------------------------------

TEST(Lint, RuleShadowedByAnEarlierOne) {
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"a\"\npath_prefix = \"/\"\npass = true\n"
                         "[[rules]]\nname = \"b\"\npath = \"/about\"\npass = true\n"),
              Lines{"test.toml:7: rules[1]: rule \"b\" (line 7) can never match: rule \"a\" "
                    "(line 3) matches every request it would"});
}

TEST(Lint, ShadowingThroughPathsPrefixesAndGlobs) {
    auto shadowed = [](std::string_view first, std::string_view second) {
        const Lines lines = lint_rules("[[rules]]\nname = \"a\"\n" + std::string(first) +
                                       "\n[[rules]]\nname = "
                                       "\"b\"\n" +
                                       std::string(second) + "\n");
        return lines.size() == 1 &&
               lines[0].find("can never match: rule \"a\"") != std::string::npos;
    };
    // No path matcher at all.
    EXPECT_TRUE(shadowed("pass = true", "path = \"/x\"\npass = true"));
    // The same exact paths, in any order, and a subset of them.
    EXPECT_TRUE(
        shadowed("path = [\"/a\", \"/b\"]\npass = true", "path = [\"/b\", \"/a\"]\npass = true"));
    EXPECT_TRUE(shadowed("path = [\"/a\", \"/b\"]\npass = true", "path = \"/b\"\npass = true"));
    // A prefix that starts every later path and prefix.
    EXPECT_TRUE(shadowed("path_prefix = \"/blog/\"\npass = true",
                         "path = [\"/blog/1\", \"/blog/*/edit\"]\npass = true"));
    EXPECT_TRUE(shadowed("path_prefix = [\"/a/\", \"/b/\"]\npass = true",
                         "path_prefix = [\"/b/x/\", \"/a/\"]\npass = true"));
    // A glob ending in '*' covers paths, globs and prefixes under it; any glob covers exact paths
    // it matches.
    EXPECT_TRUE(shadowed("path = \"/static/*\"\npass = true",
                         "path_prefix = \"/static/css/\"\npass = true"));
    EXPECT_TRUE(
        shadowed("path = \"/p/*\"\npass = true", "path = [\"/p/1\", \"/p/2/*\"]\npass = true"));
    EXPECT_TRUE(
        shadowed("path = \"/*.css\"\npass = true", "path = \"/static/app.css\"\npass = true"));
    EXPECT_TRUE(shadowed("path = \"/*\"\npass = true", "path_prefix = \"/x\"\npass = true"));
    // Methods, hosts and conditions that include the later rule's.
    EXPECT_TRUE(shadowed(
        "methods = [\"GET\", \"HEAD\", \"POST\"]\nhost = [\"a.com\", \"b.com\"]\npass = true",
        "methods = \"POST\"\nhost = \"B.com\"\npass = true"));
    EXPECT_TRUE(
        shadowed("cookies = { theme = \"present\" }\npass = true",
                 "cookies = { theme = { equals = \"dark\" }, lang = \"absent\" }\npass = true"));
    EXPECT_TRUE(shadowed("query = { q = \"empty\" }\npass = true",
                         "query = { q = { equals = \"\" } }\npass = true"));
    EXPECT_TRUE(shadowed("headers = { Accept = { regex = \"^t\" } }\npass = true",
                         "headers = { accept = { regex = \"^t\" } }\npass = true"));
    EXPECT_TRUE(shadowed("path_regex = \"^/x\"\npass = true",
                         "path_regex = \"^/x\"\npath = \"/x/1\"\npass = true"));
    // Visitors: an earlier caching rule only covers anonymous visitors, as does a later one.
    EXPECT_TRUE(shadowed("cache = \"1m\"", "path = \"/\"\ncache = \"5m\""));
    EXPECT_TRUE(shadowed("cache = \"1m\"", "visitor = \"anonymous\"\npass = true"));
    EXPECT_TRUE(shadowed("cache = \"1m\"\nignore_cookies = true\npath_prefix = \"/static/\"",
                         "path_prefix = \"/static/\"\npass = true"));
}

TEST(Lint, NotShadowedWhenSomeRequestGetsThrough) {
    auto quiet = [](std::string_view first, std::string_view second) {
        return lint_rules("[[rules]]\nname = \"a\"\n" + std::string(first) +
                          "\n[[rules]]\nname = \"b\"\n" + std::string(second) + "\n")
            .empty();
    };
    EXPECT_TRUE(quiet("path = \"/a\"\npass = true", "path = [\"/a\", \"/b\"]\npass = true"));
    EXPECT_TRUE(quiet("path = \"/a\"\npass = true", "path_prefix = \"/a\"\npass = true"));
    EXPECT_TRUE(
        quiet("path_prefix = \"/blog/\"\npass = true", "path_prefix = \"/blog\"\npass = true"));
    EXPECT_TRUE(quiet("path_prefix = \"/blog/\"\npass = true", "path = \"/*/blog/\"\npass = true"));
    EXPECT_TRUE(quiet("path = \"/p/*/x\"\npass = true", "path_prefix = \"/p/\"\npass = true"));
    EXPECT_TRUE(quiet("path_regex = \"^/x\"\npass = true", "path = \"/x\"\npass = true"));
    EXPECT_TRUE(quiet("methods = \"GET\"\npass = true", "pass = true"));
    EXPECT_TRUE(quiet("host = \"a.com\"\npass = true", "pass = true"));
    EXPECT_TRUE(quiet("cookies = { theme = \"present\" }\npass = true", "pass = true"));
    EXPECT_TRUE(quiet("cookies = { theme = { equals = \"dark\" } }\npass = true",
                      "cookies = { theme = \"present\" }\npass = true"));
    EXPECT_TRUE(quiet("query = { q = { regex = \"a\" } }\npass = true",
                      "query = { q = { regex = \"b\" } }\npass = true"));
    // A caching rule lets logged-in visitors through to later rules.
    EXPECT_TRUE(quiet("cache = \"1m\"", "pass = true"));
    EXPECT_TRUE(quiet("visitor = \"anonymous\"\npass = true",
                      "cache = \"1m\"\nignore_cookies = true\npath = \"/a.css\""));
    EXPECT_TRUE(
        quiet("visitor = \"anonymous\"\npass = true", "visitor = \"authenticated\"\npass = true"));
}

TEST(Lint, WithoutIdentityACachingRuleMatchesEveryVisitor) {
    // It passes visitors with undeclared cookies itself, so they never reach a later rule.
    const Lines lines = lint_rules(
        "[[rules]]\nname = \"a\"\npath = \"/\"\ncache = \"1m\"\n"
        "[[rules]]\nname = \"b\"\npath = \"/\"\npass = true\n",
        "");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0],
              "test.toml:7: rules[1]: rule \"b\" (line 7) can never match: rule \"a\" "
              "(line 3) matches every request it would");
    EXPECT_EQ(lines[1].substr(0, 32), "test.toml:3: identity: no [ident");
}

TEST(Lint, OnlyTheFirstShadowingRuleIsNamedAndRulesThatMatchNothingShadowNothing) {
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"never\"\npath = \"/a\"\npath_prefix = \"/b/\"\n"
                         "pass = true\n"
                         "[[rules]]\nname = \"all\"\npass = true\n"
                         "[[rules]]\nname = \"all again\"\npass = true\n"
                         "[[rules]]\nname = \"b\"\npath = \"/a\"\npass = true\n"),
              (Lines{"test.toml:3: rules[0]: rule \"never\" can never match: no path in path = "
                     "\"/a\" starts with path_prefix = \"/b/\"",
                     "test.toml:11: rules[2]: rule \"all again\" (line 11) can never match: rule "
                     "\"all\" (line 8) matches every request it would",
                     "test.toml:14: rules[3]: rule \"b\" (line 14) can never match: rule \"all\" "
                     "(line 8) matches every request it would"}));
}

// ---- b. contradictions ------------------------------------------------------------------------

TEST(Lint, ContradictoryConditionsInOneRule) {
    // TOML keys are unique per table, so only header names (case-insensitive) can repeat in a
    // file; the structs can hold any pair.
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"r\"\nheaders = { Accept = \"present\", accept = "
                         "\"absent\" }\npass = true\n"),
              Lines{"test.toml:3: rules[0]: rule \"r\" can never match: header \"Accept\" must be "
                    "both present and absent"});
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"r\"\nheaders = { Cookie = \"absent\" }\n"
                         "cookies = { theme = { equals = \"dark\" } }\npass = true\n"),
              Lines{"test.toml:3: rules[0]: rule \"r\" can never match: header \"Cookie\" must be "
                    "absent, but cookie \"theme\" must be equal to \"dark\""});
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"r\"\nheaders = { cookie = \"absent\" }\n"
                         "visitor = \"authenticated\"\npass = true\n"),
              Lines{"test.toml:3: rules[0]: rule \"r\" can never match: header \"Cookie\" must be "
                    "absent, but visitor = \"authenticated\" is known only from cookies"});

    auto with_conditions = [](std::vector<Condition> cookies, std::vector<Condition> query) {
        RuleConfig r = cache_rule("r", 9);
        r.cookies = std::move(cookies);
        r.query = std::move(query);
        return render(lint(with_rules({r})));
    };
    using K = Condition::Kind;
    EXPECT_EQ(with_conditions({{"theme", K::Present, ""}, {"theme", K::Absent, ""}}, {}),
              Lines{"test.toml:9: rules[0]: rule \"r\" can never match: cookie \"theme\" must be "
                    "both present and absent"});
    EXPECT_EQ(with_conditions({{"theme", K::Absent, ""}, {"theme", K::Regex, "^d"}}, {}),
              Lines{"test.toml:9: rules[0]: rule \"r\" can never match: cookie \"theme\" must be "
                    "both absent and matching \"^d\""});
    EXPECT_EQ(with_conditions({}, {{"page", K::Equals, "1"}, {"page", K::Equals, "2"}}),
              Lines{"test.toml:9: rules[0]: rule \"r\" can never match: query parameter \"page\" "
                    "must be both equal to \"1\" and equal to \"2\""});
    EXPECT_EQ(with_conditions({}, {{"page", K::Empty, ""}, {"page", K::Equals, "2"}}),
              Lines{"test.toml:9: rules[0]: rule \"r\" can never match: query parameter \"page\" "
                    "must be both empty and equal to \"2\""});
    // These can all hold at once.
    EXPECT_EQ(with_conditions({{"a", K::Present, ""},
                               {"a", K::Equals, "x"},
                               {"a", K::Regex, "x"},
                               {"b", K::Absent, ""},
                               {"b", K::Absent, ""}},
                              {{"p", K::Empty, ""}, {"p", K::Equals, ""}, {"P", K::Absent, ""}}),
              Lines{});
}

TEST(Lint, CachingRuleWithoutGetOrHead) {
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"r\"\nmethods = [\"POST\", \"put\"]\ncache = "
                         "\"1m\"\n"),
              Lines{"test.toml:3: rules[0]: rule \"r\" caches, but its methods (POST, PUT) "
                    "include neither GET nor HEAD: only GET and HEAD responses are ever cached, "
                    "so every request it matches passes to the app; add \"GET\", or use pass = "
                    "true"});
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"r\"\nmethods = \"HEAD\"\ncache = \"1m\"\n"), Lines{});
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"r\"\nmethods = \"POST\"\npass = true\n"), Lines{});
}

TEST(Lint, PathAndPrefixThatCannotBothHold) {
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"r\"\npath = [\"/a\", \"/b/*\"]\n"
                         "path_prefix = [\"/static/\", \"/c\"]\npass = true\n"),
              Lines{"test.toml:3: rules[0]: rule \"r\" can never match: no path in path = "
                    "[\"/a\", \"/b/*\"] starts with path_prefix = [\"/static/\", \"/c\"]"});
    auto quiet = [](std::string_view paths) {
        return lint_rules("[[rules]]\nname = \"r\"\n" + std::string(paths) + "\npass = true\n")
            .empty();
    };
    EXPECT_TRUE(quiet("path = [\"/a\", \"/static/x\"]\npath_prefix = \"/static/\""));
    EXPECT_TRUE(quiet("path = \"/static/*\"\npath_prefix = \"/static/css/\""));
    EXPECT_TRUE(quiet("path = \"/*.css\"\npath_prefix = \"/static/\""));
}

// ---- c. pages that logged-in visitors share ---------------------------------------------------

TEST(Lint, CachingForAuthenticatedVisitors) {
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"members\"\nvisitor = \"authenticated\"\n"
                         "path = \"/feed\"\ncache = \"1m\"\n"),
              Lines{"test.toml:3: rules[0]: rule \"members\" caches pages for visitor = "
                    "\"authenticated\": they are fetched without cookies, so every member gets "
                    "one shared page; key on a cookie with vary_cookies, or use pass = true"});
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"members\"\nvisitor = \"authenticated\"\n"
                         "path = \"/feed\"\nvary_cookies = \"session\"\ncache = \"1m\"\n"),
              Lines{});
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"members\"\nvisitor = \"authenticated\"\n"
                         "key = \"${path}${cookie:session}\"\ncache = \"1m\"\n"),
              Lines{});
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"members\"\nvisitor = \"authenticated\"\n"
                         "pass = true\n"),
              Lines{});
}

TEST(Lint, IgnoreCookiesOutsideStaticFiles) {
    const std::string note =
        " has ignore_cookies = true: logged-in visitors share this rule's pages; fine for static "
        "files";
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"news\"\npath_prefix = \"/news/\"\ncache = \"1m\"\n"
                         "ignore_cookies = true\n"),
              Lines{"test.toml:3: rules[0]: rule \"news\"" + note});
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"all\"\ncache = \"1m\"\nignore_cookies = true\n"),
              Lines{"test.toml:3: rules[0]: rule \"all\"" + note});
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"mixed\"\npath = [\"/app.css\", \"/\"]\n"
                         "cache = \"1m\"\nignore_cookies = true\n"),
              Lines{"test.toml:3: rules[0]: rule \"mixed\"" + note});
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"pages\"\npath_regex = \"\\\\.(html|php)$\"\n"
                         "cache = \"1m\"\nignore_cookies = true\n"),
              Lines{"test.toml:3: rules[0]: rule \"pages\"" + note});
    // Static-looking paths, and no [identity] (nobody is known to be logged in): no note.
    for (const char* paths :
         {"path_prefix = [\"/static/\", \"/Assets\"]", "path = [\"/*.css\", \"/robots.txt\"]",
          "path = \"/media/*\"", "path_regex = \"\\\\.(css|js|woff2)$\"",
          "path_regex = \"^/static/\"", "path_regex = \"\\\\.png$\""}) {
        EXPECT_EQ(lint_rules("[[rules]]\nname = \"r\"\n" + std::string(paths) +
                             "\ncache = \"1m\"\nignore_cookies = true\n"),
                  Lines{})
            << paths;
    }
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"all\"\ncache = \"1m\"\nignore_cookies = true\n", ""),
              Lines{});
}

// ---- d. cookies and [identity] ----------------------------------------------------------------

TEST(Lint, NoIdentityWithCachingRules) {
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"static\"\npath_prefix = \"/static/\"\n"
                         "cache = \"1h\"\nignore_cookies = true\n"
                         "[[rules]]\nname = \"pages\"\npath = \"/\"\ncache = \"1m\"\n"
                         "[[rules]]\nname = \"more\"\npath = \"/about\"\ncache = \"1m\"\n",
                         ""),
              Lines{"test.toml:8: identity: no [identity]: requests to caching rules that carry "
                    "a cookie other than the anonymous_cookies (_ga, _ga_*, _gid, ...) pass to "
                    "the app; add [identity] to let anonymous visitors with a session cookie "
                    "hit"});
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"pages\"\ncache = \"1m\"\n",
                         "[identity]\nanonymous_cookies = []\n"),
              Lines{"test.toml:3: identity: no [identity]: requests to caching rules that carry "
                    "any cookie pass to the app; add [identity] to let anonymous visitors with a "
                    "session cookie hit"});
    EXPECT_EQ(lint_rules("[[rules]]\nname = \"pages\"\ncache = \"1m\"\n",
                         "[identity]\nanonymous_cookies = [\"_ga\", \"consent\"]\n"),
              Lines{"test.toml:3: identity: no [identity]: requests to caching rules that carry "
                    "a cookie other than the anonymous_cookies (_ga, consent) pass to the app; "
                    "add [identity] to let anonymous visitors with a session cookie hit"});
}

TEST(Lint, DjangoServerSideSessionWithoutLoginCookie) {
    EXPECT_EQ(lint_toml("[identity.django_session]\nbackend = \"db\"\n", false),
              Lines{"test.toml: identity.django_session: every visitor with a sessionid cookie "
                    "is treated as logged in (server-side sessions cannot be read); set "
                    "login_cookie to a marker cookie your app sets at login"});
    EXPECT_EQ(
        lint_toml("[identity.django_session]\nbackend = \"cache\"\ncookie = \"sid\"\n", false),
        Lines{"test.toml: identity.django_session: every visitor with a sid cookie is "
              "treated as logged in (server-side sessions cannot be read); set "
              "login_cookie to a marker cookie your app sets at login"});
    EXPECT_EQ(lint_toml("[identity.django_session]\nbackend = \"db\"\nlogin_cookie = "
                        "\"logged_in\"\n",
                        false),
              Lines{});
    EXPECT_EQ(lint_toml("[identity.django_session]\n", false), Lines{});
}

TEST(Lint, Location) {
    EXPECT_EQ(location("a.toml", Warning{12, "rules[0]", "m"}), "a.toml:12");
    EXPECT_EQ(location("a.toml", Warning{0, "identity", "m"}), "a.toml");
}

}  // namespace
}  // namespace larder::config
