// Hop-by-hop fields: the fixed list, fields a Connection header names, and the fields no
// Connection option can remove (Host and framing).
#include "larder/http/hop_by_hop.hpp"

#include <gtest/gtest.h>
#include <string>

using namespace larder::http;

TEST(HopByHop, FixedFieldsAndConnectionOptions) {
    HeaderList h;
    h.add("Connection", "keep-alive, X-Secret");
    for (const char* name : {"Connection", "keep-alive", "Proxy-Connection", "TE", "Trailer",
                             "Transfer-Encoding", "Upgrade", "x-secret"})
        EXPECT_TRUE(HopByHop(h).contains(name)) << name;
    EXPECT_FALSE(HopByHop(h).contains("X-Other"));
}

TEST(HopByHop, ConnectionCannotNameHostOrFraming) {
    HeaderList h;
    h.add("Connection", "Host, content-length");
    h.add("connection", "TRANSFER-ENCODING, Cookie");
    EXPECT_FALSE(HopByHop(h).contains("Host"));
    EXPECT_FALSE(HopByHop(h).contains("Content-Length"));
    EXPECT_TRUE(HopByHop(h).contains("Transfer-Encoding"));  // hop-by-hop anyway: Larder re-frames
    EXPECT_TRUE(HopByHop(h).contains("Cookie"));
    EXPECT_TRUE(never_named_by_connection("HOST"));
    EXPECT_FALSE(never_named_by_connection("Cookie"));
}

TEST(HopByHop, OptionsReadOnceAnswerLikeAScan) {
    // Options spread over several Connection fields, with empty list members and OWS.
    HeaderList h;
    h.add("Connection", " , close ,X-A");
    h.add("Content-Type", "text/html");
    h.add("CONNECTION", "x-b,\tX-C ,");
    const HopByHop hop(h);
    for (const char* name : {"close", "X-a", "x-B", "X-C", "Upgrade", "TE"})
        EXPECT_TRUE(hop.contains(name)) << name;
    for (const char* name : {"Content-Type", "X-D", "", "Host"})
        EXPECT_FALSE(hop.contains(name)) << name;
}

TEST(HopByHop, ManyOptionsFallBackToScanning) {
    // More options than HopByHop keeps: every one of them must still be found.
    HeaderList h;
    std::string list;
    for (int i = 0; i < 20; ++i) list += "X-Opt-" + std::to_string(i) + ", ";
    h.add("Connection", list);
    h.add("Connection", "Host, X-Last");
    const HopByHop hop(h);
    for (int i = 0; i < 20; ++i) EXPECT_TRUE(hop.contains("x-opt-" + std::to_string(i))) << i;
    EXPECT_TRUE(hop.contains("X-LAST"));
    EXPECT_FALSE(hop.contains("Host"));
    EXPECT_FALSE(hop.contains("X-Opt-20"));
}

TEST(HopByHop, FixedNamesByLength) {
    for (const char* name : {"te", "TRAILER", "upgrade", "Connection", "KEEP-ALIVE",
                             "proxy-connection", "Transfer-Encoding"})
        EXPECT_TRUE(is_fixed_hop_by_hop(name)) << name;
    for (const char* name : {"t", "tee", "trailers", "upgrades", "connectio", "keep_alive", ""})
        EXPECT_FALSE(is_fixed_hop_by_hop(name)) << name;
}
