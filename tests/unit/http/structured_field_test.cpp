#include "larder/http/structured_field.hpp"

#include <gtest/gtest.h>

using larder::http::is_structured_dictionary;

TEST(StructuredField, ValidDictionaries) {
    for (const char* ok :
         {"", "max-age=60", "max-age=60, stale-while-revalidate=30", "no-store",
          "private=\"set-cookie\"", "a=1;p=2, b=?0, c=(1 2);q, d=:aGk=:, e=tok/en:x, f=-1.5",
          "  max-age=60 ,\tpublic", "*x=1", "a=\"q\\\"uote\"", "a=()", "max-age=999999999999999"}) {
        EXPECT_TRUE(is_structured_dictionary(ok)) << ok;
    }
}

TEST(StructuredField, InvalidDictionariesAreRejected) {
    for (const char* bad :
         {"Max-Age=60", "max-age=60,", ",max-age=60", "max-age=60;;", "max-age=", "max-age=6 0",
          "max-age=\"60", "a=1.2345", "a=1234567890123456", "a=?2", "a=:x", "a=(1", "1a=1",
          "max-age=60 public", "a=\"\x01\"", "a=1.", "a=-", "a=@1", "max_age=60, ,b"}) {
        EXPECT_FALSE(is_structured_dictionary(bad)) << bad;
    }
}

TEST(StructuredField, FieldLinesAreCombined) {
    larder::http::HeaderList h;
    h.add("CDN-Cache-Control", "max-age=60");
    h.add("cdn-cache-control", "public");
    EXPECT_TRUE(larder::http::is_structured_dictionary_field(h, "cdn-cache-control"));
    h.add("CDN-Cache-Control", "Bad=1");
    EXPECT_FALSE(larder::http::is_structured_dictionary_field(h, "cdn-cache-control"));
}
