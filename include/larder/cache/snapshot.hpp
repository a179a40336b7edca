// cache::write_snapshot / load_snapshot: the store on disk across an orderly restart.
//
// A snapshot is the store's objects at one moment, written by the daemon on an orderly stop (and,
// optionally, periodically) and read back at the next start, before it serves, so the first
// request for a page cached before the restart is a hit. What is kept: every stored object with
// everything it needs to be served and judged again (key with its Vary variant, status, head,
// body, the stored times, grace / stale-if-error windows, the parsed RFC 9111 metadata, the rule
// name, URL and tags for purges, and its slot's soft-purged and CLOCK flags), in the store's
// eviction order, oldest first. What is not: fetches in flight and their waiters (they end with
// the process), hit-for-pass markers (they last uncacheable_ttl and are relearnt from the first
// uncacheable answer), the purge list (a purged object is simply not in the store when it is
// written; purges made while no process runs are not seen), and the counters.
//
// Times are wall-clock (obs::TimePoint is system_clock): an object is judged after the restart
// by the same stored absolute times, so one that expired meanwhile is dropped at load (past
// Object::retain_until(), the store's own rule: an object still within its grace, stale-if-error
// or revalidation window is loaded, and the policy decides at lookup as before the restart).
// A wall clock stepped backwards while the process was down makes objects live longer by that
// step, as it would in a running process.
//
// Format (version kSnapshotVersion, every integer little-endian): a 40-byte header (magic
// "LARDSNAP", version, creation time, object count, CRC-32C of the header); then one record per
// object: CRC-32C, kind, payload length, payload (the CRC covers kind, length and payload; the
// payload layout is snapshot_record.cpp's); then an end record holding the object count, the
// payload bytes and the creation time again. The file is written to PATH.tmp, fsynced and
// renamed over PATH (then the directory is fsynced), so PATH is either the previous snapshot or
// the whole new one.
//
// Loading never trusts the file: every length is checked against the bytes that remain and
// against fixed maxima before anything is allocated; a record's CRC is verified before it is
// decoded; a decoded object is checked for what the store relies on (a variant key has a Vary
// and a plain key none, tags are each once, the head is a status line and fields ending in CRLF
// with the record's status). The first problem stops the load: the records verified before it
// are kept (each was checksummed on its own), the rest is ignored, and SnapshotLoad says what
// and where. A missing file is not a problem (the first start). Nothing here logs; the caller
// (server::WarmRestart) reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "larder/cache/store.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache {

// 2: an object's other content codings (Object::encodings) are kept; version 1 files still load.
inline constexpr std::uint32_t kSnapshotVersion = 2;
inline constexpr std::uint32_t kOldestSnapshotVersion = 1;

// Why a load stopped before the end of the file; None when it read the whole snapshot.
enum class SnapshotProblem : std::uint8_t {
    None,
    Missing,       // no file at the path: nothing to load (the first start), not an error
    Unreadable,    // the file could not be opened or read (permissions, I/O error)
    NotSnapshot,   // no snapshot magic at the start
    WrongVersion,  // a snapshot of another format version
    BadHeader,     // the header's checksum or counts are wrong
    Truncated,     // the file ends before its end record
    Corrupt,       // a record's checksum, framing or content is wrong, or bytes follow the end
};
const char* to_string(SnapshotProblem problem);

struct SnapshotLoad {
    SnapshotProblem problem = SnapshotProblem::None;
    std::uint64_t problem_offset = 0;  // file offset of the record (or header) at fault
    std::uint32_t version = 0;         // as the header says (WrongVersion: the one found)
    obs::TimePoint written_at{};       // the header's creation time
    std::uint64_t records = 0;         // object records verified (checksum and content)
    std::uint64_t loaded = 0;          // stored into the store
    std::uint64_t expired = 0;         // past their retention at `now`: dropped
    std::uint64_t refused = 0;         // the store refused them (too large for this config, ...)
    std::uint64_t bytes = 0;           // file bytes read
};

struct SnapshotWrite {
    bool ok = false;
    std::string error;  // what failed (with errno's text), when !ok
    std::uint64_t objects = 0;
    std::uint64_t bytes = 0;  // file size
};

// Writes every object of `store` to `path` (through path + ".tmp", fsync, rename, fsync of the
// directory). Serving goes on meanwhile: each shard is locked only to copy its object pointers
// (Store::residents), so objects evicted or purged during the write stay in memory until it ends.
SnapshotWrite write_snapshot(const Store& store, const std::string& path, obs::TimePoint now);
// Reads `path` into `store` (normally empty: a loaded object replaces one of the same key),
// dropping objects past their retention at `now`.
SnapshotLoad load_snapshot(Store& store, const std::string& path, obs::TimePoint now);

// The same on memory (tests, the fuzz target).
std::string snapshot_bytes(const Store& store, obs::TimePoint now);
SnapshotLoad load_snapshot_bytes(Store& store, std::string_view bytes, obs::TimePoint now);

}  // namespace larder::cache
