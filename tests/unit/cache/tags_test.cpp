#include "larder/cache/tags.hpp"

#include <gtest/gtest.h>

namespace larder::cache {
namespace {

const std::vector<std::string> kFields{"Surrogate-Key", "xkey"};

TEST(Tags, BothSpellingsSpacesCommasEachTagOnce) {
    http::HeaderList h;
    h.add("Content-Type", "text/html");
    h.add("surrogate-key", "  product-42 category-7\tall ");
    h.add("XKey", "product-42, news,,home");
    EXPECT_EQ(collect_tags(h, kFields), "product-42 category-7 all news home");
}

TEST(Tags, AJoinedListIsReadBackTagByTag) {
    std::vector<std::string> seen;
    for_each_tag("product-42 category-7 all", [&](std::string_view t) { seen.emplace_back(t); });
    EXPECT_EQ(seen, (std::vector<std::string>{"product-42", "category-7", "all"}));
    EXPECT_TRUE(has_tag("product-42 category-7 all", "category-7"));
    EXPECT_FALSE(has_tag("product-42 category-7 all", "category"));
    EXPECT_FALSE(has_tag("product-42 category-7 all", "7 all"));
    EXPECT_FALSE(has_tag("", ""));
}

TEST(Tags, NoTagFieldsNoTags) {
    http::HeaderList h;
    h.add("Content-Type", "text/html");
    EXPECT_EQ(collect_tags(h, kFields), "");
    h.add("xkey", " , ");
    EXPECT_EQ(collect_tags(h, kFields), "");
}

TEST(Tags, BoundedInCountAndLength) {
    http::HeaderList h;
    std::string many;
    for (int i = 0; i < 1000; ++i) many += "t" + std::to_string(i) + " ";
    h.add("xkey", many);
    h.add("xkey", std::string(kMaxTagLength + 1, 'x') + " last");
    const std::string tags = collect_tags(h, kFields);
    EXPECT_EQ(std::count(tags.begin(), tags.end(), ' ') + 1, static_cast<long>(kMaxTags));
    EXPECT_EQ(tags.find("xxxx"), std::string::npos);
}

TEST(Tags, StripFieldsKeepsTheRest) {
    std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nSurrogate-Key: a b\r\nETag: \"1\"\r\n"
        "xkey: c\r\n";
    strip_fields(head, kFields);
    EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nETag: \"1\"\r\n");
}

}  // namespace
}  // namespace larder::cache
