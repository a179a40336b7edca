// cache::encode_at_store: the content codings of a response, made once, before it is stored.
//
// Run on every response about to be stored (and on the one answer a refused response gives its
// own visitor, where it only checks), in two parts so the slow one can leave the event loop:
//   - encode_facts() reads the response fields (Content-Encoding, Content-Type,
//     Cache-Control: no-transform) on the worker, and says whether any work is needed;
//   - encode_at_store() does the work on the draft of the stored Object before anyone else can
//     see it (so on any thread, coding/pool.hpp): it decodes a gzip or br body from the origin once
//     (the identity representation, for clients that do not accept the origin's coding; at most
//     max_object_size bytes), compresses a compressible identity body of at least min_size
//     into gzip and br once, keeps a coding only when it is at least 1/16 smaller than identity,
//     adds `Vary: Accept-Encoding` to every representation when there is more than one, and
//     fills ObjectDraft::encodings (encodings.hpp).
// Refusals (the response is then not stored; its visitor still gets it as it came):
//   EncodingUnsupported (a coding other than gzip/br, or stacked codings: Larder asks the origin
//   for gzip or identity only, docs/compression.md), EncodingInvalid (the body does not decode),
//   TooLarge (it decodes to more than max_object_size), NoTransformEncoded (encoded, and
//   `no-transform` forbids making the identity other clients need). An uncompressed response
//   with no-transform is stored as it is, with no other coding.
// carry_encodings() gives an object refreshed by a 304 the codings of the object it replaces
// (same body), so a revalidation never compresses again.
#pragma once

#include <cstddef>
#include <optional>

#include "larder/cache/object.hpp"
#include "larder/cache/policy.hpp"
#include "larder/coding/codec.hpp"
#include "larder/config/config.hpp"
#include "larder/http/headers.hpp"

namespace larder::cache {

struct EncodeFacts {
    std::optional<http::ContentCoding> coding;  // nullopt: not one Larder can decode
    bool compressible = false;                  // Content-Type matches [compression] types
    bool no_transform = false;
};

struct EncodeOptions {
    bool compress = true;  // [compression] enabled
    std::size_t min_size = 1024;
    coding::Levels levels;
    std::size_t max_decoded = 1024 * 1024;  // [cache] max_object_size
};
EncodeOptions encode_options(const config::CompressionConfig& compression,
                             std::size_t max_object_size);

EncodeFacts encode_facts(const http::HeaderList& response_headers,
                         const config::CompressionConfig& compression);

// Whether encode_at_store() would do anything but note the coding (worth a trip to the pool).
bool needs_encoding_work(const ObjectDraft& object, const EncodeFacts& facts,
                         const EncodeOptions& options);

struct EncodeStats {
    std::size_t made = 0;       // representations compressed or decoded
    std::size_t bytes_in = 0;   // bytes read by the codecs
    std::size_t bytes_out = 0;  // bytes they produced (and kept)
};

std::optional<NoCacheReason> encode_at_store(ObjectDraft& object, const EncodeFacts& facts,
                                             const EncodeOptions& options, EncodeStats& stats);

void carry_encodings(ObjectDraft& refreshed, const Object& replaced);

}  // namespace larder::cache
