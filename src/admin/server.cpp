// AdminServer: acceptors, and one coroutine per connection turning Beast messages into
// AdminRequests and AdminResponses back.
#include "larder/admin/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

namespace larder::admin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using boost::system::error_code;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

namespace {

// The request as handlers see it; nullopt when the target is not an origin-form URL.
std::optional<AdminRequest> to_admin_request(const bhttp::request<bhttp::string_body>& message,
                                             const std::string& peer) {
    auto target = boost::urls::parse_origin_form(
        std::string_view(message.target().data(), message.target().size()));
    if (!target) return std::nullopt;
    AdminRequest r;
    r.method = std::string(message.method_string());
    r.path = target->path();
    for (auto param : target->params()) r.query.emplace_back(param.key, param.value);
    for (const auto& field : message)
        r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    r.body = message.body();
    r.peer = peer;
    return r;
}

bhttp::response<bhttp::string_body> to_message(AdminResponse response, unsigned version, bool head,
                                               bool keep_alive) {
    bhttp::response<bhttp::string_body> m{static_cast<bhttp::status>(response.status), version};
    m.set(bhttp::field::content_type, response.content_type);
    m.set(bhttp::field::cache_control, "no-store");
    m.set("X-Content-Type-Options", "nosniff");
    for (auto& [name, value] : response.headers) m.insert(name, value);
    m.content_length(response.body.size());
    if (!head) m.body() = std::move(response.body);
    m.keep_alive(keep_alive);
    return m;
}

// The answer to a request Beast could not read whole, or nullopt when there is nothing to say
// (the peer went away or timed out).
std::optional<AdminResponse> read_failure(const error_code& ec) {
    if (ec == bhttp::error::header_limit)
        return AdminResponse::error(431, "header_too_large", "the request head is over 16 KiB");
    if (ec == bhttp::error::body_limit)
        return AdminResponse::error(413, "body_too_large", "the request body is over 1 MiB");
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
        return AdminResponse::error(400, "bad_request", "malformed HTTP request: " + ec.message());
    return std::nullopt;
}

}  // namespace

AdminServer::AdminServer(const config::AdminConfig& config, const Router& router)
    : config_(config), router_(router), access_(config) {}

AdminServer::~AdminServer() {
    stop();
}

std::vector<std::string> AdminServer::bind() {
    std::vector<std::string> bound;
    for (const auto& listen : config_.listen) {
        std::string name = listen.host + ":" + std::to_string(listen.port);
        try {
            asio::ip::tcp::resolver resolver(io_);
            auto endpoint = resolver
                                .resolve(listen.host, std::to_string(listen.port),
                                         asio::ip::resolver_base::passive)
                                .begin()
                                ->endpoint();
            auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(io_);
            acceptor->open(endpoint.protocol());
            acceptor->set_option(asio::socket_base::reuse_address(true));
            if (endpoint.address().is_v6()) acceptor->set_option(asio::ip::v6_only(true));
            acceptor->bind(endpoint);
            acceptor->listen(64);
            endpoint.port(acceptor->local_endpoint().port());
            std::string host = endpoint.address().is_v6()
                                   ? "[" + endpoint.address().to_string() + "]"
                                   : endpoint.address().to_string();
            bound.push_back(host + ":" + std::to_string(endpoint.port()));
            acceptors_.push_back(std::move(acceptor));
        } catch (const std::exception& e) {
            throw std::runtime_error("cannot listen on admin address " + name + ": " + e.what());
        }
    }
    return bound;
}

void AdminServer::start() {
    for (auto& a : acceptors_) asio::co_spawn(io_, accept_loop(*a), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
}

void AdminServer::stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] {
        for (auto& a : acceptors_) {
            error_code ec;
            a->close(ec);
        }
        io_.stop();
    });
    thread_.join();
}

asio::awaitable<void> AdminServer::accept_loop(asio::ip::tcp::acceptor& acceptor) {
    asio::steady_timer backoff(io_);
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(nothrow);
        if (!acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
        if (ec) {  // e.g. out of file descriptors
            spdlog::warn("admin: accept failed: {}", ec.message());
            backoff.expires_after(std::chrono::milliseconds(50));
            co_await backoff.async_wait(nothrow);
            continue;
        }
        if (sessions_ >= kMaxConnections) {
            error_code ignored;
            socket.close(ignored);
            continue;
        }
        asio::co_spawn(io_, session(std::move(socket)), asio::detached);
    }
}

asio::awaitable<void> AdminServer::session(asio::ip::tcp::socket socket) {
    ++sessions_;
    struct Count {
        std::size_t& n;
        ~Count() { --n; }
    } count{sessions_};
    error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (ec) co_return;
    auto address = remote.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    const std::string peer = address.to_string();

    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(kMaxHeaderBytes);
        parser.body_limit(kMaxBodyBytes);
        stream.expires_after(kTimeout);
        auto [read_ec, n] = co_await bhttp::async_read(stream, buffer, parser, nothrow);
        std::optional<AdminResponse> answer;
        bool keep_alive = false;
        unsigned version = 11;
        bool head = false;
        if (read_ec) {
            answer = read_failure(read_ec);
            if (!answer) break;
        } else {
            const auto& message = parser.get();
            version = message.version();
            head = message.method() == bhttp::verb::head;
            keep_alive = message.keep_alive();
            if (auto request = to_admin_request(message, peer))
                answer = router_.serve(*request, access_);
            else
                answer = AdminResponse::error(400, "bad_target",
                                              "the request target is not a path with a query");
            if (answer->status == 400) keep_alive = false;
        }
        auto response = to_message(std::move(*answer), version, head, keep_alive);
        stream.expires_after(kTimeout);
        auto [write_ec, written] = co_await bhttp::async_write(stream, response, nothrow);
        if (write_ec || !keep_alive) break;
    }
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace larder::admin
