// write_snapshot: the store's objects to a file (or a string), in eviction order.
//
// Order: each shard's objects oldest first (Store::residents), the shards interleaved in
// proportion to their sizes, so the file runs roughly from the least to the most recently used
// object of the whole store. A loader inserting them in file order rebuilds the same order, and
// when the snapshot is larger than the new store's budget the oldest are the ones evicted.
//
// Speed: one pass, no per-object system call: records go through a 1 MiB buffer (a body larger
// than half of it is written straight from the object); the body is never copied elsewhere.
// Every 8 MiB the disk is asked to start writing (sync_file_range, not waiting), so encoding and
// disk writes overlap; one fdatasync at the end, then rename and an fsync of the directory (the
// rename must be durable before the old snapshot's name is gone).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "larder/cache/snapshot.hpp"
#include "snapshot_format.hpp"

namespace larder::cache {

namespace {

using detail::RecordKind;

// Where the records go: a string (tests, fuzz) or a buffered file.
class Sink {
  public:
    virtual ~Sink() = default;
    virtual bool append(std::string_view bytes) = 0;
};

class StringSink final : public Sink {
  public:
    explicit StringSink(std::string& out) : out_(out) {}
    bool append(std::string_view bytes) override {
        out_.append(bytes);
        return true;
    }

  private:
    std::string& out_;
};

std::string errno_text(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

class FileSink final : public Sink {
  public:
    static constexpr std::size_t kBuffer = 1 << 20;

    explicit FileSink(int fd) : fd_(fd) { buffer_.reserve(kBuffer); }
    bool append(std::string_view bytes) override {
        if (buffer_.size() + bytes.size() <= kBuffer) {
            buffer_.append(bytes);
            return true;
        }
        if (!flush()) return false;
        if (bytes.size() > kBuffer / 2) return write_all(bytes);
        buffer_.append(bytes);
        return true;
    }
    bool flush() {
        const bool ok = write_all(buffer_);
        buffer_.clear();
        return ok;
    }
    // Starts the disk writing what has been written so far, without waiting for it, once
    // kWriteBehind bytes are pending, so encoding and the disk overlap and the final fdatasync
    // only waits for the tail (a dirty page cache is otherwise flushed only at that fsync).
    void write_behind() {
        if (written_ - started_ < kWriteBehind) return;
        ::sync_file_range(fd_, static_cast<off_t>(started_),
                          static_cast<off_t>(written_ - started_), SYNC_FILE_RANGE_WRITE);
        started_ = written_;
    }
    const std::string& error() const { return error_; }

  private:
    bool write_all(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                error_ = errno_text("write");
                return false;
            }
            bytes.remove_prefix(static_cast<std::size_t>(n));
            written_ += static_cast<std::uint64_t>(n);
        }
        write_behind();
        return true;
    }
    static constexpr std::uint64_t kWriteBehind = 8 << 20;
    int fd_;
    std::string buffer_;
    std::string error_;
    std::uint64_t written_ = 0;  // bytes written to the file
    std::uint64_t started_ = 0;  // bytes whose writeback has been started
};

// Every object of the store, the shards interleaved (see the top of this file).
std::vector<Resident> collect(const Store& store) {
    const unsigned shards = store.limits().shards;
    std::vector<std::vector<Resident>> per_shard(shards);
    std::size_t total = 0;
    for (unsigned i = 0; i < shards; ++i) {
        per_shard[i] = store.residents(i);
        total += per_shard[i].size();
    }
    std::vector<Resident> all;
    all.reserve(total);
    std::vector<std::size_t> next(shards, 0);
    while (all.size() < total) {
        // The shard whose next object is the furthest behind in its own order.
        unsigned pick = shards;
        double lowest = 2.0;
        for (unsigned i = 0; i < shards; ++i) {
            const std::size_t n = per_shard[i].size();
            if (next[i] == n) continue;
            const double at = (static_cast<double>(next[i]) + 0.5) / static_cast<double>(n);
            if (at < lowest) {
                lowest = at;
                pick = i;
            }
        }
        all.push_back(std::move(per_shard[pick][next[pick]++]));
    }
    return all;
}

// Header, records, end record. Returns the objects written, or nullopt when the sink failed.
std::optional<std::uint64_t> write_records(const Store& store, obs::TimePoint now, Sink& sink) {
    std::vector<Resident> residents = collect(store);
    const std::string header = detail::encode_header(
        {kSnapshotVersion, now, static_cast<std::uint64_t>(residents.size())});
    if (!sink.append(header)) return std::nullopt;
    std::string scratch;
    std::uint64_t payload_bytes = 0;
    char record_header[detail::kRecordHeaderSize];
    for (Resident& r : residents) {
        scratch.clear();
        detail::encode_object(r, scratch);
        const std::string_view body = r.object->body();
        detail::encode_record_header(RecordKind::Object, scratch, body, record_header);
        if (!sink.append({record_header, sizeof record_header}) || !sink.append(scratch) ||
            !sink.append(body))
            return std::nullopt;
        payload_bytes += scratch.size() + body.size();
        r.object.reset();  // a body dropped from the store meanwhile is freed as soon as written
    }
    std::string end;
    detail::put_u64(end, residents.size());
    detail::put_u64(end, payload_bytes);
    detail::put_u64(end, static_cast<std::uint64_t>(detail::to_wire(now)));
    detail::encode_record_header(RecordKind::End, end, {}, record_header);
    if (!sink.append({record_header, sizeof record_header}) || !sink.append(end))
        return std::nullopt;
    return residents.size();
}

bool sync_directory_of(const std::string& path, std::string& error) {
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (dir.empty()) dir = ".";
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        error = errno_text("open " + dir.string());
        return false;
    }
    const bool ok = ::fsync(fd) == 0;
    if (!ok) error = errno_text("fsync " + dir.string());
    ::close(fd);
    return ok;
}

}  // namespace

std::string snapshot_bytes(const Store& store, obs::TimePoint now) {
    std::string out;
    StringSink sink(out);
    write_records(store, now, sink);
    return out;
}

SnapshotWrite write_snapshot(const Store& store, const std::string& path, obs::TimePoint now) {
    SnapshotWrite result;
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        result.error = errno_text("open " + tmp);
        return result;
    }
    FileSink sink(fd);
    const auto objects = write_records(store, now, sink);
    bool ok = objects && sink.flush();
    if (!ok) result.error = sink.error().empty() ? "write " + tmp : sink.error() + " (" + tmp + ")";
    if (ok && ::fdatasync(fd) != 0) {
        ok = false;
        result.error = errno_text("fdatasync " + tmp);
    }
    const off_t size = ok ? ::lseek(fd, 0, SEEK_END) : 0;
    if (::close(fd) != 0 && ok) {
        ok = false;
        result.error = errno_text("close " + tmp);
    }
    if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
        ok = false;
        result.error = errno_text("rename " + tmp + " to " + path);
    }
    if (!ok) {
        ::unlink(tmp.c_str());
        return result;
    }
    if (!sync_directory_of(path, result.error)) return result;  // renamed, maybe not durably
    result.ok = true;
    result.objects = *objects;
    result.bytes = size > 0 ? static_cast<std::uint64_t>(size) : 0;
    return result;
}

}  // namespace larder::cache
