// Fuzz target: what Larder reads from an app server (upstream::Exchange's response path).
//
// The input is what an origin sends on one connection, optionally preceded by a line "HEAD\n"
// (the request was a HEAD) or "GET\n" (the default); then the origin closes. The bytes are read
// with Beast's response_parser over a buffer_body, exactly as Exchange does, through its own
// steps (response_head.hpp): prepare_parser(), check_head() skipping interim responses,
// copy_fields(), and the body read in pieces of body_piece_size(). The stream hands out at most
// a few bytes per read (a size chosen from the input), so heads and chunks arrive split.
// Invariants:
// - a head check_head() calls Final has a status 200-599; Interim is a 1xx other than 101, and
//   has no body (the next head follows on the same connection);
// - copy_fields() gives every field of the head, in order, as views of the parser's message;
// - a body piece is 1 to kBodyPieceLimit bytes and never more than a known remainder;
// - a completed body is empty for HEAD, 204 and 304, and exactly Content-Length long otherwise
//   when one was given; reading ends (no endless loop), whatever the bytes.
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "larder/upstream/response_head.hpp"

namespace {

namespace beast = boost::beast;
using namespace larder::upstream;

constexpr std::size_t kBodyCap = 1 << 20;  // read_body()'s limit here: more than any input

std::uint64_t fnv1a(std::string_view bytes) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    return h;
}

void check_fields(const ResponseParser& parser) {
    larder::http::HeaderList fields;
    copy_fields(parser, fields);
    const auto& message = parser.get();
    FUZZ_CHECK(fields.size() ==
               static_cast<std::size_t>(std::distance(message.begin(), message.end())));
    std::size_t i = 0;
    for (const auto& field : message) {
        const auto& copied = fields.at(i++);
        FUZZ_CHECK(copied.name.data() == field.name_string().data());
        FUZZ_CHECK(copied.name.size() == field.name_string().size());
        FUZZ_CHECK(copied.value.data() == field.value().data());
        FUZZ_CHECK(copied.value.size() == field.value().size());
    }
}

void read_response(std::string_view bytes, bool head_request, std::size_t read_size) {
    static boost::asio::io_context io;
    beast::test::stream origin(io);
    origin.read_size(read_size);
    origin.append(bytes);
    origin.close_remote();  // then the origin closes: reads end with eof
    beast::flat_buffer buffer;
    std::optional<ResponseParser> parser;
    beast::error_code ec;

    for (;;) {  // the head, after any interim responses
        parser.emplace();
        prepare_parser(*parser, head_request);
        beast::http::read_header(origin, buffer, *parser, ec);
        if (ec) return;  // a reset or a malformed head: the exchange reports it, 502
        unsigned status = parser->get().result_int();
        HeadCheck check = check_head(status);
        if (check == HeadCheck::Interim) {
            FUZZ_CHECK(status >= 100 && status < 200 && status != 101);
            FUZZ_CHECK(parser->is_done());  // no body: the next head follows
            continue;
        }
        if (check != HeadCheck::Final) {
            FUZZ_CHECK(status < 100 || status > 599 || status == 101);
            return;  // malformed: the connection closes
        }
        FUZZ_CHECK(status >= 200 && status <= 599);
        break;
    }
    check_fields(*parser);

    const unsigned status = parser->get().result_int();
    const auto declared = parser->content_length();
    std::string body;
    std::size_t reads = 0;
    while (!parser->is_done() && body.size() < kBodyCap) {
        auto remaining = parser->content_length_remaining();
        std::size_t piece = body_piece_size(*parser, body.size());
        FUZZ_CHECK(piece >= 1 && piece <= kBodyPieceLimit);
        if (remaining && *remaining > 0) FUZZ_CHECK(piece <= *remaining);
        std::size_t old = body.size();
        body.resize(old + piece);
        auto& target = parser->get().body();
        target.data = body.data() + old;
        target.size = piece;
        beast::http::read(origin, buffer, *parser, ec);
        FUZZ_CHECK(target.size <= piece);
        body.resize(old + (piece - target.size));
        if (ec && ec != beast::http::error::need_buffer) return;  // cut short: 502, closed
        FUZZ_CHECK(++reads <= 2 * bytes.size() + 4);              // every read makes progress
    }
    if (!parser->is_done()) return;
    if (head_request || status == 204 || status == 304)
        FUZZ_CHECK(body.empty());
    else if (declared)
        FUZZ_CHECK(body.size() == *declared);
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
    static constexpr std::size_t kReadSizes[] = {1, 2, 3, 7, 16, 64, 512, 1 << 20};
    std::size_t read_size = kReadSizes[fnv1a(input) % std::size(kReadSizes)];
    read_response(input, head_request, read_size);
    return 0;
}
