// cache::write_snapshot / load_snapshot: every field back, in eviction order; truncation at any
// byte, any flipped bit, another version, a record that checks out but describes an impossible
// object: reported, never loaded wrong; expired objects dropped by the (manual) clock; a
// snapshot larger than the store keeps the most recently used.
#include "larder/cache/snapshot.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "../../../src/cache/snapshot_format.hpp"
#include "larder/cache/encodings.hpp"
#include "larder/cache/vary.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache {
namespace {

using namespace std::chrono_literals;

StoreLimits limits(std::size_t max_size = 64 << 20, unsigned shards = 4) {
    StoreLimits l;
    l.max_size = max_size;
    l.max_object_size = 1 << 20;
    l.shards = shards;
    return l;
}

std::string head(int status, std::size_t body_size) {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Type: text/html\r\nX-Size: " + std::to_string(body_size) + "\r\n";
}

struct SnapshotTest : ::testing::Test {
    obs::ManualClock clock;

    ObjectPtr make(std::string key, std::size_t body_size = 100,
                   std::chrono::seconds ttl = 3600s) const {
        ObjectDraft o;
        o.key = std::move(key);
        o.head = head(200, body_size);
        o.body = std::string(body_size, 'b');
        o.stored_at = clock.now();
        o.expires_at = clock.now() + ttl;
        return Object::make(o);
    }

    // An object with every field set to something other than its default.
    ObjectPtr full(std::string key, std::string vary = "") const {
        ObjectDraft o = make(std::move(key), 333, 60s)->draft();
        o.status = 203;
        o.head = head(203, 333);
        o.body = std::string("body \0 with nul", 15) + std::string(300, 'z');
        o.grace_until = clock.now() + 70s;
        o.error_until = clock.now() + 80s;
        o.rule_name = "anonymous pages";
        o.url = "http://example.com/a/b";
        o.url_query = "x=1&y=2";
        o.tags = "product-42 category-7";
        ParsedMeta& m = o.meta;
        m.etag = "W/\"abc\"";
        m.last_modified = clock.now() - 3600s;
        m.date = clock.now() - 1s;
        m.request_time = clock.now() - 2s;
        m.response_time = clock.now() - 1s + 123ns;
        m.freshness_lifetime = 61s;
        m.corrected_initial_age = 3s;
        m.fresh_until = clock.now() + 58s;
        m.keep_until = clock.now() + 600s;
        m.parsed = true;
        m.heuristic = true;
        m.no_cache = true;
        m.must_revalidate = true;
        m.public_ = true;
        m.immutable = true;
        m.authorization_ok = true;
        m.stale_while_revalidate = 9s;
        m.stale_if_error = 11s;
        m.vary = std::move(vary);
        return Object::make(o);
    }
};

// `o` as a new object with `change` applied to its draft.
template <class F>
ObjectPtr changed(const ObjectPtr& o, F&& change) {
    ObjectDraft d = o->draft();
    change(d);
    return Object::make(d);
}

void expect_same(const Object& a, const Object& b) {
    EXPECT_EQ(a.key(), b.key());
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.head(), b.head());
    EXPECT_EQ(a.body(), b.body());
    EXPECT_EQ(a.stored_at, b.stored_at);
    EXPECT_EQ(a.expires_at, b.expires_at);
    EXPECT_EQ(a.grace_until, b.grace_until);
    EXPECT_EQ(a.error_until, b.error_until);
    EXPECT_EQ(a.rule_name, b.rule_name);
    EXPECT_EQ(a.url(), b.url());
    EXPECT_EQ(a.url_query(), b.url_query());
    EXPECT_EQ(a.tags(), b.tags());
    const Meta& m = a.meta;
    const Meta& n = b.meta;
    EXPECT_EQ(a.etag(), b.etag());
    EXPECT_EQ(m.has_etag, n.has_etag);
    EXPECT_EQ(m.last_modified, n.last_modified);
    EXPECT_EQ(m.date, n.date);
    EXPECT_EQ(m.request_time, n.request_time);
    EXPECT_EQ(m.response_time, n.response_time);
    EXPECT_EQ(m.freshness_lifetime, n.freshness_lifetime);
    EXPECT_EQ(m.corrected_initial_age, n.corrected_initial_age);
    EXPECT_EQ(m.fresh_until, n.fresh_until);
    EXPECT_EQ(m.keep_until, n.keep_until);
    EXPECT_EQ(m.parsed, n.parsed);
    EXPECT_EQ(m.heuristic, n.heuristic);
    EXPECT_EQ(m.no_cache, n.no_cache);
    EXPECT_EQ(m.must_revalidate, n.must_revalidate);
    EXPECT_EQ(m.public_, n.public_);
    EXPECT_EQ(m.immutable, n.immutable);
    EXPECT_EQ(m.authorization_ok, n.authorization_ok);
    EXPECT_EQ(m.stale_while_revalidate, n.stale_while_revalidate);
    EXPECT_EQ(m.stale_if_error, n.stale_if_error);
    EXPECT_EQ(a.vary(), b.vary());
    EXPECT_EQ(b.epoch, 0u);  // purge epochs belong to one process
    // Restored strings hold exactly their bytes (no growth slack): never more to charge.
    EXPECT_LE(b.charge(), a.charge());
}

std::vector<Resident> all_residents(const Store& store) {
    std::vector<Resident> out;
    for (unsigned i = 0; i < store.limits().shards; ++i)
        for (auto& r : store.residents(i)) out.push_back(std::move(r));
    return out;
}

// A small store's snapshot: a plain object, two Vary variants of one key, tagged objects.
struct Sample {
    std::vector<ObjectPtr> objects;
    std::string bytes;
};

TEST_F(SnapshotTest, RoundTripKeepsEveryFieldVariantsTagsAndFlags) {
    Store store(limits());
    auto plain = full("GET|example.com|/a/b?x=1&y=2");
    auto fr = full(variant_key("GET|example.com|/v", "fr"), "accept-language");
    auto en = full(variant_key("GET|example.com|/v", "en"), "accept-language");
    en = changed(en, [](ObjectDraft& d) { d.tags = ""; });
    const auto soft =
        changed(make("GET|example.com|/soft"), [](ObjectDraft& d) { d.tags = "soft-tag"; });
    const auto touched = make("GET|example.com|/touched");
    ASSERT_TRUE(store.insert(plain));
    ASSERT_TRUE(store.insert(fr));
    ASSERT_TRUE(store.insert(en));
    ASSERT_TRUE(store.insert(soft));
    ASSERT_TRUE(store.insert(touched));
    ASSERT_EQ(
        store
            .purge({.kind = PurgeKind::Tag, .soft = true, .subject = "soft-tag", .matches = {}},
                   clock.now())
            .objects,
        1u);
    ASSERT_NE(store.lookup("GET|example.com|/touched", clock.now()), nullptr);  // CLOCK flag

    const std::string bytes = snapshot_bytes(store, clock.now());
    Store loaded(limits());
    const SnapshotLoad r = load_snapshot_bytes(loaded, bytes, clock.now());
    EXPECT_EQ(r.problem, SnapshotProblem::None);
    EXPECT_EQ(r.version, kSnapshotVersion);
    EXPECT_EQ(r.written_at, clock.now());
    EXPECT_EQ(r.records, 5u);
    EXPECT_EQ(r.loaded, 5u);
    EXPECT_EQ(r.expired + r.refused, 0u);
    EXPECT_EQ(r.bytes, bytes.size());
    EXPECT_TRUE(loaded.check_invariants());

    const auto residents = all_residents(loaded);
    ASSERT_EQ(residents.size(), 5u);
    for (const auto& original : {plain, fr, en, soft}) {
        const auto it = std::find_if(residents.begin(), residents.end(), [&](const Resident& x) {
            return x.object->key() == original->key();
        });
        ASSERT_NE(it, residents.end()) << original->key();
        expect_same(*original, *it->object);
        EXPECT_EQ(it->soft_purged, original == soft);
    }
    for (const auto& x : residents)
        EXPECT_EQ(x.referenced, x.object->key() == "GET|example.com|/touched") << x.object->key();
    EXPECT_EQ(loaded.variant_count("GET|example.com|/v"), 2u);
    EXPECT_EQ(loaded.tagged("product-42"), 2u);
    EXPECT_LE(loaded.stats().bytes, store.stats().bytes);

    // The variants are found again through the request's headers, and the soft-purged object
    // is never fresh again.
    http::HeaderList fr_request;
    fr_request.add("Accept-Language", "fr");
    auto judge_fresh = [](const Object&) { return Usability::Fresh; };
    EXPECT_EQ(loaded.resolve_variant("GET|example.com|/v", fr_request),
              variant_key("GET|example.com|/v", secondary_key("accept-language", fr_request)));
    const Lookup soft_lookup =
        loaded.lookup_or_join(Key::from("GET|example.com|/soft"), {}, judge_fresh, clock.now());
    EXPECT_NE(soft_lookup.kind, Lookup::Kind::Hit);
    const Lookup hit = loaded.lookup_or_join(Key::from("GET|example.com|/a/b?x=1&y=2"), {},
                                             judge_fresh, clock.now());
    EXPECT_EQ(hit.kind, Lookup::Kind::Hit);
    // Purges of the new process reach restored objects (by URL and by tag).
    EXPECT_EQ(
        loaded.purge({.kind = PurgeKind::Tag, .subject = "category-7", .matches = {}}, clock.now())
            .objects,
        2u);
    EXPECT_TRUE(loaded.check_invariants());
}

TEST_F(SnapshotTest, KeepsEveryContentCodingOfAnObject) {
    // An origin's gzip kept as sent, with its identity and br codings made at store time: after
    // a restart a client that takes no gzip must still get identity, never the gzip bytes.
    Store store(limits());
    ObjectDraft d = full("GET|example.com|/coded")->draft();
    d.meta.etag = "\"abc\"";
    d.head += "Content-Encoding: gzip\r\n";
    d.encodings.own = http::ContentCoding::Gzip;
    add_vary_accept_encoding(d.head);
    d.encodings.others.push_back(
        make_representation(d, http::ContentCoding::Identity, "the page itself"));
    d.encodings.others.push_back(make_representation(d, http::ContentCoding::Br, "br bytes"));
    const ObjectPtr o = Object::make(d);
    ASSERT_TRUE(store.insert(o));

    Store loaded(limits());
    const SnapshotLoad r =
        load_snapshot_bytes(loaded, snapshot_bytes(store, clock.now()), clock.now());
    ASSERT_EQ(r.loaded, 1u);
    const auto residents = all_residents(loaded);
    ASSERT_EQ(residents.size(), 1u);
    const Object& back = *residents[0].object;
    expect_same(*o, back);
    EXPECT_EQ(back.encodings.own, http::ContentCoding::Gzip);
    ASSERT_EQ(back.encodings.others.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(back.encodings.others[i]->encodings.own, o->encodings.others[i]->encodings.own);
        EXPECT_EQ(back.encodings.others[i]->head(), o->encodings.others[i]->head());
        EXPECT_EQ(back.encodings.others[i]->body(), o->encodings.others[i]->body());
    }
    EXPECT_EQ(codings_of(back), codings_of(*o));
}

TEST_F(SnapshotTest, KeepsTheEvictionOrder) {
    Store store(limits(64 << 20, 1));
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(store.insert(make("k" + std::to_string(i))));
    Store loaded(limits(64 << 20, 1));
    ASSERT_EQ(load_snapshot_bytes(loaded, snapshot_bytes(store, clock.now()), clock.now()).loaded,
              20u);
    const auto before = store.residents(0);
    const auto after = loaded.residents(0);
    ASSERT_EQ(before.size(), after.size());
    for (std::size_t i = 0; i < before.size(); ++i)
        EXPECT_EQ(before[i].object->key(), after[i].object->key());
}

TEST_F(SnapshotTest, LargerThanTheStoreKeepsTheMostRecentlyUsed) {
    Store big(limits(64 << 20, 4));
    for (int i = 0; i < 400; ++i) ASSERT_TRUE(big.insert(make("k" + std::to_string(i), 4000)));
    const std::string bytes = snapshot_bytes(big, clock.now());
    Store small(limits(400 << 10, 4));  // room for about a quarter
    const SnapshotLoad r = load_snapshot_bytes(small, bytes, clock.now());
    EXPECT_EQ(r.problem, SnapshotProblem::None);
    EXPECT_EQ(r.records, 400u);
    EXPECT_TRUE(small.check_invariants());
    const StoreStats s = small.stats();
    EXPECT_LE(s.bytes, 400u << 10);
    EXPECT_GT(s.objects, 40u);
    EXPECT_LT(s.objects, 120u);
    // The newest objects survived; the oldest did not.
    EXPECT_NE(small.lookup("k399", clock.now()), nullptr);
    EXPECT_NE(small.lookup("k390", clock.now()), nullptr);
    EXPECT_EQ(small.lookup("k0", clock.now()), nullptr);
    EXPECT_EQ(small.lookup("k100", clock.now()), nullptr);
}

TEST_F(SnapshotTest, DropsWhatExpiredMeanwhileAndKeepsWhatThePolicyMayStillUse) {
    Store store(limits());
    ASSERT_TRUE(store.insert(make("fresh", 10, 3600s)));
    ASSERT_TRUE(store.insert(make("expired", 10, 60s)));
    const auto now = clock.now();
    ASSERT_TRUE(store.insert(
        changed(make("grace", 10, 60s), [&](ObjectDraft& d) { d.grace_until = now + 200s; })));
    ASSERT_TRUE(store.insert(
        changed(make("on-error", 10, 60s), [&](ObjectDraft& d) { d.error_until = now + 200s; })));
    ASSERT_TRUE(store.insert(changed(make("revalidate", 10, 60s), [&](ObjectDraft& d) {
        d.meta.parsed = true;  // kept stale to be revalidated
        d.meta.keep_until = now + 200s;
    })));
    ASSERT_TRUE(store.insert(
        changed(make("gone", 10, 60s), [&](ObjectDraft& d) { d.grace_until = now + 90s; })));
    const std::string bytes = snapshot_bytes(store, clock.now());

    clock.advance(120s);  // the process was down two minutes
    Store loaded(limits());
    const SnapshotLoad r = load_snapshot_bytes(loaded, bytes, clock.now());
    EXPECT_EQ(r.problem, SnapshotProblem::None);
    EXPECT_EQ(r.records, 6u);
    EXPECT_EQ(r.expired, 2u);
    EXPECT_EQ(r.loaded, 4u);
    EXPECT_NE(loaded.lookup("fresh", clock.now()), nullptr);
    EXPECT_EQ(loaded.lookup_servable("expired", clock.now()), nullptr);
    EXPECT_EQ(loaded.lookup_servable("gone", clock.now()), nullptr);
    EXPECT_NE(loaded.lookup_servable("grace", clock.now()), nullptr);
    EXPECT_NE(loaded.lookup_servable("on-error", clock.now()), nullptr);
    EXPECT_NE(loaded.lookup_servable("revalidate", clock.now()), nullptr);
    EXPECT_EQ(loaded.lookup("grace", clock.now()), nullptr);  // stale: not a fresh hit
}

Sample sample(const SnapshotTest& t) {
    Store store(limits());
    Sample s;
    s.objects = {t.full("GET|h|/one"), t.full(variant_key("GET|h|/v", "a"), "accept"),
                 t.make("GET|h|/two", 50)};
    for (const auto& o : s.objects) EXPECT_TRUE(store.insert(o));
    s.bytes = snapshot_bytes(store, t.clock.now());
    return s;
}

// Where each record of a well-formed snapshot ends (its 16-byte header holds its length at 8).
std::vector<std::size_t> record_ends(const std::string& bytes) {
    std::vector<std::size_t> ends;
    for (std::size_t at = 40; at + 16 <= bytes.size();) {
        std::uint64_t length = 0;
        for (int i = 7; i >= 0; --i)
            length = (length << 8) | static_cast<unsigned char>(bytes[at + 8 + i]);
        at += 16 + length;
        ends.push_back(at);
    }
    return ends;
}

// Every object the load kept is one of the originals, unchanged.
void expect_only_originals(const Store& store, const std::vector<ObjectPtr>& originals) {
    for (const auto& r : all_residents(store)) {
        const auto it = std::find_if(originals.begin(), originals.end(), [&](const ObjectPtr& o) {
            return o->key() == r.object->key();
        });
        ASSERT_NE(it, originals.end()) << "a key that was never stored: " << r.object->key();
        expect_same(**it, *r.object);
    }
}

TEST_F(SnapshotTest, TruncatedAtEveryByteIsReportedAndKeepsOnlyWholeRecords) {
    const Sample s = sample(*this);
    const std::vector<std::size_t> ends = record_ends(s.bytes);
    ASSERT_EQ(ends.size(), s.objects.size() + 1);  // and the end record
    ASSERT_EQ(ends.back(), s.bytes.size());
    for (std::size_t n = 0; n < s.bytes.size(); ++n) {
        Store store(limits());
        const SnapshotLoad r =
            load_snapshot_bytes(store, std::string_view(s.bytes).substr(0, n), clock.now());
        ASSERT_EQ(r.problem, SnapshotProblem::Truncated) << "at " << n;
        // Exactly the object records that are whole before the cut are kept, and the problem
        // is placed at the first record that is not (or at the header).
        const auto whole =
            std::count_if(ends.begin(), ends.end() - 1, [&](std::size_t end) { return end <= n; });
        EXPECT_EQ(r.loaded, static_cast<std::uint64_t>(whole)) << "at " << n;
        EXPECT_EQ(r.problem_offset, n < 40 ? 0 : (whole == 0 ? 40 : ends[whole - 1])) << n;
        EXPECT_TRUE(store.check_invariants());
        expect_only_originals(store, s.objects);
    }
    Store whole(limits());
    EXPECT_EQ(load_snapshot_bytes(whole, s.bytes, clock.now()).problem, SnapshotProblem::None);
    // Bytes after the end record are corruption too.
    Store longer(limits());
    EXPECT_EQ(load_snapshot_bytes(longer, s.bytes + "x", clock.now()).problem,
              SnapshotProblem::Corrupt);
}

TEST_F(SnapshotTest, EveryFlippedBitIsDetected) {
    const Sample s = sample(*this);
    for (std::size_t at = 0; at < s.bytes.size(); ++at) {
        for (int bit : {0, 3, 7}) {
            std::string bytes = s.bytes;
            bytes[at] = static_cast<char>(bytes[at] ^ (1 << bit));
            Store store(limits());
            const SnapshotLoad r = load_snapshot_bytes(store, bytes, clock.now());
            ASSERT_NE(r.problem, SnapshotProblem::None) << "byte " << at << " bit " << bit;
            if (at < 8) {
                EXPECT_EQ(r.problem, SnapshotProblem::NotSnapshot);
            } else if (at < 12) {
                EXPECT_EQ(r.problem, SnapshotProblem::WrongVersion);
            } else if (at < 40) {
                EXPECT_EQ(r.problem, SnapshotProblem::BadHeader);
            } else {
                EXPECT_TRUE(r.problem == SnapshotProblem::Corrupt ||
                            r.problem == SnapshotProblem::Truncated)
                    << to_string(r.problem);
            }
            EXPECT_TRUE(store.check_invariants());
            expect_only_originals(store, s.objects);
        }
    }
}

TEST_F(SnapshotTest, AnotherVersionIsReportedAndNothingLoaded) {
    const Sample s = sample(*this);
    std::string bytes = s.bytes;
    bytes[8] = 99;  // version 99, header CRC recomputed: a well-formed file of another format
    const std::uint32_t crc = detail::crc32c(0, bytes.data(), 36);
    for (int i = 0; i < 4; ++i) bytes[36 + i] = static_cast<char>(crc >> (8 * i));
    Store store(limits());
    const SnapshotLoad r = load_snapshot_bytes(store, bytes, clock.now());
    EXPECT_EQ(r.problem, SnapshotProblem::WrongVersion);
    EXPECT_EQ(r.version, 99u);
    EXPECT_EQ(r.loaded, 0u);
    EXPECT_EQ(store.stats().objects, 0u);
}

TEST_F(SnapshotTest, AChecksummedRecordOfAnImpossibleObjectIsCorrupt) {
    // Objects the store can hold but a snapshot must not bring back: a variant key without a
    // Vary, a repeated tag, a head that is not a status line and fields.
    auto no_vary = make(variant_key("GET|h|/v", "a"));
    auto with_head = [&](std::string key, std::string head) {
        return changed(make(std::move(key)), [&](ObjectDraft& d) { d.head = std::move(head); });
    };
    auto twice = changed(make("GET|h|/tags"), [](ObjectDraft& d) { d.tags = "a b a"; });
    auto bad_head = with_head("GET|h|/head", "HTTP/1.1 200 OK\r\n\r\n<html>");
    auto no_colon = with_head("GET|h|/no-colon", "HTTP/1.1 200 OK\r\nNoColon\r\n");
    auto other_status = with_head("GET|h/other-status", "HTTP/1.1 2000 OK\r\n");
    auto bare_lf = with_head("GET|h|/bare-lf", "HTTP/1.1 200 OK\r\nA: b\nInjected: yes\r\n");
    for (const auto& o : {no_vary, twice, bad_head, no_colon, other_status, bare_lf}) {
        Store store(limits());
        ASSERT_TRUE(store.insert(make("GET|h|/fine")));
        ASSERT_TRUE(store.insert(o));
        Store loaded(limits());
        const SnapshotLoad r =
            load_snapshot_bytes(loaded, snapshot_bytes(store, clock.now()), clock.now());
        EXPECT_EQ(r.problem, SnapshotProblem::Corrupt) << o->key();
        EXPECT_EQ(loaded.lookup(o->key(), clock.now()), nullptr);
        EXPECT_TRUE(loaded.check_invariants());
    }
}

TEST(SnapshotChecksum, IsCrc32cWithOrWithoutTheCpuInstructionAndChains) {
    const std::string check = "123456789";
    EXPECT_EQ(detail::crc32c(0, check.data(), check.size()), 0xE3069283u);  // the check value
    EXPECT_EQ(detail::crc32c_portable(0, check.data(), check.size()), 0xE3069283u);
    std::string data;
    for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 131 + (i >> 3)));
    for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 63u, 1000u}) {
        EXPECT_EQ(detail::crc32c(0, data.data(), n), detail::crc32c_portable(0, data.data(), n))
            << n;
        const std::uint32_t whole = detail::crc32c(0, data.data(), n);
        const std::size_t cut = n / 3;
        EXPECT_EQ(detail::crc32c(detail::crc32c(0, data.data(), cut), data.data() + cut, n - cut),
                  whole)
            << n;
    }
}

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char tmpl[] = "/tmp/larder-snapshot-test-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

TEST_F(SnapshotTest, FileRoundTripIsPrivateAtomicAndMissingIsNoProblem) {
    TempDir dir;
    const std::string path = (dir.path / "cache.snapshot").string();
    Store empty(limits());
    EXPECT_EQ(load_snapshot(empty, path, clock.now()).problem, SnapshotProblem::Missing);

    Store store(limits());
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(store.insert(make("k" + std::to_string(i), 70'000)));
    const SnapshotWrite w = write_snapshot(store, path, clock.now());
    ASSERT_TRUE(w.ok) << w.error;
    EXPECT_EQ(w.objects, 50u);
    EXPECT_EQ(w.bytes, std::filesystem::file_size(path));
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);  // cached pages are nobody else's business

    Store loaded(limits());
    const SnapshotLoad r = load_snapshot(loaded, path, clock.now());
    EXPECT_EQ(r.problem, SnapshotProblem::None);
    EXPECT_EQ(r.loaded, 50u);
    EXPECT_EQ(r.bytes, w.bytes);
    EXPECT_LE(loaded.stats().bytes, store.stats().bytes);

    // A directory that does not exist: an error naming it, nothing left behind.
    const SnapshotWrite bad =
        write_snapshot(store, (dir.path / "no/such/dir").string(), clock.now());
    EXPECT_FALSE(bad.ok);
    EXPECT_NE(bad.error.find("no/such/dir"), std::string::npos) << bad.error;
    // A directory in place of the file: unreadable, not a crash.
    Store other(limits());
    EXPECT_EQ(load_snapshot(other, dir.path.string(), clock.now()).problem,
              SnapshotProblem::Unreadable);
}

}  // namespace
}  // namespace larder::cache
