// Fuzz target: what Larder reads from an app server (upstream::Exchange's response path).
//
// The input is what an origin sends on one connection, optionally preceded by a line "HEAD\n"
// (the request was a HEAD) or "GET\n" (the default); then the origin closes. The bytes are read
// with upstream::ResponseParser through the exchange's own steps (response_parser.hpp,
// response_head.hpp): the head from a buffer that grows read by read (and moves), check_head()
// skipping interim responses (their bytes dropped from the buffer's front), the final head's
// bytes copied out of the buffer, then the body in reads of at most body_piece_size(), and
// finish() at the close. Each input is read twice: in one read, and in reads of a size chosen
// from the input (1 to 512 bytes), so heads and chunks arrive split.
// Invariants:
// - both ways give the same outcome: state, error, statuses, reason, fields, body, keep-alive and
//   the bytes left after the response;
// - a head check_head() calls Final has a status 200-599; Interim is a 1xx other than 101, and
//   has no body (the next head follows on the same connection);
// - the head is at most kResponseHeaderLimit bytes; every field is a view into its bytes, with a
//   token for a name and a value without control bytes or surrounding whitespace;
// - a body piece is 1 to kBodyPieceLimit bytes and never more than a known remainder; a read of
//   body bytes never leaves the parser in Body having taken none of them;
// - a completed body is empty for HEAD, 1xx, 204 and 304, and exactly Content-Length long
//   otherwise when one framed it; reading ends (no endless loop), whatever the bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.hpp"
#include "larder/upstream/response_head.hpp"
#include "larder/upstream/response_parser.hpp"

namespace {

using namespace larder::upstream;
using State = ResponseParser::State;

std::uint64_t fnv1a(std::string_view bytes) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    return h;
}

bool is_token_char(char c) {
    static constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           extra.find(c) != std::string_view::npos;
}

bool inside(std::string_view view, const std::string& bytes) {
    return view.data() >= bytes.data() && view.data() + view.size() <= bytes.data() + bytes.size();
}

void check_fields(const ResponseParser& parser, const std::string& head) {
    for (const auto& f : parser.headers()) {
        FUZZ_CHECK(!f.name.empty() && inside(f.name, head) && inside(f.value, head));
        FUZZ_CHECK(std::all_of(f.name.begin(), f.name.end(), is_token_char));
        for (unsigned char c : f.value) FUZZ_CHECK(c >= 0x20 || c == '\t');
        if (!f.value.empty()) {
            FUZZ_CHECK(f.value.front() != ' ' && f.value.front() != '\t');
            FUZZ_CHECK(f.value.back() != ' ' && f.value.back() != '\t');
        }
    }
}

struct Outcome {
    State state = State::Head;
    ResponseParseError error = ResponseParseError::None;
    std::vector<int> statuses;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> fields;
    std::string body;
    bool keep_alive = false;
    std::size_t stray = 0;
    bool operator==(const Outcome&) const = default;
};

Outcome read_response(std::string_view bytes, bool head_request, std::size_t read_size) {
    Outcome out;
    std::size_t pos = 0, reads = 0;
    std::string buffer;
    auto read_more = [&](std::size_t max) {
        FUZZ_CHECK(++reads <= 2 * bytes.size() + 4);  // every read makes progress
        if (pos == bytes.size()) return false;
        std::size_t n = std::min({read_size, max, bytes.size() - pos});
        buffer.append(bytes.substr(pos, n));
        buffer.shrink_to_fit();  // the buffer moves
        pos += n;
        return true;
    };
    ResponseParser parser;
    for (;;) {  // the head, after any interim responses
        parser.start(head_request);
        State state = parser.parse_head(buffer.data(), buffer.size());
        while (state == State::Head)
            state = read_more(std::string::npos) ? parser.parse_head(buffer.data(), buffer.size())
                                                 : parser.finish();
        out.state = state;
        out.error = parser.error();
        if (state == State::Error) return out;  // the exchange reports it, 502, closed
        FUZZ_CHECK(parser.consumed() <= kResponseHeaderLimit);
        const int status = parser.status();
        out.statuses.push_back(status);
        HeadCheck check = check_head(status);
        if (check == HeadCheck::Interim) {
            FUZZ_CHECK(status >= 100 && status < 200 && status != 101);
            FUZZ_CHECK(state == State::Complete);  // no body: the next head follows
            buffer.erase(0, parser.consumed());
            continue;
        }
        if (check != HeadCheck::Final) {
            FUZZ_CHECK(status < 100 || status > 599 || status == 101);
            return out;  // malformed: the connection closes
        }
        FUZZ_CHECK(status >= 200 && status <= 599);
        break;
    }
    const std::string head = buffer.substr(0, parser.consumed());
    parser.rebase(head.data());
    std::fill_n(buffer.begin(), parser.consumed(), '\0');  // stale views would read this
    buffer.erase(0, parser.consumed());
    check_fields(parser, head);

    const auto declared = parser.remaining();  // a Content-Length framing the body
    while (parser.state() == State::Body) {
        if (buffer.empty()) {
            auto remaining = parser.remaining();
            std::size_t piece = body_piece_size(parser, out.body.size());
            FUZZ_CHECK(piece >= 1 && piece <= kBodyPieceLimit);
            if (remaining && *remaining > 0) FUZZ_CHECK(piece <= *remaining);
            if (!read_more(piece)) {
                parser.finish();
                break;
            }
        }
        std::size_t used = parser.parse_body(buffer.data(), buffer.size(), out.body);
        FUZZ_CHECK(used <= buffer.size());
        FUZZ_CHECK(used > 0 || parser.state() != State::Body);
        buffer.erase(0, used);
    }
    out.state = parser.state();
    out.error = parser.error();
    out.reason = std::string(parser.reason());
    for (const auto& f : parser.headers()) out.fields.emplace_back(f.name, f.value);
    out.keep_alive = parser.keep_alive();
    if (out.state == State::Complete) {
        out.stray = buffer.size() + (bytes.size() - pos);
        const int status = out.statuses.back();
        if (head_request || status == 204 || status == 304)
            FUZZ_CHECK(out.body.empty());
        else if (declared)
            FUZZ_CHECK(out.body.size() == *declared);
    } else {
        FUZZ_CHECK(out.state == State::Error && !out.keep_alive);
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    bool head_request = false;
    if (input.starts_with("HEAD\n")) {
        head_request = true;
        input.remove_prefix(5);
    } else if (input.starts_with("GET\n")) {
        input.remove_prefix(4);
    }
    static constexpr std::size_t kReadSizes[] = {1, 2, 3, 7, 16, 64, 512};
    std::size_t read_size = kReadSizes[fnv1a(input) % std::size(kReadSizes)];
    const Outcome whole = read_response(input, head_request, std::string::npos);
    const Outcome split = read_response(input, head_request, read_size);
    FUZZ_CHECK(whole == split);
    return 0;
}
