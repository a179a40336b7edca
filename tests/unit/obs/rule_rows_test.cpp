// obs::RuleRows: rows handed out by rule name, stable across reloads, bounded.
#include "larder/obs/rule_rows.hpp"

#include <gtest/gtest.h>

namespace larder::obs {
namespace {

TEST(RuleRows, SameNameSameRowWhateverTheOrder) {
    RuleRows rows(8);
    EXPECT_EQ(rows.row_for("static"), 0u);
    EXPECT_EQ(rows.row_for("pages"), 1u);
    // A reload that swaps them: each keeps its row.
    EXPECT_EQ(rows.row_for("pages"), 1u);
    EXPECT_EQ(rows.row_for("static"), 0u);
    EXPECT_EQ(rows.row_for("new"), 2u);
    EXPECT_EQ(rows.names(), (std::vector<std::string>{"static", "pages", "new"}));
}

TEST(RuleRows, FullTableAnswersTheNoRuleRow) {
    RuleRows rows(2);
    EXPECT_EQ(rows.row_for("a"), 0u);
    EXPECT_EQ(rows.row_for("b"), 1u);
    EXPECT_EQ(rows.row_for("c"), 2u);  // capacity(): the "no rule" row
    EXPECT_EQ(rows.row_for("a"), 0u);
    EXPECT_EQ(rows.names().size(), 2u);
}

}  // namespace
}  // namespace larder::obs
