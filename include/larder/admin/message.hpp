// admin::AdminRequest and admin::AdminResponse: what an admin API handler sees and returns.
//
// Handlers are plain functions AdminRequest -> AdminResponse (router.hpp): no sockets, no Beast,
// so the purge, explain and observe handlers are unit-tested by building an AdminRequest by hand.
// The server (server.hpp) fills a request from the wire (the target's path and query parameters
// percent-decoded, the peer's address without its port) and writes the response back, adding
// Content-Length, Content-Type, Cache-Control: no-store and Connection.
// JSON is the rule: errors are {"error": "<name>", "message": "<sentence>"} with a stable name
// that tests and scripts can match (docs/admin-api.md).
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace larder::admin {

struct AdminRequest {
    std::string method;                                        // "GET", "POST", ... as sent
    std::string path;                                          // percent-decoded, e.g. "/metrics"
    std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
    std::vector<std::pair<std::string, std::string>> headers;  // as sent
    std::string body;
    std::string peer;  // the client's IP address, e.g. "127.0.0.1" or "::1"

    // The first query parameter called `name`, or nullopt.
    std::optional<std::string_view> param(std::string_view name) const;
    // The first header called `name` (case-insensitive), or nullopt.
    std::optional<std::string_view> header(std::string_view name) const;
};

struct AdminResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra fields

    // `value` serialised, with a trailing newline.
    static AdminResponse json(const boost::json::value& value, int status = 200);
    // {"error": error, "message": message}.
    static AdminResponse error(int status, std::string_view error, std::string_view message);
    static AdminResponse text(std::string body, std::string content_type, int status = 200);
};

}  // namespace larder::admin
