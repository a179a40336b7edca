#include "larder/cache/encode_at_store.hpp"

#include "larder/cache/encodings.hpp"
#include "larder/http/cache_control.hpp"

namespace larder::cache {

namespace {

bool has_body(const ObjectDraft& object) {
    return !object.body.empty() && object.status >= 200 && object.status != 204 &&
           object.status != 304;
}

// Worth keeping: at least 1/16 smaller than identity.
bool worth_keeping(std::size_t encoded, std::size_t identity) {
    return encoded < identity - identity / 16;
}

}  // namespace

EncodeOptions encode_options(const config::CompressionConfig& compression,
                             std::size_t max_object_size) {
    return {.compress = compression.enabled,
            .min_size = compression.min_size,
            .levels = {.gzip = compression.gzip_level, .brotli = compression.brotli_quality},
            .max_decoded = max_object_size};
}

EncodeFacts encode_facts(const http::HeaderList& response_headers,
                         const config::CompressionConfig& compression) {
    EncodeFacts facts;
    facts.coding = http::parse_content_encoding(response_headers);
    if (auto type = response_headers.get("content-type"))
        facts.compressible = compressible_type(*type, compression.types);
    facts.no_transform = http::parse_cache_control(response_headers).no_transform;
    return facts;
}

bool needs_encoding_work(const ObjectDraft& object, const EncodeFacts& facts,
                         const EncodeOptions& options) {
    if (!has_body(object)) return false;
    if (!facts.coding || *facts.coding != http::ContentCoding::Identity)
        return true;  // decode (or refuse)
    return options.compress && facts.compressible && !facts.no_transform &&
           object.body.size() >= options.min_size;
}

std::optional<NoCacheReason> encode_at_store(ObjectDraft& object, const EncodeFacts& facts,
                                             const EncodeOptions& options, EncodeStats& stats) {
    object.encodings = {};
    if (!has_body(object)) return std::nullopt;
    if (!facts.coding) return NoCacheReason::EncodingUnsupported;
    const http::ContentCoding own = *facts.coding;
    object.encodings.own = own;
    if (own != http::ContentCoding::Identity && facts.no_transform)
        return NoCacheReason::NoTransformEncoded;

    // The identity body: the object's own, or decoded once from the origin's coding.
    std::vector<std::pair<http::ContentCoding, std::string>> made;
    if (own != http::ContentCoding::Identity) {
        coding::Decoded d = coding::decompress(own, object.body, options.max_decoded);
        if (d.error == coding::DecodeError::TooLarge) return NoCacheReason::TooLarge;
        if (d.error != coding::DecodeError::None) return NoCacheReason::EncodingInvalid;
        stats.made += 1;
        stats.bytes_in += object.body.size();
        stats.bytes_out += d.body.size();
        made.emplace_back(http::ContentCoding::Identity, std::move(d.body));
    }
    made.reserve(3);  // the identity's place never moves: `identity` stays valid
    const std::string& identity = made.empty() ? object.body : made.front().second;

    if (options.compress && facts.compressible && !facts.no_transform &&
        identity.size() >= options.min_size) {
        for (auto coding : {http::ContentCoding::Gzip, http::ContentCoding::Br}) {
            if (coding == own) continue;
            auto encoded = coding::compress(coding, identity, options.levels);
            stats.bytes_in += identity.size();
            if (!encoded || !worth_keeping(encoded->size(), identity.size())) continue;
            stats.made += 1;
            stats.bytes_out += encoded->size();
            made.emplace_back(coding, std::move(*encoded));
        }
    }
    if (made.empty()) return std::nullopt;
    add_vary_accept_encoding(object.head);
    object.encodings.others.reserve(made.size());
    for (auto& [coding, body] : made)
        object.encodings.others.push_back(make_representation(object, coding, std::move(body)));
    return std::nullopt;
}

void carry_encodings(ObjectDraft& refreshed, const Object& replaced) {
    refreshed.encodings = {};
    refreshed.encodings.own = replaced.encodings.own;
    if (replaced.encodings.others.empty() || refreshed.body != replaced.body()) return;
    add_vary_accept_encoding(refreshed.head);
    refreshed.encodings.others.reserve(replaced.encodings.others.size());
    for (const auto& other : replaced.encodings.others)
        refreshed.encodings.others.push_back(
            make_representation(refreshed, other->encodings.own, other->body()));
}

}  // namespace larder::cache
