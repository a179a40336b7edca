// Test doubles for the whole request journey without sockets: a scripted upstream::Source that
// records every request head it was sent and answers from a function of it, a Gate that holds an
// answer until the test opens it (ordering without sleeps), and an in-memory ResponseWriter.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "larder/http/headers.hpp"
#include "larder/proxy/response_writer.hpp"
#include "larder/upstream/source.hpp"

namespace larder::proxy::testing {

namespace asio = boost::asio;

// Holds whoever waits on it until open(); opening before anyone waits works too.
class Gate {
  public:
    asio::awaitable<void> wait() {
        if (open_) co_return;
        timer_.emplace(co_await asio::this_coro::executor);
        timer_->expires_at(asio::steady_timer::time_point::max());
        co_await timer_->async_wait(asio::as_tuple(asio::use_awaitable));
    }
    void open() {
        open_ = true;
        if (timer_) timer_->cancel();
    }

  private:
    bool open_ = false;
    std::optional<asio::steady_timer> timer_;
};

struct Script {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers{};
    std::string body{};
    std::shared_ptr<Gate> hold{};  // answer only once it is open
    upstream::UpstreamError error = upstream::UpstreamError::None;
    // The body read fails with this once `body_error_after` bytes of it were read (the app
    // went quiet, took too long, closed): the rest of `body` never comes.
    upstream::UpstreamError body_error = upstream::UpstreamError::None;
    std::size_t body_error_after = 0;
    bool no_length = false;  // no Content-Length (chunked or close-delimited at the app)
    // Interim responses before the final one: their status and whole head (blank line included).
    std::vector<std::pair<int, std::string>> interim{};
};

// What the origin received: the head as sent, its fields (header names lower-cased) and the body
// (read back from memory or from its spool file).
struct Sent {
    std::string head;
    std::string body;
    std::string method;
    std::string target;
    std::map<std::string, std::string> fields;
    bool has(const std::string& name) const { return fields.count(name) != 0; }
    std::string field(const std::string& name) const {
        auto it = fields.find(name);
        return it == fields.end() ? std::string() : it->second;
    }
};

class ScriptedSource final : public upstream::Source {
  public:
    std::function<Script(const Sent&)> respond = [](const Sent&) {
        return Script{.headers = {{"Content-Type", "text/plain"}}, .body = "origin"};
    };
    std::vector<Sent> sent;
    std::size_t count(const std::string& path) const {
        std::size_t n = 0;
        for (const auto& s : sent)
            if (s.target.substr(0, s.target.find('?')) == path) ++n;
        return n;
    }

    std::unique_ptr<upstream::SourceExchange> open() override;
};

class ScriptedExchange final : public upstream::SourceExchange {
  public:
    explicit ScriptedExchange(ScriptedSource& source) : source_(source) {}

    asio::awaitable<upstream::UpstreamError> start(
        const upstream::OutgoingRequest& request) override {
        Sent s;
        s.head = std::string(request.head);
        s.body = request.body.to_string().value_or("<unreadable body>");
        std::string_view head = s.head;
        auto line_end = head.find("\r\n");
        std::string_view line = head.substr(0, line_end);
        s.method = std::string(line.substr(0, line.find(' ')));
        auto t0 = line.find(' ') + 1;
        s.target = std::string(line.substr(t0, line.rfind(' ') - t0));
        head.remove_prefix(line_end + 2);
        while (!head.empty() && !head.starts_with("\r\n")) {
            auto end = head.find("\r\n");
            std::string_view field = head.substr(0, end);
            auto colon = field.find(':');
            std::string name(field.substr(0, colon));
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            s.fields[name] = std::string(http::trim_ows(field.substr(colon + 1)));
            head.remove_prefix(end + 2);
        }
        source_.sent.push_back(s);
        script_ = source_.respond(source_.sent.back());
        if (script_.hold) co_await script_.hold->wait();
        for (const auto& [status, head] : script_.interim)
            if (request.interim) co_await request.interim->interim(status, head);
        if (script_.error != upstream::UpstreamError::None) co_return script_.error;
        for (const auto& [name, value] : script_.headers) headers_.add(name, value);
        head_request_ = request.head_request;
        co_return upstream::UpstreamError::None;
    }
    int status() const override { return script_.status; }
    std::string_view reason() const override { return script_.status == 200 ? "OK" : "Status"; }
    const http::HeaderList& headers() const override { return headers_; }
    std::optional<std::uint64_t> content_length() const override {
        if (head_request_ || script_.no_length) return std::nullopt;
        return script_.body.size();
    }
    bool body_done() const override { return head_request_ || offset_ == script_.body.size(); }
    std::string_view backend_name() const override { return "scripted"; }
    asio::awaitable<upstream::UpstreamError> read_body(std::string& out,
                                                       std::size_t limit) override {
        if (head_request_) co_return upstream::UpstreamError::None;
        std::size_t room = limit > out.size() ? limit - out.size() : 0;
        std::size_t n = std::min(room == 0 ? std::size_t(1) : room, script_.body.size() - offset_);
        if (script_.body_error != upstream::UpstreamError::None &&
            offset_ + n >= script_.body_error_after) {  // this read reaches the cut
            n = script_.body_error_after > offset_ ? script_.body_error_after - offset_ : 0;
            out.append(script_.body, offset_, n);
            offset_ += n;
            co_return script_.body_error;
        }
        out.append(script_.body, offset_, n);
        offset_ += n;
        co_return upstream::UpstreamError::None;
    }
    void finish() override {}

  private:
    ScriptedSource& source_;
    Script script_;
    http::HeaderList headers_;
    std::size_t offset_ = 0;
    bool head_request_ = false;
};

inline std::unique_ptr<upstream::SourceExchange> ScriptedSource::open() {
    return std::make_unique<ScriptedExchange>(*this);
}

// Collects what the pipeline writes; parse() splits it into status, fields and body.
class MemoryWriter final : public ResponseWriter {
  public:
    asio::awaitable<bool> write(std::span<const asio::const_buffer> data) override {
        for (const auto& b : data) bytes.append(static_cast<const char*>(b.data()), b.size());
        co_return true;
    }
    void abort() override { aborted = true; }
    std::string bytes;
    bool aborted = false;
};

struct Response {
    std::vector<int> interim;  // statuses of the 1xx heads before the final one
    int status = 0;
    std::map<std::string, std::string> fields;  // lower-case names
    std::string body;
    bool done = false;
    std::string field(const std::string& name) const {
        auto it = fields.find(name);
        return it == fields.end() ? std::string() : it->second;
    }
    std::string x_cache() const { return field("x-cache"); }
    bool has(const std::string& name) const { return fields.count(name) != 0; }

    static Response parse(const std::string& all) {
        Response r;
        std::string raw = all;
        while (raw.size() > 12 && raw.starts_with("HTTP/1.1 1")) {  // interim heads
            r.interim.push_back(std::stoi(raw.substr(9, 3)));
            raw.erase(0, raw.find("\r\n\r\n") + 4);
        }
        auto end = raw.find("\r\n\r\n");
        std::string_view head(raw.data(), end);
        r.status = std::stoi(std::string(head.substr(9, 3)));
        head.remove_prefix(std::min(head.size(), head.find("\r\n") + 2));
        while (!head.empty()) {
            auto e = head.find("\r\n");
            std::string_view field = head.substr(0, e);
            auto colon = field.find(':');
            std::string name(field.substr(0, colon));
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            r.fields[name] = std::string(http::trim_ows(field.substr(colon + 1)));
            if (e == std::string_view::npos) break;
            head.remove_prefix(e + 2);
        }
        r.body = raw.substr(end + 4);
        r.done = true;
        return r;
    }
};

}  // namespace larder::proxy::testing
