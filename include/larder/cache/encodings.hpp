// cache::encodings: one stored response in several content codings (Object::encodings), and the
// choice of the one a client gets.
//
// The representations of a response differ only in their body, Content-Encoding and ETag
// (RFC 9110 section 8.8.3: a strong validator names one representation, so each coding gets its
// own: `"abc"` is the stored one's, `"abc-gzip"`, `"abc-br"`, `"abc-identity"` the others'; a
// weak ETag stays as it is, as weak validators may be shared by representations that are
// equivalent). Every representation of an object with more than one carries
// `Vary: Accept-Encoding` (add_vary_accept_encoding). Content-Digest, Repr-Digest and Content-MD5
// describe the bytes of one coding and are kept only on the stored representation.
//
// representation_for() is the whole per-hit cost: parse the request's Accept-Encoding, pick the
// best coding among the object's (http::choose), return that Object. Nothing is compressed on a
// hit. Pure; no locks.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "larder/cache/object.hpp"
#include "larder/http/accept_encoding.hpp"
#include "larder/http/headers.hpp"

namespace larder::cache {

// `etag` (a field value) as the ETag of the representation in `coding`, when `own` is the coding
// of the representation it was given for: unchanged for a weak tag, for an empty one, or when
// coding == own; else the suffix "-<coding>" added before the closing quote.
std::string coded_etag(std::string_view etag, http::ContentCoding coding, http::ContentCoding own);

// Appends "Vary: Accept-Encoding" to a pre-serialized head unless one of its Vary fields already
// names Accept-Encoding (or is "*").
void add_vary_accept_encoding(std::string& head);

// The representation of `stored` (the draft of the object as it will be kept in the store, with
// its final head) in `coding`, with `body` in that coding, packed (Object::make).
ObjectPtr make_representation(const ObjectDraft& stored, http::ContentCoding coding,
                              std::string_view body);

// The codings `object` can be sent in.
http::CodingSet codings_of(const Object& object);

// The representation to send to a client that accepts `accepted` (the stored object itself when
// it has no other coding).
ObjectPtr representation_for(const ObjectPtr& object, const http::AcceptEncoding& accepted);

// The body size of the identity representation, when the object has one.
std::optional<std::size_t> identity_size(const Object& object);

// Whether `content_type` (a Content-Type field value) names one of `types` (lower-case media
// type patterns with at most one '*', see config::CompressionConfig::types).
bool compressible_type(std::string_view content_type, const std::vector<std::string>& types);

}  // namespace larder::cache
