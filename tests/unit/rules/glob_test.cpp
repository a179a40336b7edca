#include "larder/rules/glob.hpp"

#include <gtest/gtest.h>

using larder::rules::Glob;

TEST(Glob, LiteralIsExact) {
    Glob g("/about");
    EXPECT_TRUE(g.is_literal());
    EXPECT_TRUE(g.matches("/about"));
    EXPECT_FALSE(g.matches("/about/"));
    EXPECT_FALSE(g.matches("/abou"));
    EXPECT_FALSE(g.matches("/About"));
}

TEST(Glob, StarMatchesAnyRunIncludingSlash) {
    Glob g("/project/*");
    EXPECT_FALSE(g.is_literal());
    EXPECT_TRUE(g.matches("/project/"));
    EXPECT_TRUE(g.matches("/project/1"));
    EXPECT_TRUE(g.matches("/project/1/files/a.txt"));
    EXPECT_FALSE(g.matches("/project"));
    EXPECT_FALSE(g.matches("/projects/1"));
}

TEST(Glob, StarsInTheMiddleAndAtBothEnds) {
    Glob mid("/a/*/edit");
    EXPECT_TRUE(mid.matches("/a/1/edit"));
    EXPECT_TRUE(mid.matches("/a/1/2/edit"));
    EXPECT_TRUE(mid.matches("/a//edit"));
    EXPECT_FALSE(mid.matches("/a/1/edit/x"));

    Glob ends("*.css");
    EXPECT_TRUE(ends.matches("/static/site.css"));
    EXPECT_TRUE(ends.matches(".css"));
    EXPECT_FALSE(ends.matches("/static/site.css.map"));

    Glob both("*admin*");
    EXPECT_TRUE(both.matches("/admin"));
    EXPECT_TRUE(both.matches("/x/admin/y"));
    EXPECT_FALSE(both.matches("/adm/in"));

    Glob all("*");
    EXPECT_TRUE(all.matches(""));
    EXPECT_TRUE(all.matches("/anything/at/all"));
}

TEST(Glob, PiecesMayNotOverlap) {
    Glob g("ab*ba");
    EXPECT_FALSE(g.matches("aba"));
    EXPECT_TRUE(g.matches("abba"));
    Glob m("a*bc*bc*d");
    EXPECT_TRUE(m.matches("abcbcd"));
    EXPECT_TRUE(m.matches("axbcybcxd"));
    EXPECT_FALSE(m.matches("abcd"));
    Glob dbl("utm_**");
    EXPECT_TRUE(dbl.matches("utm_"));
    EXPECT_TRUE(dbl.matches("utm_source"));
}

TEST(Glob, SurvivesMoves) {
    std::vector<Glob> globs;
    for (int i = 0; i < 50; ++i) globs.emplace_back("p" + std::to_string(i) + "*x");
    EXPECT_TRUE(globs[7].matches("p7abcx"));
    EXPECT_FALSE(globs[7].matches("p8abcx"));
    EXPECT_TRUE(larder::rules::any_matches(globs, "p49x"));
}
