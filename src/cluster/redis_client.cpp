#include "larder/cluster/redis_client.hpp"

#include <hiredis/hiredis.h>
#include <sys/time.h>

namespace larder::cluster {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
    return tv;
}

RedisReply copy(const redisReply& r) {
    RedisReply out;
    switch (r.type) {
        case REDIS_REPLY_STRING:
            out.type = RedisReply::Type::String;
            out.text.assign(r.str, r.len);
            break;
        case REDIS_REPLY_STATUS:
            out.type = RedisReply::Type::Status;
            out.text.assign(r.str, r.len);
            break;
        case REDIS_REPLY_ERROR:
            out.type = RedisReply::Type::Error;
            out.text.assign(r.str, r.len);
            break;
        case REDIS_REPLY_INTEGER:
            out.type = RedisReply::Type::Integer;
            out.integer = r.integer;
            break;
        case REDIS_REPLY_ARRAY:
            out.type = RedisReply::Type::Array;
            out.elements.reserve(r.elements);
            for (std::size_t i = 0; i < r.elements; ++i)
                out.elements.push_back(copy(*r.element[i]));
            break;
        default:
            out.type = RedisReply::Type::Nil;
            break;
    }
    return out;
}

}  // namespace

std::string RedisEndpoint::describe() const {
    if (!socket.empty()) return "unix:" + socket;
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

const char* to_string(RedisError error) {
    switch (error) {
        case RedisError::None:
            return "none";
        case RedisError::Unreachable:
            return "unreachable";
        case RedisError::Disconnected:
            return "disconnected";
        case RedisError::Io:
            return "io_error";
        case RedisError::ServerError:
            return "server_error";
    }
    return "unknown";
}

RedisClient::RedisClient(RedisEndpoint endpoint, std::chrono::milliseconds connect_timeout,
                         std::chrono::milliseconds command_timeout)
    : endpoint_(std::move(endpoint)),
      connect_timeout_(connect_timeout),
      command_timeout_(command_timeout) {}

RedisClient::~RedisClient() {
    close();
}

void RedisClient::close() {
    if (context_) redisFree(context_);
    context_ = nullptr;
}

void RedisClient::fail(RedisError error, std::string text) {
    last_error_ = error;
    last_error_text_ = std::move(text);
    close();
}

RedisError RedisClient::connect() {
    close();
    const timeval tv = to_timeval(connect_timeout_);
    context_ = endpoint_.socket.empty()
                   ? redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, tv)
                   : redisConnectUnixWithTimeout(endpoint_.socket.c_str(), tv);
    if (!context_) {
        fail(RedisError::Unreachable, "cannot allocate a Redis context");
        return last_error_;
    }
    if (context_->err) {
        fail(RedisError::Unreachable, endpoint_.describe() + ": " + context_->errstr);
        return last_error_;
    }
    if (redisSetTimeout(context_, to_timeval(command_timeout_)) != REDIS_OK) {
        fail(RedisError::Unreachable, endpoint_.describe() + ": cannot set the command timeout");
        return last_error_;
    }
    last_error_ = RedisError::None;
    last_error_text_.clear();
    return RedisError::None;
}

std::optional<RedisReply> RedisClient::command(const std::vector<std::string>& arguments,
                                               std::chrono::milliseconds extra) {
    if (!context_) {
        if (last_error_ == RedisError::None) last_error_ = RedisError::Disconnected;
        return std::nullopt;
    }
    if (extra.count() > 0) redisSetTimeout(context_, to_timeval(command_timeout_ + extra));
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(arguments.size());
    lengths.reserve(arguments.size());
    for (const auto& a : arguments) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    if (!reply) {
        fail(RedisError::Io, endpoint_.describe() + ": " + context_->errstr);
        return std::nullopt;
    }
    RedisReply out = copy(*reply);
    freeReplyObject(reply);
    if (extra.count() > 0) redisSetTimeout(context_, to_timeval(command_timeout_));
    if (out.is_error()) {
        last_error_ = RedisError::ServerError;
        last_error_text_ = out.text;
    }
    return out;
}

}  // namespace larder::cluster
