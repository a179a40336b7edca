#include "larder/coding/codec.hpp"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <limits>

namespace larder::coding {

namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip wrapper
constexpr std::size_t kChunk = 64 * 1024;

std::optional<std::string> gzip(std::string_view input, int level) {
    z_stream z{};
    if (deflateInit2(&z, std::clamp(level, 1, 9), Z_DEFLATED, kGzipWindowBits, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return std::nullopt;
    std::string out(deflateBound(&z, static_cast<uLong>(input.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    z.avail_in = static_cast<uInt>(input.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);  // deflateBound guarantees room for one call
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) return std::nullopt;
    out.shrink_to_fit();
    return out;
}

std::optional<std::string> brotli(std::string_view input, int quality) {
    std::size_t size = BrotliEncoderMaxCompressedSize(input.size());
    if (size == 0) size = input.size() + 1024;  // 0 means "too large to tell": never here
    std::string out(size, '\0');
    if (!BrotliEncoderCompress(std::clamp(quality, 0, 11), BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT,
                               input.size(), reinterpret_cast<const std::uint8_t*>(input.data()),
                               &size, reinterpret_cast<std::uint8_t*>(out.data())))
        return std::nullopt;
    out.resize(size);
    out.shrink_to_fit();
    return out;
}

Decoded gunzip(std::string_view input, std::size_t limit) {
    Decoded d;
    z_stream z{};
    if (inflateInit2(&z, kGzipWindowBits) != Z_OK) return {DecodeError::Corrupt, {}};
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    z.avail_in = static_cast<uInt>(std::min<std::size_t>(input.size(), UINT32_MAX));
    char buffer[kChunk];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        z.next_out = reinterpret_cast<Bytef*>(buffer);
        z.avail_out = sizeof buffer;
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) break;
        const std::size_t produced = sizeof buffer - z.avail_out;
        if (d.body.size() + produced > limit) {
            d.error = DecodeError::TooLarge;
            break;
        }
        d.body.append(buffer, produced);
        if (rc == Z_OK && produced == 0 && z.avail_in == 0) break;  // truncated
    }
    if (d.error == DecodeError::None && (rc != Z_STREAM_END || z.avail_in != 0))
        d.error = DecodeError::Corrupt;
    inflateEnd(&z);
    if (d.error != DecodeError::None) d.body.clear();
    return d;
}

Decoded unbrotli(std::string_view input, std::size_t limit) {
    Decoded d;
    BrotliDecoderState* s = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
    if (!s) return {DecodeError::Corrupt, {}};
    const auto* next_in = reinterpret_cast<const std::uint8_t*>(input.data());
    std::size_t avail_in = input.size();
    BrotliDecoderResult rc = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
    std::uint8_t buffer[kChunk];
    while (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
        std::uint8_t* next_out = buffer;
        std::size_t avail_out = sizeof buffer;
        rc = BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, nullptr);
        const std::size_t produced = sizeof buffer - avail_out;
        if (d.body.size() + produced > limit) {
            d.error = DecodeError::TooLarge;
            break;
        }
        d.body.append(reinterpret_cast<const char*>(buffer), produced);
    }
    if (d.error == DecodeError::None && (rc != BROTLI_DECODER_RESULT_SUCCESS || avail_in != 0))
        d.error = DecodeError::Corrupt;
    BrotliDecoderDestroyInstance(s);
    if (d.error != DecodeError::None) d.body.clear();
    return d;
}

}  // namespace

std::optional<std::string> compress(http::ContentCoding coding, std::string_view input,
                                    const Levels& levels) {
    switch (coding) {
        case http::ContentCoding::Gzip:
            return gzip(input, levels.gzip);
        case http::ContentCoding::Br:
            return brotli(input, levels.brotli);
        case http::ContentCoding::Identity:
            break;
    }
    return std::string(input);
}

std::string_view to_string(DecodeError error) {
    switch (error) {
        case DecodeError::None:
            return "none";
        case DecodeError::Corrupt:
            return "corrupt";
        case DecodeError::TooLarge:
            return "too_large";
    }
    return "unknown";
}

Decoded decompress(http::ContentCoding coding, std::string_view input, std::size_t limit) {
    switch (coding) {
        case http::ContentCoding::Gzip:
            return gunzip(input, limit);
        case http::ContentCoding::Br:
            return unbrotli(input, limit);
        case http::ContentCoding::Identity:
            break;
    }
    if (input.size() > limit) return {DecodeError::TooLarge, {}};
    return {DecodeError::None, std::string(input)};
}

}  // namespace larder::coding
