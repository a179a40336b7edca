// coding::codec: gzip (zlib) and brotli (libbrotlienc/dec) for whole bodies in memory.
//
// Larder compresses a response once, when it is stored, and never per hit, so these work on a
// whole body at a time: compress() returns the encoded bytes, decompress() the decoded ones up to
// a limit (a small gzip can expand a thousandfold: the limit is what keeps a hostile origin's
// "decompression bomb" from taking memory; the caller passes max_object_size). Both are pure and
// thread-safe (each call has its own zlib/brotli state), so they run on the compression pool
// (coding/pool.hpp). Identity is the identity: compress and decompress copy.
//
// Why these libraries: zlib is already linked (rules/ reads Flask session cookies with it) and is
// what every gzip implementation is measured against; brotli's reference library (Debian's
// libbrotli-dev, the one Chromium and nginx's ngx_brotli use) is the only maintained C
// implementation, and br is the coding browsers prefer. See docs/compression.md.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "larder/http/accept_encoding.hpp"

namespace larder::coding {

struct Levels {
    int gzip = 6;    // zlib level 1..9
    int brotli = 5;  // brotli quality 0..11
};

// The encoded body; nullopt only if the library fails (out of memory).
std::optional<std::string> compress(http::ContentCoding coding, std::string_view input,
                                    const Levels& levels);

enum class DecodeError { None, Corrupt, TooLarge };
std::string_view to_string(DecodeError error);

struct Decoded {
    DecodeError error = DecodeError::None;
    std::string body;  // the whole decoded body when error == None
};

// Decodes a whole body; TooLarge as soon as more than `limit` bytes would come out, Corrupt for
// bad or truncated input (and for trailing bytes after the end of the compressed stream).
Decoded decompress(http::ContentCoding coding, std::string_view input, std::size_t limit);

}  // namespace larder::coding
