#include "larder/http/accept_encoding.hpp"

#include <gtest/gtest.h>

namespace larder::http {
namespace {

using C = ContentCoding;
constexpr CodingSet kAll = CodingSet().add(C::Identity).add(C::Gzip).add(C::Br);
constexpr CodingSet kIdentityGzip = CodingSet().add(C::Identity).add(C::Gzip);

C best(std::string_view field) {
    return choose(parse_accept_encoding(field), kAll);
}

TEST(AcceptEncoding, BrowserSpellingsAllChooseBr) {
    for (std::string_view spelling :
         {"gzip, deflate, br", "br, gzip", "gzip,deflate,br", "BR, GZIP", "gzip, deflate, br, zstd",
          "br;q=1.0, gzip;q=0.8, *;q=0.1", "gzip;q=1.0, br;q=1.0", " br ", "br;q=1",
          "deflate, gzip, br;level=4", "*", "*;q=0.5", "x-gzip, br", "br, gzip;q=0.999"})
        EXPECT_EQ(best(spelling), C::Br) << spelling;
}

TEST(AcceptEncoding, GzipWhenBrIsNotAcceptedOrRankedLower) {
    for (std::string_view spelling :
         {"gzip", "GZip", "x-gzip", "gzip, deflate", "gzip;q=1.0, identity;q=0.5, *;q=0",
          "br;q=0, gzip", "br;q=0.5, gzip", "br;q=0.001, gzip;q=0.002", "*;q=0.3, gzip;q=0.9",
          "gzip, br;q=0", "deflate, gzip;q=0.5"})
        EXPECT_EQ(best(spelling), C::Gzip) << spelling;
}

TEST(AcceptEncoding, IdentityWhenNothingElseIsAcceptable) {
    for (std::string_view spelling :
         {"", "identity", "deflate", "zstd, compress", "gzip;q=0, br;q=0", "gzip;q=0.0",
          "identity, gzip;q=0.000", "*;q=0, identity", "br;q=0.2, identity;q=1, gzip;q=0.1"})
        EXPECT_EQ(best(spelling), C::Identity) << spelling;
}

TEST(AcceptEncoding, AbsentFieldMeansIdentityOnly) {
    HeaderList none;
    AcceptEncoding a = parse_accept_encoding(none);
    EXPECT_TRUE(a.accepts(C::Identity));
    EXPECT_FALSE(a.accepts(C::Gzip));
    EXPECT_FALSE(a.accepts(C::Br));
    EXPECT_EQ(choose(a, kAll), C::Identity);
}

TEST(AcceptEncoding, IdentityRefusedExplicitlyOrByStar) {
    EXPECT_FALSE(parse_accept_encoding("identity;q=0").accepts(C::Identity));
    EXPECT_FALSE(parse_accept_encoding("gzip, *;q=0").accepts(C::Identity));
    EXPECT_TRUE(parse_accept_encoding("*;q=0, identity;q=0.1").accepts(C::Identity));
    EXPECT_TRUE(parse_accept_encoding("gzip").accepts(C::Identity));  // unless excluded
    // Nothing acceptable among what is available: identity anyway (no 406).
    EXPECT_EQ(choose(parse_accept_encoding("identity;q=0, br"), kIdentityGzip), C::Identity);
    // identity;q=0 but gzip is there: gzip.
    EXPECT_EQ(choose(parse_accept_encoding("identity;q=0, gzip"), kIdentityGzip), C::Gzip);
}

TEST(AcceptEncoding, StarCoversOnlyWhatIsNotNamed) {
    AcceptEncoding a = parse_accept_encoding("br;q=0, *");
    EXPECT_FALSE(a.accepts(C::Br));
    EXPECT_TRUE(a.accepts(C::Gzip));
    EXPECT_TRUE(a.accepts(C::Identity));
    EXPECT_EQ(a.quality(C::Gzip), 1000);
}

TEST(AcceptEncoding, QValuesAreParsedStrictly) {
    EXPECT_EQ(parse_accept_encoding("gzip;q=0.5").quality(C::Gzip), 500);
    EXPECT_EQ(parse_accept_encoding("gzip;Q=0.25").quality(C::Gzip), 250);
    EXPECT_EQ(parse_accept_encoding("gzip ; q=0.125 ").quality(C::Gzip), 125);
    EXPECT_EQ(parse_accept_encoding("gzip;q=1.000").quality(C::Gzip), 1000);
    EXPECT_EQ(parse_accept_encoding("gzip;q=0.").quality(C::Gzip), 0);
    // Malformed qvalues: the member is ignored (so gzip stays unacceptable).
    for (std::string_view bad : {"gzip;q=1.5", "gzip;q=2", "gzip;q=0.1234", "gzip;q=abc",
                                 "gzip;q=", "gzip;q=-1", "gzip;q=.5", "gzip;q=1.001"})
        EXPECT_FALSE(parse_accept_encoding(bad).accepts(C::Gzip)) << bad;
    // Other parameters are ignored.
    EXPECT_TRUE(parse_accept_encoding("gzip;level=9").accepts(C::Gzip));
}

TEST(AcceptEncoding, FirstMentionCountsAndFieldsCombine) {
    EXPECT_FALSE(parse_accept_encoding("gzip;q=0, gzip").accepts(C::Gzip));
    HeaderList h;
    h.add("Accept-Encoding", "gzip");
    h.add("accept-encoding", "br");
    h.add("Accept-Language", "br");
    AcceptEncoding a = parse_accept_encoding(h);
    EXPECT_TRUE(a.accepts(C::Gzip));
    EXPECT_TRUE(a.accepts(C::Br));
}

TEST(AcceptEncoding, HostileInputNeverThrows) {
    for (std::string_view junk : {",,,", ";;;", "q=1", ";q=1", "gzip;;q=1", "\t\t",
                                  "=,=;=", "gzip;q=0.5;q=0.1", "*;q=1;q=0"}) {
        AcceptEncoding a = parse_accept_encoding(junk);
        EXPECT_LE(a.quality(C::Gzip), 1000);
    }
}

TEST(ContentEncoding, ReadsOneCoding) {
    auto read = [](std::initializer_list<std::string_view> values) {
        HeaderList h;
        for (auto v : values) h.add("Content-Encoding", v);
        return parse_content_encoding(h);
    };
    EXPECT_EQ(read({}), C::Identity);
    EXPECT_EQ(read({"identity"}), C::Identity);
    EXPECT_EQ(read({"gzip"}), C::Gzip);
    EXPECT_EQ(read({"X-Gzip"}), C::Gzip);
    EXPECT_EQ(read({"br"}), C::Br);
    EXPECT_EQ(read({"identity, br"}), C::Br);
    EXPECT_EQ(read({"deflate"}), std::nullopt);
    EXPECT_EQ(read({"gzip, br"}), std::nullopt);
    EXPECT_EQ(read({"gzip", "gzip"}), std::nullopt);
}

}  // namespace
}  // namespace larder::http
