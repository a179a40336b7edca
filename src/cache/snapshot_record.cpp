// The snapshot's byte layout (snapshot_format.hpp): header, record headers, and one object's
// record payload, encoded and decoded field by field in one place each.
//
// Object payload, version 1: u32 length of the fields, the fields, the body (the rest of the
// payload). Fields (strings are a u64 length and the bytes; times i64 ns since the epoch;
// durations i64 seconds): u8 slot flags (1 soft-purged, 2 referenced); key; u32 status;
// head; stored_at, expires_at, grace_until, error_until; rule_name; url; url_query; tags;
// then Meta: etag; u8 presence (1 last_modified, 2 date) and the two times (0 when absent);
// request_time, response_time; freshness_lifetime, corrected_initial_age; fresh_until,
// keep_until; u8 flags (1 parsed, 2 heuristic, 4 no_cache, 8 must_revalidate, 16 public,
// 32 immutable, 64 authorization_ok); stale_while_revalidate, stale_if_error; vary.
// Version 2 adds, after vary, the content codings (Object::encodings): u8 the body's coding, u8
// the number of other codings, and for each a u8 coding and its body (the heads are remade from
// the stored one, as when they were first made: cache::make_representation).
// Object::epoch is not written: purge epochs belong to one process, and a restored object is
// vetted against the purges of the new one from 0.
#include <chrono>
#include <memory>
#include <string>
#include <unordered_set>

#include "larder/cache/encodings.hpp"
#include "larder/cache/snapshot.hpp"
#include "larder/cache/tags.hpp"
#include "larder/cache/vary.hpp"
#include "snapshot_format.hpp"

namespace larder::cache {

const char* to_string(SnapshotProblem problem) {
    switch (problem) {
        case SnapshotProblem::None:
            return "none";
        case SnapshotProblem::Missing:
            return "missing";
        case SnapshotProblem::Unreadable:
            return "unreadable";
        case SnapshotProblem::NotSnapshot:
            return "not_a_snapshot";
        case SnapshotProblem::WrongVersion:
            return "wrong_version";
        case SnapshotProblem::BadHeader:
            return "bad_header";
        case SnapshotProblem::Truncated:
            return "truncated";
        case SnapshotProblem::Corrupt:
            return "corrupt";
    }
    return "unknown";
}

}  // namespace larder::cache

namespace larder::cache::detail {

namespace {

// Fixed maxima for one object's strings (the body and head are bounded by the record's length).
constexpr std::uint64_t kMaxKey = 1 << 20;
constexpr std::uint64_t kMaxSmall = 1 << 16;  // rule name, etag, vary, url, query, tags

enum SlotFlag : std::uint8_t { kSoftPurged = 1, kReferenced = 2 };
enum PresenceFlag : std::uint8_t { kLastModified = 1, kDate = 2 };
enum MetaFlag : std::uint8_t {
    kParsed = 1,
    kHeuristic = 2,
    kNoCache = 4,
    kMustRevalidate = 8,
    kPublic = 16,
    kImmutable = 32,
    kAuthorizationOk = 64,
};

void put_i64(std::string& out, std::int64_t v) {
    put_u64(out, static_cast<std::uint64_t>(v));
}
void put_time(std::string& out, obs::TimePoint t) {
    put_i64(out, to_wire(t));
}
void put_seconds(std::string& out, std::chrono::seconds s) {
    put_i64(out, s.count());
}
void put_string(std::string& out, std::string_view s) {
    put_u64(out, s.size());
    out.append(s);
}

// Each tag once, non-empty, within tags.hpp's bounds, separated by single spaces: what the
// store's tag index assumes of Object::tags.
bool valid_tags(std::string_view tags) {
    if (tags.empty()) return true;
    // for_each_tag skips empty tags, so a doubled, leading or trailing space is found by the
    // lengths adding up: every tag and one separator between each two.
    std::unordered_set<std::string_view> seen;
    std::size_t count = 0, length = 0;
    bool ok = true;
    for_each_tag(tags, [&](std::string_view tag) {
        ok = ok && tag.size() <= kMaxTagLength && ++count <= kMaxTags && seen.insert(tag).second;
        length += tag.size();
    });
    return ok && length + count - 1 == tags.size();
}

// "HTTP/1.1 <status>[ reason]\r\n" then "Name: value\r\n" lines, no blank line, no bare CR or
// LF (object.hpp's head, as build_object writes it).
bool valid_head(std::string_view head, int status) {
    const std::string start = "HTTP/1.1 " + std::to_string(status);
    if (!head.ends_with("\r\n") || head.find('\0') != std::string_view::npos) return false;
    bool first = true;
    for (std::size_t at = 0; at < head.size();) {
        const std::size_t end = head.find("\r\n", at);  // found: head ends with CRLF
        const std::string_view line = head.substr(at, end - at);
        if (line.empty() || line.find_first_of("\r\n") != std::string_view::npos) return false;
        if (first) {
            if (!line.starts_with(start) ||
                (line.size() > start.size() && line[start.size()] != ' '))
                return false;
        } else {
            const std::size_t colon = line.find(':');
            if (colon == 0 || colon == std::string_view::npos) return false;
        }
        first = false;
        at = end + 2;
    }
    return !first;
}

// What the store relies on beyond the bytes (entry.hpp's invariants, the writer's head format).
bool valid_object(const ObjectDraft& o) {
    if (o.key.empty() || o.status < 100 || o.status > 599) return false;
    const auto sep = o.key.find(kVariantSeparator);
    const bool variant = sep != std::string::npos;
    if (variant != !o.meta.vary.empty()) return false;  // a variant has a Vary, a plain key none
    if (variant && (sep == 0 || o.key.find(kVariantSeparator, sep + 1) != std::string::npos))
        return false;
    return valid_tags(o.tags) && valid_head(o.head, o.status);
}

}  // namespace

std::int64_t to_wire(obs::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

obs::TimePoint from_wire(std::int64_t ns) {
    return obs::TimePoint{
        std::chrono::duration_cast<obs::TimePoint::duration>(std::chrono::nanoseconds{ns})};
}

std::string encode_header(const SnapshotHeader& header) {
    std::string out(kSnapshotMagic, sizeof kSnapshotMagic);
    put_u32(out, header.version);
    put_u32(out, static_cast<std::uint32_t>(kHeaderSize));
    put_i64(out, to_wire(header.written_at));
    put_u64(out, header.objects);
    put_u32(out, 0);
    put_u32(out, crc32c(0, out.data(), out.size()));
    return out;
}

void encode_record_header(RecordKind kind, std::string_view first, std::string_view second,
                          char (&out)[kRecordHeaderSize]) {
    store_u32(out + 4, static_cast<std::uint32_t>(kind));
    store_u64(out + 8, first.size() + second.size());
    std::uint32_t crc = crc32c(0, out + 4, 12);
    crc = crc32c(crc, first.data(), first.size());
    store_u32(out, crc32c(crc, second.data(), second.size()));
}

void encode_object(const Resident& resident, std::string& out) {
    const Object& o = *resident.object;
    const Meta& m = o.meta;
    const std::size_t start = out.size();
    put_u32(out, 0);  // the fields' length, filled at the end
    out.push_back(static_cast<char>((resident.soft_purged ? kSoftPurged : 0) |
                                    (resident.referenced ? kReferenced : 0)));
    put_string(out, o.key());
    put_u32(out, static_cast<std::uint32_t>(o.status));
    put_string(out, o.head());
    put_time(out, o.stored_at);
    put_time(out, o.expires_at);
    put_time(out, o.grace_until);
    put_time(out, o.error_until);
    put_string(out, o.rule_name);
    put_string(out, o.url());
    put_string(out, o.url_query());
    put_string(out, o.tags());

    put_string(out, o.etag());
    out.push_back(static_cast<char>((m.last_modified ? kLastModified : 0) | (m.date ? kDate : 0)));
    put_time(out, m.last_modified.value_or(obs::TimePoint{}));
    put_time(out, m.date.value_or(obs::TimePoint{}));
    put_time(out, m.request_time);
    put_time(out, m.response_time);
    put_seconds(out, m.freshness_lifetime);
    put_seconds(out, m.corrected_initial_age);
    put_time(out, m.fresh_until);
    put_time(out, m.keep_until);
    out.push_back(static_cast<char>(
        (m.parsed ? kParsed : 0) | (m.heuristic ? kHeuristic : 0) | (m.no_cache ? kNoCache : 0) |
        (m.must_revalidate ? kMustRevalidate : 0) | (m.public_ ? kPublic : 0) |
        (m.immutable ? kImmutable : 0) | (m.authorization_ok ? kAuthorizationOk : 0)));
    put_seconds(out, m.stale_while_revalidate);
    put_seconds(out, m.stale_if_error);
    put_string(out, o.vary());
    out.push_back(static_cast<char>(o.encodings.own));
    out.push_back(static_cast<char>(o.encodings.others.size()));
    for (const auto& other : o.encodings.others) {
        out.push_back(static_cast<char>(other->encodings.own));
        put_string(out, other->body());
    }
    store_u32(out.data() + start,
              static_cast<std::uint32_t>(out.size() - start - kFieldsLengthSize));
}

std::optional<Resident> decode_object(std::string_view fields, std::string body,
                                      std::uint32_t version) {
    if (version < kOldestSnapshotVersion || version > kSnapshotVersion) return std::nullopt;
    Cursor c(fields);
    ObjectDraft o;
    ParsedMeta& m = o.meta;
    const std::uint8_t slot = c.u8();
    o.key = c.string(kMaxKey);
    const std::uint32_t status = c.u32();
    o.status = status <= 999 ? static_cast<int>(status) : 0;
    o.head = c.string(fields.size());
    o.body = std::move(body);
    o.stored_at = c.time();
    o.expires_at = c.time();
    o.grace_until = c.time();
    o.error_until = c.time();
    o.rule_name = c.string(kMaxSmall);
    o.url = c.string(kMaxSmall);
    o.url_query = c.string(kMaxSmall);
    o.tags = c.string(kMaxSmall);

    m.etag = c.string(kMaxSmall);
    const std::uint8_t presence = c.u8();
    const obs::TimePoint last_modified = c.time();
    const obs::TimePoint date = c.time();
    if (presence & kLastModified) m.last_modified = last_modified;
    if (presence & kDate) m.date = date;
    m.request_time = c.time();
    m.response_time = c.time();
    m.freshness_lifetime = std::chrono::seconds{c.i64()};
    m.corrected_initial_age = std::chrono::seconds{c.i64()};
    m.fresh_until = c.time();
    m.keep_until = c.time();
    const std::uint8_t flags = c.u8();
    m.parsed = flags & kParsed;
    m.heuristic = flags & kHeuristic;
    m.no_cache = flags & kNoCache;
    m.must_revalidate = flags & kMustRevalidate;
    m.public_ = flags & kPublic;
    m.immutable = flags & kImmutable;
    m.authorization_ok = flags & kAuthorizationOk;
    m.stale_while_revalidate = std::chrono::seconds{c.i64()};
    m.stale_if_error = std::chrono::seconds{c.i64()};
    m.vary = c.string(kMaxSmall);
    // Version 2: the other codings, checked before any is made (one of each coding at most).
    std::vector<std::pair<http::ContentCoding, std::string>> others;
    bool codings_ok = true;
    if (version >= 2) {
        const std::uint8_t own = c.u8();
        const std::uint8_t count = c.u8();
        codings_ok = own < http::kContentCodingCount && count < http::kContentCodingCount;
        std::uint32_t seen = codings_ok ? 1u << own : 0;
        for (std::uint8_t i = 0; codings_ok && i < count; ++i) {
            const std::uint8_t coding = c.u8();
            std::string coded = c.string(fields.size());
            codings_ok = coding < http::kContentCodingCount && (seen & (1u << coding)) == 0;
            seen |= 1u << coding;
            others.emplace_back(static_cast<http::ContentCoding>(coding), std::move(coded));
        }
        if (codings_ok) o.encodings.own = static_cast<http::ContentCoding>(own);
    }

    if (!codings_ok || !c.at_end() || (slot & ~(kSoftPurged | kReferenced)) != 0 ||
        (presence & ~(kLastModified | kDate)) != 0 || (flags & 0x80) != 0 || !valid_object(o))
        return std::nullopt;
    for (auto& [coding, coded] : others)
        o.encodings.others.push_back(make_representation(o, coding, std::move(coded)));
    return Resident{Object::make(o), (slot & kSoftPurged) != 0, (slot & kReferenced) != 0};
}

}  // namespace larder::cache::detail
