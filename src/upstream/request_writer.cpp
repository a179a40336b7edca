#include "larder/upstream/request_writer.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/error.hpp>
#include <memory>
#include <tuple>

#include "larder/http/write_now.hpp"

namespace larder::upstream {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

namespace {
WriteResult from(const error_code& ec) {
    if (!ec) return WriteResult::Sent;
    return ec == beast::error::timeout ? WriteResult::Timeout : WriteResult::Failed;
}
}  // namespace

asio::awaitable<WriteResult> write_request(beast::tcp_stream& stream, std::string_view head,
                                           const http::BodyView& body) {
    if (body.in_memory()) {
        std::array<asio::const_buffer, 2> out{asio::buffer(head), asio::buffer(body.memory())};
        error_code ec;
        const std::size_t sent = http::write_now(stream.socket(), out, ec);
        if (ec || sent == asio::buffer_size(out)) co_return from(ec);
        beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(out);
        rest.consume(sent);
        std::tie(ec, std::ignore) = co_await asio::async_write(stream, rest, nothrow);
        co_return from(ec);
    }
    const std::size_t piece_size =
        static_cast<std::size_t>(std::min<std::uint64_t>(kBodyPiece, body.size()));
    auto piece = std::make_unique<char[]>(piece_size);
    std::string_view pending_head = head;
    std::uint64_t offset = 0;
    while (offset < body.size() || !pending_head.empty()) {
        std::size_t got = 0;
        if (offset < body.size()) {
            auto n = body.read(offset, std::span(piece.get(), piece_size));
            if (!n) co_return WriteResult::BodyUnreadable;
            got = *n;
        }
        std::array<asio::const_buffer, 2> out{asio::buffer(pending_head),
                                              asio::buffer(piece.get(), got)};
        auto [ec, written] = co_await asio::async_write(stream, out, nothrow);
        if (ec) co_return from(ec);
        pending_head = {};
        offset += got;
    }
    co_return WriteResult::Sent;
}

}  // namespace larder::upstream
