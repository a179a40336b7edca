// A small builder for http::Request in rule tests: owns every string the request views.
#pragma once

#include <deque>
#include <string>
#include <string_view>

#include "larder/http/request.hpp"

namespace larder::rules::testing {

class TestRequest {
  public:
    explicit TestRequest(std::string_view target, std::string_view method = "GET") {
        req.method_text = keep(method);
        req.method = http::method_from_string(method);
        req.target = keep(target);
        auto q = req.target.find('?');
        req.path = req.target.substr(0, q);
        req.query = q == std::string_view::npos ? std::string_view{} : req.target.substr(q + 1);
    }
    TestRequest& header(std::string_view name, std::string_view value) {
        req.headers.add(keep(name), keep(value));
        return *this;
    }
    TestRequest& host(std::string_view value) { return header("Host", value); }
    TestRequest& cookie(std::string_view value) { return header("Cookie", value); }
    const http::Request& get() const { return req; }
    operator const http::Request&() const { return req; }

  private:
    std::string_view keep(std::string_view s) { return store.emplace_back(s); }
    std::deque<std::string> store;
    http::Request req;
};

}  // namespace larder::rules::testing
