// Router and AccessPolicy without sockets: dispatch, 404/405/HEAD, handler exceptions, the
// token (Bearer and Basic, constant-time compare), the allow list, refusal bodies.
#include "larder/admin/router.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <stdexcept>

namespace larder::admin {
namespace {

constexpr const char* kToken = "0123456789abcdef-token";

AdminRequest request(std::string method, std::string path, std::string peer = "127.0.0.1") {
    AdminRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.peer = std::move(peer);
    return r;
}

std::string error_of(const AdminResponse& r) {
    return std::string(boost::json::parse(r.body).as_object().at("error").as_string());
}

Router sample_router() {
    Router router;
    router.add("GET", "/hello", [](const AdminRequest& r) {
        return AdminResponse::json(boost::json::object{{"who", r.param("who").value_or("you")}});
    });
    router.add("POST", "/hello", [](const AdminRequest&) { return AdminResponse::json({}, 202); });
    router.add(
        "GET", "/open", [](const AdminRequest&) { return AdminResponse::json("ok"); },
        RouteAccess::Anyone);
    router.add("GET", "/boom",
               [](const AdminRequest&) -> AdminResponse { throw std::runtime_error("kaboom"); });
    return router;
}

config::AdminConfig guarded(std::vector<std::string> allow = {}) {
    config::AdminConfig c;
    c.token = kToken;
    for (const auto& a : allow) c.allow.push_back(*config::AddressRange::parse(a));
    return c;
}

TEST(Router, DispatchesByMethodAndPath) {
    Router router = sample_router();
    AccessPolicy open;
    AdminRequest r = request("GET", "/hello");
    r.query = {{"who", "ops"}};
    AdminResponse got = router.serve(r, open);
    EXPECT_EQ(got.status, 200);
    EXPECT_EQ(got.body, "{\"who\":\"ops\"}\n");
    EXPECT_EQ(router.serve(request("POST", "/hello"), open).status, 202);
    EXPECT_EQ(router.serve(request("HEAD", "/hello"), open).status, 200);  // the GET route
}

TEST(Router, UnknownPathMethodAndThrowingHandler) {
    Router router = sample_router();
    AccessPolicy open;
    AdminResponse missing = router.serve(request("GET", "/nope"), open);
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(error_of(missing), "not_found");
    AdminResponse wrong = router.serve(request("DELETE", "/hello"), open);
    EXPECT_EQ(wrong.status, 405);
    ASSERT_EQ(wrong.headers.size(), 1u);
    EXPECT_EQ(wrong.headers[0], (std::pair<std::string, std::string>{"Allow", "GET, POST"}));
    AdminResponse boom = router.serve(request("GET", "/boom"), open);
    EXPECT_EQ(boom.status, 500);
    EXPECT_NE(boom.body.find("kaboom"), std::string::npos);
}

TEST(Router, RefusesADuplicateRoute) {
    Router router = sample_router();
    EXPECT_THROW(router.add("GET", "/hello", [](const AdminRequest&) { return AdminResponse{}; }),
                 std::logic_error);
}

TEST(Access, TokenAsBearerOrBasicPassword) {
    Router router = sample_router();
    AccessPolicy policy(guarded());
    AdminRequest r = request("GET", "/hello");
    AdminResponse none = router.serve(r, policy);
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(error_of(none), "missing_token");
    ASSERT_FALSE(none.headers.empty());
    EXPECT_EQ(none.headers[0].first, "WWW-Authenticate");
    EXPECT_TRUE(none.headers[0].second.starts_with("Bearer"));

    r.headers = {{"authorization", std::string("Bearer ") + kToken}};
    EXPECT_EQ(router.serve(r, policy).status, 200);
    r.headers = {{"Authorization", std::string("bearer  ") + kToken + " "}};
    EXPECT_EQ(router.serve(r, policy).status, 200);
    r.headers = {{"Authorization", std::string("Bearer ") + kToken + "x"}};
    EXPECT_EQ(error_of(router.serve(r, policy)), "wrong_token");
    r.headers = {{"Authorization", "Bearer"}};
    EXPECT_EQ(error_of(router.serve(r, policy)), "missing_token");
    // "user:0123456789abcdef-token" in base64.
    r.headers = {{"Authorization", "Basic dXNlcjowMTIzNDU2Nzg5YWJjZGVmLXRva2Vu"}};
    EXPECT_EQ(router.serve(r, policy).status, 200);
    r.headers = {{"Authorization", "Basic dXNlcjpub3BlCg=="}};  // "user:nope\n"
    EXPECT_EQ(error_of(router.serve(r, policy)), "wrong_token");
    r.headers = {{"Authorization", "Basic !!!!"}};
    EXPECT_EQ(error_of(router.serve(r, policy)), "wrong_token");

    EXPECT_EQ(router.serve(request("GET", "/open"), policy).status, 200);  // RouteAccess::Anyone
    // Unknown routes are guarded too: nothing to learn without the token.
    EXPECT_EQ(router.serve(request("GET", "/nope"), policy).status, 401);
}

TEST(Access, AllowListAppliesToEveryRoute) {
    Router router = sample_router();
    AccessPolicy policy(guarded({"10.0.0.0/8", "2001:db8::/32"}));
    AdminRequest r = request("GET", "/open", "192.168.0.1");
    AdminResponse refused = router.serve(r, policy);
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(error_of(refused), "address_not_allowed");
    r.peer = "10.9.8.7";
    EXPECT_EQ(router.serve(r, policy).status, 200);
    r.peer = "2001:db8::5";
    EXPECT_EQ(router.serve(r, policy).status, 200);
    r.path = "/hello";
    EXPECT_EQ(router.serve(r, policy).status, 401);  // allowed address, still no token
}

}  // namespace
}  // namespace larder::admin
