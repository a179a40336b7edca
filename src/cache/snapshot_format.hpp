// cache::detail snapshot format: the byte layout of snapshot.hpp's files, shared by the writer
// (snapshot_writer.cpp), the reader (snapshot_reader.cpp) and the record codec
// (snapshot_record.cpp). Internal to src/cache/.
//
// Header (kHeaderSize bytes): magic[8] "LARDSNAP", u32 version, u32 header size, i64 creation
// time (ns since the Unix epoch), u64 object count, u32 reserved (0), u32 CRC-32C of the 36 bytes
// before it. Record: u32 CRC-32C of the 12 bytes after it and of the payload, u32 kind, u64
// payload length, payload. The end record (RecordKind::End) has a kEndPayloadSize payload: u64
// object records, u64 payload bytes of those records, i64 creation time. Integers are
// little-endian whatever the host.
//
// Cursor reads a payload and never reads past its end: every get fails (and stays failed) once
// fewer bytes remain than asked for, so a decoder checks ok() once at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "larder/cache/store.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache::detail {

inline constexpr char kSnapshotMagic[8] = {'L', 'A', 'R', 'D', 'S', 'N', 'A', 'P'};
inline constexpr std::size_t kHeaderSize = 40;
inline constexpr std::size_t kRecordHeaderSize = 16;  // crc, kind, length
inline constexpr std::size_t kEndPayloadSize = 24;

enum class RecordKind : std::uint32_t { Object = 1, End = 2 };

// Upper bounds on what a reader accepts whatever the file says (besides the bytes remaining).
inline constexpr std::uint64_t kMaxRecordPayload = std::uint64_t{1} << 34;  // 16 GiB
inline constexpr std::uint64_t kMaxObjects = std::uint64_t{1} << 40;

// CRC-32C, chained: crc32c(crc32c(0, a), b) == crc32c(0, a + b) (snapshot_checksum.cpp).
// crc32c uses the CPU's instruction when it has one; crc32c_portable never does (tests).
std::uint32_t crc32c(std::uint32_t crc, const void* data, std::size_t size);
std::uint32_t crc32c_portable(std::uint32_t crc, const void* data, std::size_t size);

inline void store_u32(char* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline void store_u64(char* p, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline void put_u32(std::string& out, std::uint32_t v) {
    char b[4];
    for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out.append(b, 4);
}
inline void put_u64(std::string& out, std::uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out.append(b, 8);
}
inline std::uint32_t get_u32(const char* p) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}
inline std::uint64_t get_u64(const char* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}
// Wall-clock times as signed nanoseconds since the Unix epoch.
std::int64_t to_wire(obs::TimePoint t);
obs::TimePoint from_wire(std::int64_t ns);

class Cursor {
  public:
    explicit Cursor(std::string_view bytes) : bytes_(bytes) {}
    std::uint8_t u8() { return take(1) ? static_cast<std::uint8_t>(last_[0]) : 0; }
    std::uint32_t u32() { return take(4) ? get_u32(last_) : 0; }
    std::uint64_t u64() { return take(8) ? get_u64(last_) : 0; }
    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
    obs::TimePoint time() { return from_wire(i64()); }
    // A u64 length then that many bytes, at most `max`.
    std::string string(std::uint64_t max) {
        const std::uint64_t n = u64();
        if (!ok_ || n > max || n > bytes_.size() - at_) {
            ok_ = false;
            return {};
        }
        std::string s(bytes_.data() + at_, static_cast<std::size_t>(n));
        at_ += static_cast<std::size_t>(n);
        return s;
    }
    bool ok() const { return ok_; }
    bool at_end() const { return ok_ && at_ == bytes_.size(); }

  private:
    bool take(std::size_t n) {
        if (!ok_ || bytes_.size() - at_ < n) {
            ok_ = false;
            return false;
        }
        last_ = bytes_.data() + at_;
        at_ += n;
        return true;
    }
    std::string_view bytes_;
    std::size_t at_ = 0;
    const char* last_ = nullptr;
    bool ok_ = true;
};

// The header, as written and as read back.
struct SnapshotHeader {
    std::uint32_t version = 0;
    obs::TimePoint written_at{};
    std::uint64_t objects = 0;
};
std::string encode_header(const SnapshotHeader& header);
// The record header (crc, kind, length) of a payload made of `first` then `second`, to write
// before them.
void encode_record_header(RecordKind kind, std::string_view first, std::string_view second,
                          char (&out)[kRecordHeaderSize]);

// One object record's payload is u32 fields length, the fields, then the body (so the body is
// written from the object and read into the new object without an intermediate copy).
// encode_object appends the length and the fields to `out` (the caller writes the body after
// them); decode_object reads fields written by a writer of format `version` and takes `body`,
// and returns nullopt when they are malformed or describe an object the store could not hold
// consistently (see snapshot.hpp). Every field of Object is in these two functions; a new field
// goes at the end of both, with a version bump and a `version >= N` branch in decode_object so
// older snapshots still load.
inline constexpr std::size_t kFieldsLengthSize = 4;
void encode_object(const Resident& resident, std::string& out);
std::optional<Resident> decode_object(std::string_view fields, std::string body,
                                      std::uint32_t version);

}  // namespace larder::cache::detail
