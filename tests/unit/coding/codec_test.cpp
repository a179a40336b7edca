#include "larder/coding/codec.hpp"

#include <gtest/gtest.h>

#include <string>

namespace larder::coding {
namespace {

using http::ContentCoding;

std::string page(std::size_t size) {
    std::string s;
    for (unsigned i = 0; s.size() < size; ++i)
        s.append("<li class=\"item\">product ")
            .append(std::to_string(i * 7919 % 1000))
            .append("</li>\n");
    s.resize(size);
    return s;
}

TEST(Codec, RoundTripsEveryCoding) {
    const std::string body = page(40 * 1024);
    for (ContentCoding c : {ContentCoding::Identity, ContentCoding::Gzip, ContentCoding::Br}) {
        auto encoded = compress(c, body, {});
        ASSERT_TRUE(encoded);
        if (c != ContentCoding::Identity) {
            EXPECT_LT(encoded->size(), body.size() / 3);
        }
        Decoded d = decompress(c, *encoded, body.size());
        EXPECT_EQ(d.error, DecodeError::None);
        EXPECT_EQ(d.body, body);
    }
}

TEST(Codec, GzipHasTheGzipMagic) {
    auto encoded = compress(ContentCoding::Gzip, "hello", {});
    ASSERT_TRUE(encoded);
    ASSERT_GE(encoded->size(), 2u);
    EXPECT_EQ(static_cast<unsigned char>((*encoded)[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>((*encoded)[1]), 0x8b);
}

TEST(Codec, EmptyBodiesRoundTrip) {
    for (ContentCoding c : {ContentCoding::Gzip, ContentCoding::Br}) {
        auto encoded = compress(c, "", {});
        ASSERT_TRUE(encoded);
        Decoded d = decompress(c, *encoded, 10);
        EXPECT_EQ(d.error, DecodeError::None);
        EXPECT_TRUE(d.body.empty());
    }
}

TEST(Codec, DecompressionStopsAtTheLimit) {
    const std::string zeros(4 * 1024 * 1024, '\0');  // compresses a thousandfold
    for (ContentCoding c : {ContentCoding::Gzip, ContentCoding::Br}) {
        auto bomb = compress(c, zeros, {});
        ASSERT_TRUE(bomb);
        Decoded d = decompress(c, *bomb, 1024 * 1024);
        EXPECT_EQ(d.error, DecodeError::TooLarge);
        EXPECT_TRUE(d.body.empty());
        EXPECT_EQ(decompress(c, *bomb, zeros.size()).error, DecodeError::None);
    }
}

TEST(Codec, CorruptTruncatedOrTrailingInputIsRefused) {
    const std::string body = page(10000);
    for (ContentCoding c : {ContentCoding::Gzip, ContentCoding::Br}) {
        auto encoded = *compress(c, body, {});
        EXPECT_EQ(decompress(c, encoded.substr(0, encoded.size() / 2), 1 << 20).error,
                  DecodeError::Corrupt);
        EXPECT_EQ(decompress(c, encoded + "junk", 1 << 20).error, DecodeError::Corrupt);
        std::string flipped = encoded;
        flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x55);
        Decoded d = decompress(c, flipped, 1 << 20);
        EXPECT_TRUE(d.error != DecodeError::None || d.body != body);
        EXPECT_EQ(decompress(c, "not compressed at all", 1 << 20).error, DecodeError::Corrupt);
        EXPECT_EQ(decompress(c, "", 1 << 20).error, DecodeError::Corrupt);
    }
}

}  // namespace
}  // namespace larder::coding
