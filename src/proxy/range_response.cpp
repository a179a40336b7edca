// Byte ranges of a stored 200 (RFC 9110 section 14): a single-part 206, a multipart/byteranges
// 206, or a 416, written from the head and body being delivered. Deliver decides whether the
// request is a range request at all (GET, a 200, Range present, If-Range holding); this file
// parses the set and writes the answer, or says "not mine" so Deliver sends the full 200.
#include <cstdio>
#include <random>
#include <vector>

#include "larder/cache/conditional.hpp"
#include "larder/http/http_date.hpp"
#include "larder/http/range.hpp"
#include "task.hpp"

namespace larder::proxy {

namespace asio = boost::asio;

namespace {

// The head's field lines without its status line, split into the Content-Type value and the
// other lines (a multipart answer names its own Content-Type; each part carries the stored one).
struct HeadParts {
    std::string_view content_type;
    std::string other_fields;
};

HeadParts split_head(std::string_view head) {
    HeadParts out;
    std::size_t pos = head.find("\r\n");
    pos = pos == std::string_view::npos ? head.size() : pos + 2;
    while (pos < head.size()) {
        std::size_t eol = head.find("\r\n", pos);
        if (eol == std::string_view::npos) eol = head.size();
        std::string_view line = head.substr(pos, eol - pos);
        std::size_t colon = line.find(':');
        if (colon != std::string_view::npos && http::iequals(line.substr(0, colon), "content-type"))
            out.content_type = http::trim_ows(line.substr(colon + 1));
        else
            out.other_fields.append(line).append("\r\n");
        pos = eol + 2;
    }
    return out;
}

std::string_view fields_of(std::string_view head) {
    const std::size_t eol = head.find("\r\n");
    return eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
}

// A boundary no body predicts: a per-thread random prefix and a counter (RFC 2046 bchars).
std::string next_boundary() {
    thread_local const std::uint64_t prefix =
        std::random_device{}() * 0x9e3779b97f4a7c15ull ^ std::random_device{}();
    thread_local std::uint64_t counter = 0;
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "larder-%016llx-%llx",
                          static_cast<unsigned long long>(prefix),
                          static_cast<unsigned long long>(++counter));
    return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

bool Pipeline::if_range_holds(const http::Request& request, const cache::Object& object) {
    auto field = request.field(http::Field::IfRange);
    if (!field) return true;
    std::string_view value = http::trim_ows(*field);
    // An entity-tag: the strong comparison (a weak tag never matches).
    if (value.starts_with('"') || value.starts_with("W/"))
        return cache::strong_match(value, object.etag());
    // An HTTP-date: exactly the stored Last-Modified, and only when that is a strong validator,
    // i.e. the stored Date (or, without one, the time it was received) is at least a second
    // later (RFC 9110 sections 13.1.5 and 8.8.2.2).
    const auto& meta = object.meta;
    auto date = http::parse_http_date(value, meta.response_time);
    const auto stored_date = meta.date.value_or(meta.response_time);
    return date && meta.last_modified && *date == *meta.last_modified &&
           stored_date - *meta.last_modified >= std::chrono::seconds(1);
}

asio::awaitable<bool> Pipeline::write_ranges(Task& t, std::string_view head,
                                             std::string_view body) {
    const std::uint64_t length = body.size();
    http::RangeSet set = http::parse_ranges(*t.request.field(http::Field::Range), length);
    if (set.kind == http::RangeSet::Kind::Ignored) co_return false;
    std::string out;
    std::vector<asio::const_buffer> buffers;
    http::MultipartPlan plan;  // the parts' heads, alive until the write ends
    int status = 206;
    if (set.kind == http::RangeSet::Kind::Unsatisfiable) {
        status = 416;
        out = "HTTP/1.1 416 Range Not Satisfiable\r\n";
        out.append(fields_of(head));
        out.append("Content-Range: ")
            .append(http::unsatisfied_content_range(length))
            .append("\r\n");
        append_tail(out, t, t.age, 0);
        buffers.push_back(asio::buffer(out));
    } else if (set.ranges.size() == 1) {
        const http::ByteRange& r = set.ranges.front();
        out = "HTTP/1.1 206 Partial Content\r\n";
        out.append(fields_of(head));
        out.append("Content-Range: ").append(http::content_range(r, length)).append("\r\n");
        append_tail(out, t, t.age, r.size());
        buffers = {asio::buffer(out), asio::buffer(body.substr(r.first, r.size()))};
    } else {
        HeadParts parts = split_head(head);
        plan = http::plan_multipart(set.ranges, length, parts.content_type, next_boundary());
        out = "HTTP/1.1 206 Partial Content\r\n";
        out.append(parts.other_fields);
        out.append("Content-Type: ").append(plan.content_type).append("\r\n");
        append_tail(out, t, t.age, plan.content_length);
        buffers.reserve(2 + 2 * set.ranges.size());
        buffers.push_back(asio::buffer(out));
        for (std::size_t i = 0; i < set.ranges.size(); ++i) {
            const http::ByteRange& r = set.ranges[i];
            buffers.push_back(asio::buffer(plan.part_heads[i]));
            buffers.push_back(asio::buffer(body.substr(r.first, r.size())));
        }
        buffers.push_back(asio::buffer(plan.closing));
    }
    std::size_t size = 0;
    for (const auto& b : buffers) size += b.size();
    bool ok = co_await t.writer.write(buffers);
    t.tx.status = ok ? status : 0;
    t.tx.bytes_sent += ok ? size : 0;
    co_return true;
}

}  // namespace larder::proxy
