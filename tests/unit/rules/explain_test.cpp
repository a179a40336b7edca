// RuleSet::explain(): the same decision as decide(), and for each rule it skipped the first
// matcher that failed (one test per rules::Mismatch).
#include <gtest/gtest.h>

#include "larder/rules/ruleset.hpp"
#include "test_request.hpp"

using namespace larder;
using namespace larder::rules;
using namespace larder::rules::testing;
using namespace std::chrono_literals;
using Kind = config::Condition::Kind;

namespace {

config::RuleConfig rule(std::string name) {
    config::RuleConfig r;
    r.name = std::move(name);
    r.ttl = 60s;
    return r;
}

// One skipped rule of each kind, then a catch-all: explain() of `request` must report the first
// rule's mismatch as `why` (and `condition`), and match the catch-all.
void expect_skipped(const config::RuleConfig& first, const http::Request& request, Mismatch why,
                    std::size_t condition = 0) {
    config::Config c;
    c.rules.push_back(first);
    c.rules.push_back(rule("catch-all"));
    RuleSet rs(c);
    Explanation e = rs.explain(request);
    ASSERT_EQ(e.skipped.size(), 1u) << to_string(why);
    EXPECT_EQ(e.skipped[0].rule, 0u);
    EXPECT_EQ(e.skipped[0].why, why) << to_string(e.skipped[0].why);
    EXPECT_EQ(e.skipped[0].condition, condition);
    ASSERT_TRUE(e.matched.has_value());
    EXPECT_EQ(*e.matched, 1u);
    EXPECT_EQ(e.decision.rule_name, "catch-all");
    // The same answer decide() gives.
    Decision d = rs.decide(request);
    EXPECT_EQ(d.action, e.decision.action);
    EXPECT_EQ(d.reason, e.decision.reason);
    EXPECT_EQ(d.key, e.decision.key);
}

TestRequest get(std::string_view target) {
    TestRequest r(target);
    r.host("example.com");
    return r;
}

}  // namespace

TEST(Explain, MismatchNames) {
    EXPECT_EQ(to_string(Mismatch::Method), "method");
    EXPECT_EQ(to_string(Mismatch::PathPrefix), "path_prefixes");
    EXPECT_EQ(to_string(Mismatch::Visitor), "visitor");
}

TEST(Explain, Method) {
    auto r = rule("posts");
    r.methods = {"POST"};
    expect_skipped(r, get("/x"), Mismatch::Method);
}

TEST(Explain, Host) {
    auto r = rule("other host");
    r.hosts = {"other.example"};
    expect_skipped(r, get("/x"), Mismatch::Host);
}

TEST(Explain, Paths) {
    auto r = rule("about");
    r.paths = {"/about", "/team/*"};
    expect_skipped(r, get("/x"), Mismatch::Path);
}

TEST(Explain, PathPrefix) {
    auto r = rule("static");
    r.path_prefixes = {"/static/"};
    expect_skipped(r, get("/x"), Mismatch::PathPrefix);
}

TEST(Explain, PathRegex) {
    auto r = rule("numbers");
    r.path_regex = "^/[0-9]+$";
    expect_skipped(r, get("/x"), Mismatch::PathRegex);
}

TEST(Explain, QueryNamesTheFailingCondition) {
    auto r = rule("paged");
    r.query = {{.name = "a", .kind = Kind::Present, .value = ""},
               {.name = "page", .kind = Kind::Present, .value = ""}};
    expect_skipped(r, get("/x?a=1"), Mismatch::Query, 1);
}

TEST(Explain, Header) {
    auto r = rule("json");
    r.headers = {{.name = "Accept", .kind = Kind::Equals, .value = "application/json"}};
    expect_skipped(r, get("/x"), Mismatch::Header);
}

TEST(Explain, Cookie) {
    auto r = rule("french");
    r.cookies = {{.name = "lang", .kind = Kind::Equals, .value = "fr"}};
    TestRequest req = get("/x");
    req.cookie("lang=en");
    expect_skipped(r, req, Mismatch::Cookie);
}

TEST(Explain, VisitorReportsTheEffectiveVisitor) {
    config::Config c;
    c.identity.cookies = {"sessionid"};
    auto members = rule("members");
    members.visitor = config::Visitor::Authenticated;
    auto anyone = rule("anyone");  // visitor = any reads as anonymous under [identity]

    c.rules = {members, anyone};
    RuleSet members_first(c);
    Explanation anonymous = members_first.explain(get("/x"));
    ASSERT_EQ(anonymous.skipped.size(), 1u);
    EXPECT_EQ(anonymous.skipped[0].why, Mismatch::Visitor);
    EXPECT_EQ(anonymous.skipped[0].wanted, config::Visitor::Authenticated);
    EXPECT_EQ(anonymous.decision.reason, DecisionReason::RuleCache);
    EXPECT_EQ(anonymous.visitor.kind, VisitorKind::Anonymous);

    c.rules = {anyone, members};
    RuleSet anyone_first(c);
    TestRequest logged_in = get("/x");
    logged_in.cookie("sessionid=abc");
    Explanation e = anyone_first.explain(logged_in);
    ASSERT_EQ(e.skipped.size(), 1u);
    EXPECT_EQ(e.skipped[0].rule, 0u);
    EXPECT_EQ(e.skipped[0].why, Mismatch::Visitor);
    EXPECT_EQ(e.skipped[0].wanted, config::Visitor::Anonymous);
    EXPECT_EQ(e.visitor.kind, VisitorKind::LoggedIn);
    EXPECT_EQ(e.visitor.reason, VisitorReason::LoginCookie);
    ASSERT_TRUE(e.matched.has_value());
    EXPECT_EQ(*e.matched, 1u);
    EXPECT_EQ(e.decision.rule_name, "members");
}

TEST(Explain, NoRuleMatchedListsEveryRule) {
    config::Config c;
    auto a = rule("a");
    a.path_prefixes = {"/a/"};
    auto b = rule("b");
    b.hosts = {"b.example"};
    c.rules = {a, b};
    RuleSet rs(c);
    Explanation e = rs.explain(get("/x"));
    EXPECT_FALSE(e.matched.has_value());
    ASSERT_EQ(e.skipped.size(), 2u);
    EXPECT_EQ(e.skipped[0].why, Mismatch::PathPrefix);
    EXPECT_EQ(e.skipped[1].why, Mismatch::Host);
    EXPECT_EQ(e.decision.reason, DecisionReason::NoRuleMatched);
}

TEST(Explain, AuthorizationDecidesBeforeAnyRule) {
    config::Config c;
    c.rules = {rule("a")};
    RuleSet rs(c);
    TestRequest req = get("/x");
    req.header("Authorization", "Bearer t");
    Explanation e = rs.explain(req);
    EXPECT_TRUE(e.skipped.empty());
    EXPECT_FALSE(e.matched.has_value());
    EXPECT_EQ(e.decision.reason, DecisionReason::RequestHasAuthorization);
}

TEST(Explain, PersonalVisitorAfterMatch) {
    config::Config c;  // no [identity]: an undeclared cookie makes the visitor personal
    c.rules = {rule("pages")};
    RuleSet rs(c);
    TestRequest req = get("/x");
    req.cookie("tracking=1");
    Explanation e = rs.explain(req);
    EXPECT_TRUE(e.skipped.empty());
    EXPECT_EQ(*e.matched, 0u);
    EXPECT_EQ(e.decision.reason, DecisionReason::PersonalVisitor);
    EXPECT_EQ(e.visitor.kind, VisitorKind::Personal);
    EXPECT_EQ(e.visitor.reason, VisitorReason::UndeclaredCookie);
}
