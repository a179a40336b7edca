// Store-time codings (encode_at_store) and the per-client choice (representation_for).
#include "larder/cache/encodings.hpp"

#include <gtest/gtest.h>

#include "larder/cache/encode_at_store.hpp"
#include "larder/coding/codec.hpp"

namespace larder::cache {
namespace {

using http::ContentCoding;

std::string page(std::size_t size) {
    std::string s = "<!doctype html><title>t</title>\n";
    for (unsigned i = 0; s.size() < size; ++i)
        s.append("<p class=\"row\">row ").append(std::to_string(i * 31 % 97)).append("</p>\n");
    s.resize(size);
    return s;
}

struct EncodingsTest : ::testing::Test {
    http::HeaderList fields;
    config::CompressionConfig compression;
    EncodeOptions options = encode_options(compression, 1024 * 1024);
    EncodeStats stats;

    ObjectDraft object(std::string body, std::string extra = "") {
        ObjectDraft o;
        o.key = "k";
        o.head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" + extra;
        o.body = std::move(body);
        o.meta.etag = "\"v1\"";
        o.head += "ETag: \"v1\"\r\n";
        return o;
    }
    EncodeFacts facts(std::string_view type = "text/html; charset=utf-8",
                      std::string_view encoding = "", bool no_transform = false) {
        fields = {};
        fields.add("Content-Type", type);
        if (!encoding.empty()) fields.add("Content-Encoding", encoding);
        if (no_transform) fields.add("Cache-Control", "max-age=60, no-transform");
        return encode_facts(fields, compression);
    }
    static const Object* find(const ObjectDraft& o, ContentCoding c) {
        for (const auto& other : o.encodings.others)
            if (other->encodings.own == c) return other.get();
        return nullptr;
    }
};

TEST_F(EncodingsTest, CompressibleIdentityGetsGzipAndBrOnce) {
    const std::string body = page(40 * 1024);
    auto o = object(body);
    auto f = facts();
    EXPECT_TRUE(needs_encoding_work(o, f, options));
    EXPECT_EQ(encode_at_store(o, f, options, stats), std::nullopt);
    EXPECT_EQ(stats.made, 2u);
    ASSERT_EQ(o.encodings.others.size(), 2u);
    EXPECT_NE(o.head.find("Vary: Accept-Encoding\r\n"), std::string::npos);
    const Object* gz = find(o, ContentCoding::Gzip);
    const Object* br = find(o, ContentCoding::Br);
    ASSERT_TRUE(gz && br);
    EXPECT_EQ(coding::decompress(ContentCoding::Gzip, gz->body(), body.size()).body, body);
    EXPECT_EQ(coding::decompress(ContentCoding::Br, br->body(), body.size()).body, body);
    EXPECT_NE(gz->head().find("Content-Encoding: gzip\r\n"), std::string::npos);
    EXPECT_NE(gz->head().find("ETag: \"v1-gzip\"\r\n"), std::string::npos);
    EXPECT_EQ(gz->head().find("ETag: \"v1\"\r\n"), std::string::npos);
    EXPECT_NE(gz->head().find("Vary: Accept-Encoding\r\n"), std::string::npos);
    EXPECT_EQ(gz->etag(), "\"v1-gzip\"");
    EXPECT_EQ(br->etag(), "\"v1-br\"");
    EXPECT_TRUE(br->head().starts_with("HTTP/1.1 200 OK\r\n"));
    // Charged: the others' bodies count against max_size.
    EXPECT_GT(Object::make(o)->charge(), body.size() + gz->body().size() + br->body().size());
}

TEST_F(EncodingsTest, RepresentationFollowsTheClient) {
    auto o = object(page(40 * 1024));
    auto f = facts();
    ASSERT_EQ(encode_at_store(o, f, options, stats), std::nullopt);
    ObjectPtr stored = Object::make(o);
    auto pick = [&](std::string_view ae) {
        return representation_for(stored, http::parse_accept_encoding(ae))->encodings.own;
    };
    EXPECT_EQ(pick("gzip, deflate, br"), ContentCoding::Br);
    EXPECT_EQ(pick("gzip"), ContentCoding::Gzip);
    EXPECT_EQ(pick(""), ContentCoding::Identity);
    EXPECT_EQ(pick("deflate"), ContentCoding::Identity);
    EXPECT_EQ(representation_for(stored, http::parse_accept_encoding(""))->body(), o.body);
    EXPECT_EQ(identity_size(*stored), o.body.size());
}

TEST_F(EncodingsTest, SmallOrIncompressibleTypesStayAsTheyAre) {
    auto small = object(page(500));
    EXPECT_FALSE(needs_encoding_work(small, facts(), options));
    EXPECT_EQ(encode_at_store(small, facts(), options, stats), std::nullopt);
    EXPECT_TRUE(small.encodings.others.empty());
    EXPECT_EQ(small.head.find("Vary"), std::string::npos);

    auto png = object(page(40 * 1024));
    EXPECT_FALSE(needs_encoding_work(png, facts("image/png"), options));
    EXPECT_EQ(encode_at_store(png, facts("image/png"), options, stats), std::nullopt);
    EXPECT_TRUE(png.encodings.others.empty());

    options.compress = false;  // [compression] enabled = false
    auto off = object(page(40 * 1024));
    EXPECT_EQ(encode_at_store(off, facts(), options, stats), std::nullopt);
    EXPECT_TRUE(off.encodings.others.empty());
}

TEST_F(EncodingsTest, RandomBytesAreNotKeptCompressed) {
    std::string noise(20000, '\0');
    std::uint32_t x = 12345;
    for (char& c : noise) {
        x = x * 1664525u + 1013904223u;
        c = static_cast<char>(x >> 24);
    }
    auto o = object(noise);
    EXPECT_EQ(encode_at_store(o, facts("text/plain"), options, stats), std::nullopt);
    EXPECT_TRUE(o.encodings.others.empty());
}

TEST_F(EncodingsTest, OriginGzipIsKeptAndDecodedOnceForOthers) {
    const std::string body = page(40 * 1024);
    auto o = object(*coding::compress(ContentCoding::Gzip, body, {}), "Content-Encoding: gzip\r\n");
    auto f = facts("text/html", "gzip");
    EXPECT_EQ(encode_at_store(o, f, options, stats), std::nullopt);
    EXPECT_EQ(o.encodings.own, ContentCoding::Gzip);
    const Object* identity = find(o, ContentCoding::Identity);
    const Object* br = find(o, ContentCoding::Br);
    ASSERT_TRUE(identity && br);
    EXPECT_EQ(identity->body(), body);
    EXPECT_EQ(identity->head().find("Content-Encoding"), std::string::npos);
    EXPECT_EQ(identity->etag(), "\"v1-identity\"");
    EXPECT_EQ(coding::decompress(ContentCoding::Br, br->body(), body.size()).body, body);
    ObjectPtr stored = Object::make(o);
    EXPECT_EQ(representation_for(stored, http::parse_accept_encoding("gzip")), stored);
    EXPECT_EQ(identity_size(*stored), body.size());
}

TEST_F(EncodingsTest, RefusalsForWhatCannotBeServedToEveryone) {
    auto zstd = object("whatever", "Content-Encoding: zstd\r\n");
    EXPECT_EQ(encode_at_store(zstd, facts("text/html", "zstd"), options, stats),
              NoCacheReason::EncodingUnsupported);
    auto stacked = object("whatever");
    EXPECT_EQ(encode_at_store(stacked, facts("text/html", "gzip, br"), options, stats),
              NoCacheReason::EncodingUnsupported);
    auto corrupt = object("not gzip at all");
    EXPECT_EQ(encode_at_store(corrupt, facts("text/html", "gzip"), options, stats),
              NoCacheReason::EncodingInvalid);
    auto bomb = object(*coding::compress(ContentCoding::Gzip, std::string(4 << 20, 'a'), {}));
    EXPECT_EQ(encode_at_store(bomb, facts("text/html", "gzip"), options, stats),
              NoCacheReason::TooLarge);
    auto no_transform = object(*coding::compress(ContentCoding::Br, page(4000), {}));
    EXPECT_EQ(encode_at_store(no_transform, facts("text/html", "br", true), options, stats),
              NoCacheReason::NoTransformEncoded);
    // Uncompressed with no-transform: stored as it is.
    auto plain = object(page(40 * 1024));
    EXPECT_EQ(encode_at_store(plain, facts("text/html", "", true), options, stats), std::nullopt);
    EXPECT_TRUE(plain.encodings.others.empty());
}

TEST_F(EncodingsTest, RevalidatedObjectKeepsItsCodingsWithoutCompressing) {
    auto old_object = object(page(40 * 1024));
    ASSERT_EQ(encode_at_store(old_object, facts(), options, stats), std::nullopt);
    auto refreshed = object(old_object.body, "Cache-Control: max-age=99\r\n");
    carry_encodings(refreshed, *Object::make(old_object));
    ASSERT_EQ(refreshed.encodings.others.size(), 2u);
    for (const auto& other : refreshed.encodings.others)
        EXPECT_NE(other->head().find("max-age=99"), std::string::npos);
    EXPECT_NE(refreshed.head.find("Vary: Accept-Encoding"), std::string::npos);
}

TEST(CodedEtag, StrongTagsGetASuffixWeakOnesStay) {
    EXPECT_EQ(coded_etag("\"abc\"", ContentCoding::Gzip, ContentCoding::Identity), "\"abc-gzip\"");
    EXPECT_EQ(coded_etag("\"abc\"", ContentCoding::Br, ContentCoding::Identity), "\"abc-br\"");
    EXPECT_EQ(coded_etag("\"abc\"", ContentCoding::Identity, ContentCoding::Identity), "\"abc\"");
    EXPECT_EQ(coded_etag("\"abc\"", ContentCoding::Identity, ContentCoding::Gzip),
              "\"abc-identity\"");
    EXPECT_EQ(coded_etag("W/\"abc\"", ContentCoding::Gzip, ContentCoding::Identity), "W/\"abc\"");
    EXPECT_EQ(coded_etag("", ContentCoding::Gzip, ContentCoding::Identity), "");
    EXPECT_EQ(coded_etag("junk", ContentCoding::Gzip, ContentCoding::Identity), "junk");
}

TEST(VaryAcceptEncoding, AddedOnceAndNotOverStar) {
    std::string head = "HTTP/1.1 200 OK\r\nVary: Cookie\r\n";
    add_vary_accept_encoding(head);
    EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nVary: Cookie\r\nVary: Accept-Encoding\r\n");
    add_vary_accept_encoding(head);
    EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nVary: Cookie\r\nVary: Accept-Encoding\r\n");
    std::string named = "HTTP/1.1 200 OK\r\nvary: accept-encoding, Cookie\r\n";
    add_vary_accept_encoding(named);
    EXPECT_EQ(named, "HTTP/1.1 200 OK\r\nvary: accept-encoding, Cookie\r\n");
}

TEST(CompressibleType, PatternsAndParameters) {
    const config::CompressionConfig c;
    EXPECT_TRUE(compressible_type("text/html; charset=utf-8", c.types));
    EXPECT_TRUE(compressible_type("TEXT/CSS", c.types));
    EXPECT_TRUE(compressible_type("application/ld+json", c.types));
    EXPECT_TRUE(compressible_type("application/atom+xml", c.types));
    EXPECT_TRUE(compressible_type("image/svg+xml", c.types));
    EXPECT_TRUE(compressible_type(" application/javascript ", c.types));
    EXPECT_FALSE(compressible_type("image/png", c.types));
    EXPECT_FALSE(compressible_type("application/octet-stream", c.types));
    EXPECT_FALSE(compressible_type("", c.types));
    EXPECT_FALSE(compressible_type("application/+json", {"application/x*+json"}));
}

}  // namespace
}  // namespace larder::cache
