// explain::Probe: the request `larder explain` asks about, and the request Larder would parse
// from it.
//
// A Probe is a method, an absolute URL, cookies and header fields, as a user types them on the
// command line or as the admin API's GET /explain receives them (url=, method=, cookie=,
// header=, each percent-decoded; cookie and header may repeat). ProbeRequest writes it out as an
// HTTP/1.1 request (Host from the URL, one Cookie field with every cookie joined by "; ") and
// parses those bytes with the daemon's own http::RequestParser, so the request the rules see is
// exactly the one a client sending it would produce (a Host the daemon refuses is refused here
// too). Invariant: get() views the ProbeRequest's own bytes; it lives as long as the object.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "larder/http/request.hpp"
#include "larder/http/request_parser.hpp"

namespace larder::explain {

struct Probe {
    std::string method = "GET";
    std::string url;                   // http://host[:port]/path?query (https:// accepted)
    std::vector<std::string> cookies;  // "name=value"
    std::vector<std::string> headers;  // "Name: value"
};

// What a user got wrong in a Probe (the message says what and what was expected).
class ProbeError : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

// The admin API's query string ("url=...&cookie=a%3Db&header=..."): throws ProbeError on an
// unknown parameter, a missing url, or bad percent-encoding.
Probe probe_from_query_string(std::string_view query);
// The inverse, for `larder explain --admin`: every value percent-encoded.
std::string to_query_string(const Probe& probe);

class ProbeRequest {
  public:
    // Throws ProbeError when the probe cannot be a request (not an absolute http URL, a field
    // without ':', CR or LF in a value, or a request the parser refuses: its error is named).
    explicit ProbeRequest(const Probe& probe);
    ~ProbeRequest();
    ProbeRequest(const ProbeRequest&) = delete;
    ProbeRequest& operator=(const ProbeRequest&) = delete;

    const http::Request& get() const { return parser_->request(); }
    // "https" when the URL said so. The daemon builds keys with "http" whatever the client's
    // scheme (a TLS terminator in front of it speaks plain HTTP), and so does explain.
    const std::string& url_scheme() const { return scheme_; }

  private:
    std::string bytes_;
    std::string scheme_;
    std::unique_ptr<http::RequestParser> parser_;
};

}  // namespace larder::explain
