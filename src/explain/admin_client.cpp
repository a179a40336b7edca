#include "larder/explain/admin_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>

namespace larder::explain {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::size_t kMaxAnswer = 4 * 1024 * 1024;

// The body of a chunked message (no trailers expected); throws on bad framing.
std::string dechunk(std::string_view in) {
    std::string out;
    for (;;) {
        auto eol = in.find("\r\n");
        if (eol == std::string_view::npos) throw AdminError("bad chunked answer");
        std::size_t size = 0;
        try {
            size = std::stoul(std::string(in.substr(0, eol)), nullptr, 16);
        } catch (const std::exception&) {
            throw AdminError("bad chunk size in the answer");
        }
        in.remove_prefix(eol + 2);
        if (size == 0) return out;
        if (in.size() < size + 2) throw AdminError("truncated chunked answer");
        out.append(in.substr(0, size));
        in.remove_prefix(size + 2);
    }
}

bool head_has(std::string_view head, std::string_view needle) {
    std::string lower(head);
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return lower.find(needle) != std::string::npos;
}

}  // namespace

boost::json::value ask_admin(const std::string& address, const std::string& query,
                             const std::string& token, std::chrono::milliseconds timeout) {
    auto colon = address.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == address.size())
        throw AdminError("--admin \"" + address + "\": expected HOST:PORT");
    std::string host = address.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const std::string port = address.substr(colon + 1);

    std::string request = "GET /explain?" + query + " HTTP/1.1\r\nHost: " + address +
                          "\r\nAccept: application/json\r\nConnection: close\r\n";
    if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
    request += "\r\n";

    asio::io_context io;
    tcp::resolver resolver(io);
    tcp::socket socket(io);
    std::string response;
    boost::system::error_code failure;
    resolver.async_resolve(host, port, [&](auto ec, const tcp::resolver::results_type& found) {
        if (ec) {
            failure = ec;
            return;
        }
        asio::async_connect(socket, found, [&](auto ec, const tcp::endpoint&) {
            if (ec) {
                failure = ec;
                return;
            }
            asio::async_write(socket, asio::buffer(request), [&](auto ec, std::size_t) {
                if (ec) {
                    failure = ec;
                    return;
                }
                asio::async_read(socket, asio::dynamic_buffer(response, kMaxAnswer),
                                 [&](auto ec, std::size_t) {
                                     if (ec && ec != asio::error::eof) failure = ec;
                                 });
            });
        });
    });
    io.run_for(timeout);
    if (!io.stopped()) throw AdminError("no answer from " + address + " within the timeout");
    if (failure) throw AdminError(address + ": " + failure.message());

    auto head_end = response.find("\r\n\r\n");
    if (response.size() < 12 || head_end == std::string::npos)
        throw AdminError(address + ": not an HTTP answer");
    int status = std::atoi(response.c_str() + 9);
    std::string_view head = std::string_view(response).substr(0, head_end);
    std::string body = response.substr(head_end + 4);
    if (head_has(head, "\r\ntransfer-encoding: chunked")) body = dechunk(body);
    if (status == 401 || status == 403)
        throw AdminError(address + " refused the request (" + std::to_string(status) +
                         "): check --admin-token and the admin allow-list");
    boost::system::error_code ec;
    boost::json::value answer = boost::json::parse(body, ec);
    if (ec || !answer.is_object())
        throw AdminError(address + " answered " + std::to_string(status) +
                         " without a JSON object" +
                         (status == 404 ? " (is /explain registered on its admin API?)" : ""));
    if (status != 200) answer.as_object()["status"] = status;
    return answer;
}

}  // namespace larder::explain
