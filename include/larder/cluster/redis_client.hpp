// cluster::RedisClient: one blocking connection to Redis through hiredis, for one thread.
//
// The purge bus (purge_bus.hpp) runs two of them, each on its own thread: a blocking XREAD
// waits on one while the other publishes, so neither delays the other. A command is a list of
// arguments sent as a Redis array (binary-safe, no format strings); its reply is copied into a
// plain RedisReply tree so nothing outside this file sees hiredis. A connection that fails (I/O
// error, timeout, protocol error) is closed: the next command reports Disconnected until
// connect() succeeds again, so the caller's reconnect loop owns the backoff. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;

namespace larder::cluster {

struct RedisEndpoint {
    std::string host;  // with port, when socket is empty
    std::uint16_t port = 6379;
    std::string socket;            // a unix socket path; set instead of host:port
    std::string describe() const;  // "127.0.0.1:6379" or "unix:/run/redis.sock"
};

struct RedisReply {
    enum class Type : std::uint8_t { Nil, String, Integer, Array, Status, Error };
    Type type = Type::Nil;
    std::string text;  // String, Status, Error
    long long integer = 0;
    std::vector<RedisReply> elements;  // Array

    bool is_error() const { return type == Type::Error; }
    bool is_array() const { return type == Type::Array; }
};

enum class RedisError : std::uint8_t { None, Unreachable, Disconnected, Io, ServerError };
const char* to_string(RedisError error);

class RedisClient {
  public:
    RedisClient(RedisEndpoint endpoint, std::chrono::milliseconds connect_timeout,
                std::chrono::milliseconds command_timeout);
    ~RedisClient();
    RedisClient(const RedisClient&) = delete;
    RedisClient& operator=(const RedisClient&) = delete;

    // (Re)connects; None on success. The command timeout applies to every later command.
    RedisError connect();
    void close();
    bool connected() const { return context_ != nullptr; }

    // Sends one command and waits for its reply (at most the command timeout, plus `extra` for a
    // command that blocks on the server, such as XREAD BLOCK). nullopt when the connection
    // failed (it is closed; last_error() says why). A Redis error reply is returned as a reply
    // of Type::Error, and the connection stays open.
    std::optional<RedisReply> command(const std::vector<std::string>& arguments,
                                      std::chrono::milliseconds extra = {});

    RedisError last_error() const { return last_error_; }
    const std::string& last_error_text() const { return last_error_text_; }
    const RedisEndpoint& endpoint() const { return endpoint_; }

  private:
    void fail(RedisError error, std::string text);

    RedisEndpoint endpoint_;
    std::chrono::milliseconds connect_timeout_;
    std::chrono::milliseconds command_timeout_;
    redisContext* context_ = nullptr;
    RedisError last_error_ = RedisError::None;
    std::string last_error_text_;
};

}  // namespace larder::cluster
