#include "larder/rules/json_scan.hpp"

#include <gtest/gtest.h>

using larder::rules::json_object_has_key;
using larder::rules::JsonKeyScan;

TEST(JsonScan, FindsTopLevelKeys) {
    EXPECT_EQ(json_object_has_key(R"({"_user_id":"42"})", "_user_id"), JsonKeyScan::Found);
    EXPECT_EQ(json_object_has_key(R"( { "a" : 1 , "_user_id" : null } )", "_user_id"),
              JsonKeyScan::Found);
    EXPECT_EQ(json_object_has_key(R"({"a":1,"b":[1,2,{"c":"d"}],"_user_id":7})", "_user_id"),
              JsonKeyScan::Found);
}

TEST(JsonScan, IgnoresNestedKeysAndKeyLikeStrings) {
    EXPECT_EQ(json_object_has_key(R"({"cart":{"_user_id":"7"}})", "_user_id"),
              JsonKeyScan::NotFound);
    EXPECT_EQ(json_object_has_key(R"({"list":[{"_user_id":1}],"s":"\"_user_id\":1"})", "_user_id"),
              JsonKeyScan::NotFound);
    EXPECT_EQ(json_object_has_key(R"({"_user_id_x":1,"x_user_id":2,"_user_i":3})", "_user_id"),
              JsonKeyScan::NotFound);
    EXPECT_EQ(json_object_has_key(R"({"a":"_user_id"})", "_user_id"), JsonKeyScan::NotFound);
    EXPECT_EQ(json_object_has_key("{}", "_user_id"), JsonKeyScan::NotFound);
    EXPECT_EQ(json_object_has_key(R"({"a":"b\\"})", "_user_id"), JsonKeyScan::NotFound);
    EXPECT_EQ(json_object_has_key(R"({"a":true,"b":false,"c":null,"d":-1.5e3})", "_user_id"),
              JsonKeyScan::NotFound);
}

TEST(JsonScan, DecodesEscapesInKeys) {
    EXPECT_EQ(json_object_has_key(R"({"\u005fuser_id":1})", "_user_id"), JsonKeyScan::Found);
    EXPECT_EQ(json_object_has_key(R"({"_user\u00e9":1})", "_user\xC3\xA9"), JsonKeyScan::Found);
    EXPECT_EQ(json_object_has_key(R"({"\ud83d\ude00":1})", "\xF0\x9F\x98\x80"), JsonKeyScan::Found);
    EXPECT_EQ(json_object_has_key(R"({"a\"b":1})", "a\"b"), JsonKeyScan::Found);
    EXPECT_EQ(json_object_has_key(R"({"a\nb":1})", "a\nb"), JsonKeyScan::Found);
}

TEST(JsonScan, RejectsMalformedJson) {
    for (const char* bad :
         {"", "[]", "\"x\"", "{", R"({"a")", R"({"a":})", R"({"a":1,})", R"({"a":1 "b":2})",
          R"({"a":[1,2})", R"({"a":{]})", R"({"a":tru})", R"({"a":"unterminated})", R"({"a":"\q"})",
          R"({"a":"\u12"})", R"({"a":1}x)", R"({a:1})", "{\"a\":\"ctl\x01\"}", "not json"}) {
        EXPECT_EQ(json_object_has_key(bad, "_user_id"), JsonKeyScan::Invalid) << bad;
    }
}

TEST(JsonScan, RejectsTooDeepNesting) {
    std::string deep = R"({"a":)" + std::string(70, '[') + std::string(70, ']') + "}";
    EXPECT_EQ(json_object_has_key(deep, "_user_id"), JsonKeyScan::Invalid);
    std::string ok = R"({"a":)" + std::string(60, '[') + std::string(60, ']') + "}";
    EXPECT_EQ(json_object_has_key(ok, "_user_id"), JsonKeyScan::NotFound);
}
