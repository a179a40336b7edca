#include "method_token.hpp"

#include <array>

namespace larder::http {

namespace {

constexpr std::array<bool, 256> tchars() {
    std::array<bool, 256> ok{};
    for (int c = 'a'; c <= 'z'; ++c) ok[static_cast<std::size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) ok[static_cast<std::size_t>(c)] = true;
    for (int c = '0'; c <= '9'; ++c) ok[static_cast<std::size_t>(c)] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) ok[static_cast<unsigned char>(c)] = true;
    return ok;
}
constexpr std::array<bool, 256> kTchar = tchars();

bool llhttp_parses(std::string_view method) {
    for (std::string_view m :
         {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "PRI"})
        if (method == m) return true;
    return false;
}

}  // namespace

MethodScan scan_method(std::string_view bytes) {
    MethodScan out;
    std::size_t p = 0;
    while (p < bytes.size() && (bytes[p] == '\r' || bytes[p] == '\n')) ++p;
    out.token_start = p;
    while (p < bytes.size() && kTchar[static_cast<unsigned char>(bytes[p])]) ++p;
    out.token_end = p;
    if (p == bytes.size()) return out;  // Incomplete
    const std::string_view token = bytes.substr(out.token_start, p - out.token_start);
    out.kind = bytes[p] == ' ' && !token.empty() && !llhttp_parses(token)
                   ? MethodScan::Kind::StandIn
                   : MethodScan::Kind::Native;
    return out;
}

}  // namespace larder::http
