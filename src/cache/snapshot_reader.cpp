// load_snapshot: a snapshot file (or bytes) back into the store, never trusting the input.
//
// The reader holds at most one record in memory, and only after checking that its length (and
// its fields length) is within kMaxRecordPayload and within the bytes left in the file, so no
// length in the file makes it allocate more than the file holds. The CRC is checked before the
// payload is decoded; the decoder (snapshot_record.cpp) checks every length against the payload and
// the object against what the store relies on. The first problem stops the load; the objects of
// records verified before it stay stored (see snapshot.hpp).
//
// Speed: files are read through a 1 MiB buffer with sequential read-ahead advised; each body is
// read into the string the new Object keeps (straight from the file when larger than half the
// buffer), never copied again.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "larder/cache/snapshot.hpp"
#include "snapshot_format.hpp"

namespace larder::cache {

namespace {

using detail::RecordKind;

// Bytes to read: a string in memory or a file.
class Source {
  public:
    virtual ~Source() = default;
    // Exactly n bytes into `out`; false when fewer remain or reading failed (failed() says).
    virtual bool read(char* out, std::size_t n) = 0;
    std::uint64_t remaining() const { return size_ - offset_; }
    std::uint64_t offset() const { return offset_; }
    bool failed() const { return failed_; }

  protected:
    std::uint64_t size_ = 0;
    std::uint64_t offset_ = 0;
    bool failed_ = false;
};

class MemorySource final : public Source {
  public:
    explicit MemorySource(std::string_view bytes) : bytes_(bytes) { size_ = bytes.size(); }
    bool read(char* out, std::size_t n) override {
        if (n > remaining()) return false;
        if (n > 0) std::memcpy(out, bytes_.data() + offset_, n);
        offset_ += n;
        return true;
    }

  private:
    std::string_view bytes_;
};

class FileSource final : public Source {
  public:
    static constexpr std::size_t kBuffer = 1 << 20;

    FileSource(int fd, std::uint64_t size) : fd_(fd), buffer_(new char[kBuffer]) { size_ = size; }
    bool read(char* out, std::size_t n) override {
        if (n > remaining()) return false;
        const std::size_t buffered = std::min(n, end_ - at_);
        std::memcpy(out, buffer_.get() + at_, buffered);
        at_ += buffered;
        out += buffered;
        n -= buffered;
        offset_ += buffered;
        if (n == 0) return true;
        if (n >= kBuffer / 2) {  // large: straight into `out`
            if (!read_fully(out, n)) return false;
            offset_ += n;
            return true;
        }
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(kBuffer, remaining()));
        if (!read_fully(buffer_.get(), want)) return false;
        at_ = 0;
        end_ = want;
        std::memcpy(out, buffer_.get(), n);
        at_ = n;
        offset_ += n;
        return true;
    }

  private:
    bool read_fully(char* out, std::size_t n) {
        while (n > 0) {
            const ssize_t got = ::read(fd_, out, n);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) {  // an error, or the file shrank under us
                failed_ = true;
                return false;
            }
            out += got;
            n -= static_cast<std::size_t>(got);
        }
        return true;
    }
    int fd_;
    std::unique_ptr<char[]> buffer_;
    std::size_t at_ = 0;
    std::size_t end_ = 0;
};

SnapshotLoad stop(SnapshotLoad r, SnapshotProblem problem, std::uint64_t offset) {
    r.problem = problem;
    r.problem_offset = offset;
    return r;
}

// Short input, or a read error: which one.
SnapshotProblem short_read(const Source& source) {
    return source.failed() ? SnapshotProblem::Unreadable : SnapshotProblem::Truncated;
}

SnapshotLoad load(Store& store, Source& source, obs::TimePoint now) {
    SnapshotLoad r;
    char header[detail::kHeaderSize];
    const std::size_t head_bytes =
        static_cast<std::size_t>(std::min<std::uint64_t>(source.remaining(), sizeof header));
    if (!source.read(header, head_bytes)) return stop(r, short_read(source), 0);
    r.bytes = head_bytes;
    const std::size_t magic = std::min(head_bytes, sizeof detail::kSnapshotMagic);
    if (std::memcmp(header, detail::kSnapshotMagic, magic) != 0)
        return stop(r, SnapshotProblem::NotSnapshot, 0);
    if (head_bytes < 12) return stop(r, SnapshotProblem::Truncated, 0);  // an empty file too
    r.version = detail::get_u32(header + 8);
    if (r.version < kOldestSnapshotVersion || r.version > kSnapshotVersion)
        return stop(r, SnapshotProblem::WrongVersion, 0);
    if (head_bytes < sizeof header) return stop(r, SnapshotProblem::Truncated, 0);
    const std::uint64_t announced = detail::get_u64(header + 24);
    if (detail::get_u32(header + 36) != detail::crc32c(0, header, 36) ||
        detail::get_u32(header + 12) != detail::kHeaderSize || announced > detail::kMaxObjects)
        return stop(r, SnapshotProblem::BadHeader, 0);
    r.written_at = detail::from_wire(static_cast<std::int64_t>(detail::get_u64(header + 16)));

    std::string fields;  // an object's fields, or the end record's payload
    std::uint64_t payload_bytes = 0;
    for (;;) {
        const std::uint64_t at = source.offset();
        char record[detail::kRecordHeaderSize];
        if (!source.read(record, sizeof record)) return stop(r, short_read(source), at);
        const std::uint32_t crc = detail::get_u32(record);
        const std::uint32_t kind = detail::get_u32(record + 4);
        const std::uint64_t length = detail::get_u64(record + 8);
        if (length > detail::kMaxRecordPayload) return stop(r, SnapshotProblem::Corrupt, at);
        if (length > source.remaining()) return stop(r, SnapshotProblem::Truncated, at);

        // The payload: all of it into `fields` for the end record; for an object, the fields
        // length, the fields into `fields` and the rest (the body) straight into its string.
        std::uint64_t fields_length = length;
        if (kind == static_cast<std::uint32_t>(RecordKind::Object)) {
            char prefix[detail::kFieldsLengthSize];
            if (length < sizeof prefix || !source.read(prefix, sizeof prefix))
                return stop(r, SnapshotProblem::Corrupt, at);
            fields_length = detail::get_u32(prefix);
            if (fields_length > length - sizeof prefix)
                return stop(r, SnapshotProblem::Corrupt, at);
            fields.assign(prefix, sizeof prefix);
        } else {
            fields.clear();
        }
        const std::size_t fields_start = fields.size();
        fields.resize(fields_start + static_cast<std::size_t>(fields_length));
        std::string body(static_cast<std::size_t>(length - fields.size()), '\0');
        if (!source.read(fields.data() + fields_start, fields.size() - fields_start) ||
            !source.read(body.data(), body.size()))
            return stop(r, short_read(source), at);
        r.bytes = source.offset();
        const std::uint32_t header_crc = detail::crc32c(0, record + 4, 12);
        if (detail::crc32c(detail::crc32c(header_crc, fields.data(), fields.size()), body.data(),
                           body.size()) != crc)
            return stop(r, SnapshotProblem::Corrupt, at);

        if (kind == static_cast<std::uint32_t>(RecordKind::End)) {
            if (fields.size() != detail::kEndPayloadSize ||
                detail::get_u64(fields.data()) != r.records || r.records != announced ||
                detail::get_u64(fields.data() + 8) != payload_bytes ||
                detail::get_u64(fields.data() + 16) != detail::get_u64(header + 16) ||
                source.remaining() != 0)
                return stop(r, SnapshotProblem::Corrupt, at);
            return r;
        }
        if (kind != static_cast<std::uint32_t>(RecordKind::Object) || r.records == announced)
            return stop(r, SnapshotProblem::Corrupt, at);
        std::optional<Resident> resident = detail::decode_object(
            std::string_view(fields).substr(detail::kFieldsLengthSize), std::move(body), r.version);
        if (!resident) return stop(r, SnapshotProblem::Corrupt, at);
        ++r.records;
        payload_bytes += length;
        if (now >= resident->object->retain_until()) {
            ++r.expired;
        } else if (store.restore(std::move(resident->object), resident->soft_purged,
                                 resident->referenced)) {
            ++r.loaded;
        } else {
            ++r.refused;
        }
    }
}

}  // namespace

SnapshotLoad load_snapshot_bytes(Store& store, std::string_view bytes, obs::TimePoint now) {
    MemorySource source(bytes);
    return load(store, source, now);
}

SnapshotLoad load_snapshot(Store& store, const std::string& path, obs::TimePoint now) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return stop({}, errno == ENOENT ? SnapshotProblem::Missing : SnapshotProblem::Unreadable,
                    0);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return stop({}, SnapshotProblem::Unreadable, 0);
    }
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    FileSource source(fd, static_cast<std::uint64_t>(st.st_size));
    SnapshotLoad r = load(store, source, now);
    ::close(fd);
    return r;
}

}  // namespace larder::cache
