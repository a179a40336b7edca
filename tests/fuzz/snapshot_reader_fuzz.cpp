// Fuzz target: cache::load_snapshot_bytes, the reader of the warm-restart snapshot
// (include/larder/cache/snapshot.hpp), into a small store.
//
// Input: one mode byte, then a snapshot file. Mode bit 0 clear: the bytes as they are (framing,
// checksums, truncation). Set: the target first repairs every checksum the framing lets it find
// (the header's CRC and each record's, walking the records by their lengths) so the mutations
// reach the record decoder and the store instead of stopping at a CRC. Mode bit 1: `now` is
// two hours later (objects expire at load).
//
// Invariants: never a crash, a leak or an allocation beyond the input's size; every record is
// counted once (loaded + expired + refused == records); a load without problem read every byte;
// the store stays within its budget and passes check_invariants(); whatever was loaded, written
// again and read into a fresh store, loads without problem and with as many objects.
#include <cstddef>
#include <cstdint>
#include <string>

#include "../../src/cache/snapshot_format.hpp"
#include "fuzz_check.hpp"
#include "larder/cache/snapshot.hpp"

namespace {

using namespace larder;

cache::StoreLimits limits() {
    cache::StoreLimits l;
    l.max_size = 256 * 1024;
    l.max_objects = 64;
    l.max_object_size = 16 * 1024;
    l.shards = 2;
    l.max_variants = 3;
    return l;
}

void repair_checksums(std::string& bytes) {
    namespace d = cache::detail;
    if (bytes.size() < d::kHeaderSize) return;
    d::store_u32(bytes.data() + 36, d::crc32c(0, bytes.data(), 36));
    std::size_t at = d::kHeaderSize;
    while (bytes.size() - at >= d::kRecordHeaderSize) {
        const std::uint64_t length = d::get_u64(bytes.data() + at + 8);
        if (length > bytes.size() - at - d::kRecordHeaderSize) return;
        const std::uint32_t crc = d::crc32c(0, bytes.data() + at + 4, 12);
        d::store_u32(bytes.data() + at,
                     d::crc32c(crc, bytes.data() + at + d::kRecordHeaderSize, length));
        at += d::kRecordHeaderSize + length;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t mode = data[0];
    std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    if (mode & 1) repair_checksums(bytes);
    obs::ManualClock clock;
    if (mode & 2) clock.advance(std::chrono::hours{2});

    cache::Store store(limits());
    const cache::SnapshotLoad r = cache::load_snapshot_bytes(store, bytes, clock.now());
    FUZZ_CHECK(r.loaded + r.expired + r.refused == r.records);
    FUZZ_CHECK(r.bytes <= bytes.size());
    FUZZ_CHECK(r.problem != cache::SnapshotProblem::None || r.bytes == bytes.size());
    FUZZ_CHECK(r.problem != cache::SnapshotProblem::Missing);
    FUZZ_CHECK(store.check_invariants());
    const cache::StoreStats stats = store.stats();
    FUZZ_CHECK(stats.bytes <= limits().max_size);
    FUZZ_CHECK(stats.objects <= r.loaded);

    const std::string again = cache::snapshot_bytes(store, clock.now());
    cache::Store copy(limits());
    const cache::SnapshotLoad r2 = cache::load_snapshot_bytes(copy, again, clock.now());
    FUZZ_CHECK(r2.problem == cache::SnapshotProblem::None);
    FUZZ_CHECK(r2.records == stats.objects);
    FUZZ_CHECK(copy.stats().objects == stats.objects);
    FUZZ_CHECK(copy.check_invariants());
    return 0;
}
