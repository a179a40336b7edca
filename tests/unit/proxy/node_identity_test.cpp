// NodeIdentity: what Via and X-Cache say with and without a node name, and the loop check.
#include "larder/proxy/node_identity.hpp"

#include <gtest/gtest.h>

#include "larder/proxy/messages.hpp"

namespace larder::proxy {
namespace {

http::HeaderList via(std::initializer_list<std::string_view> values) {
    http::HeaderList h;
    for (auto v : values) h.add("Via", v);
    return h;
}

// The identity is process-wide: every test leaves it stand-alone, whatever it asserted.
class NodeIdentityTest : public ::testing::Test {
  protected:
    void TearDown() override { set_node_name(""); }
};

TEST_F(NodeIdentityTest, StandAloneKeepsTheClassicFields) {
    std::string tail;
    TailFields hit;
    hit.status = CacheStatus::Hit;
    append_response_tail(tail, hit);
    EXPECT_NE(tail.find("Via: 1.1 larder\r\n"), std::string::npos);
    EXPECT_NE(tail.find("X-Cache: HIT\r\n"), std::string::npos);
    EXPECT_EQ(check_loop(via({"1.1 larder"}), node_identity().name), NodeRefusal::None);
}

TEST_F(NodeIdentityTest, ANodeNamesItselfInViaAndXCache) {
    set_node_name("cache-2");
    std::string tail;
    TailFields miss;
    miss.status = CacheStatus::Miss;
    append_response_tail(tail, miss);
    EXPECT_NE(tail.find("Via: 1.1 cache-2 (larder)\r\n"), std::string::npos);
    EXPECT_NE(tail.find("X-Cache: MISS from cache-2\r\n"), std::string::npos);
    http::Request request;
    request.method_text = "GET";
    request.target = "/";
    EXPECT_NE(forward_head(request, "10.0.0.1", false).find("Via: 1.1 cache-2 (larder)\r\n"),
              std::string::npos);
}

TEST_F(NodeIdentityTest, FindsItsNameInAnyViaEntry) {
    EXPECT_EQ(check_loop(via({"1.1 cache-2 (larder)"}), "cache-2"), NodeRefusal::ViaLoop);
    EXPECT_EQ(check_loop(via({"1.0 fred, 1.1 CACHE-2 (larder)"}), "cache-2"), NodeRefusal::ViaLoop);
    EXPECT_EQ(check_loop(via({"1.1 haproxy", "HTTP/1.1 cache-2"}), "cache-2"),
              NodeRefusal::ViaLoop);
    EXPECT_EQ(check_loop(via({"1.1 cache-2:8080"}), "cache-2"), NodeRefusal::None);
    EXPECT_EQ(check_loop(via({"1.1 cache-20 (larder)", "1.1 cache-1 (larder)"}), "cache-2"),
              NodeRefusal::None);
    EXPECT_EQ(check_loop(via({"cache-2", "", ",,", "1.1"}), "cache-2"), NodeRefusal::None);
    EXPECT_EQ(check_loop(via({"1.1 cache-2"}), ""), NodeRefusal::None);
    EXPECT_STREQ(to_string(NodeRefusal::ViaLoop), "via_loop");
}

}  // namespace
}  // namespace larder::proxy
