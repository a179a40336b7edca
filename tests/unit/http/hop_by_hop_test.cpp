// Hop-by-hop fields: the fixed list, fields a Connection header names, and the fields no
// Connection option can remove (Host and framing).
#include "larder/http/hop_by_hop.hpp"

#include <gtest/gtest.h>

using namespace larder::http;

TEST(HopByHop, FixedFieldsAndConnectionOptions) {
    HeaderList h;
    h.add("Connection", "keep-alive, X-Secret");
    for (const char* name : {"Connection", "keep-alive", "Proxy-Connection", "TE", "Trailer",
                             "Transfer-Encoding", "Upgrade", "x-secret"})
        EXPECT_TRUE(is_hop_by_hop(h, name)) << name;
    EXPECT_FALSE(is_hop_by_hop(h, "X-Other"));
}

TEST(HopByHop, ConnectionCannotNameHostOrFraming) {
    HeaderList h;
    h.add("Connection", "Host, content-length");
    h.add("connection", "TRANSFER-ENCODING, Cookie");
    EXPECT_FALSE(is_hop_by_hop(h, "Host"));
    EXPECT_FALSE(is_hop_by_hop(h, "Content-Length"));
    EXPECT_TRUE(is_hop_by_hop(h, "Transfer-Encoding"));  // hop-by-hop anyway: Larder re-frames
    EXPECT_TRUE(is_hop_by_hop(h, "Cookie"));
    EXPECT_TRUE(never_named_by_connection("HOST"));
    EXPECT_FALSE(never_named_by_connection("Cookie"));
}
