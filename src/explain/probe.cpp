#include "larder/explain/probe.hpp"

#include <array>

namespace larder::explain {

namespace {

bool has_line_break(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && http::iequals(s.substr(0, prefix.size()), prefix);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view s, std::string_view what) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out.push_back(' ');
        } else if (s[i] == '%') {
            int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                throw ProbeError(std::string(what) + ": bad percent-encoding at offset " +
                                 std::to_string(i));
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

void percent_encode(std::string& out, std::string_view s) {
    constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned char c : s) {
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '.' || c == '_' || c == '~';
        if (plain) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
        }
    }
}

std::string_view parse_error_name(http::ParseError e) {
    switch (e) {
        case http::ParseError::None:
            return "none";
        case http::ParseError::Malformed:
            return "malformed request";
        case http::ParseError::BodySpoolFailed:
            return "the request body could not be spooled";
        case http::ParseError::InvalidHeader:
            return "invalid header field (name or value characters)";
        case http::ParseError::AmbiguousLength:
            return "ambiguous Content-Length / Transfer-Encoding";
        case http::ParseError::BadHost:
            return "missing or repeated Host";
        case http::ParseError::InvalidHost:
            return "Host is not uri-host[:port]";
        case http::ParseError::InvalidTarget:
            return "invalid request-target";
        case http::ParseError::HeaderTooLarge:
            return "header section too large";
        case http::ParseError::BodyTooLarge:
            return "body too large";
        case http::ParseError::InvalidChunk:
            return "invalid chunked body";
        case http::ParseError::UnsupportedTransferCoding:
            return "unsupported Transfer-Encoding";
        case http::ParseError::UnsupportedVersion:
            return "unsupported HTTP version";
    }
    return "parse error";
}

}  // namespace

Probe probe_from_query_string(std::string_view query) {
    Probe probe;
    bool has_url = false;
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        std::string_view name = pair.substr(0, eq);
        std::string value = percent_decode(
            eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), name);
        if (name == "url") {
            probe.url = std::move(value);
            has_url = true;
        } else if (name == "method") {
            probe.method = std::move(value);
        } else if (name == "cookie") {
            probe.cookies.push_back(std::move(value));
        } else if (name == "header") {
            probe.headers.push_back(std::move(value));
        } else {
            throw ProbeError("unknown parameter \"" + std::string(name) +
                             "\": expected url, method, cookie or header");
        }
    }
    if (!has_url) throw ProbeError("missing parameter url (an absolute http:// URL)");
    return probe;
}

std::string to_query_string(const Probe& probe) {
    std::string out = "url=";
    percent_encode(out, probe.url);
    out.append("&method=");
    percent_encode(out, probe.method);
    for (const auto& c : probe.cookies) {
        out.append("&cookie=");
        percent_encode(out, c);
    }
    for (const auto& h : probe.headers) {
        out.append("&header=");
        percent_encode(out, h);
    }
    return out;
}

ProbeRequest::ProbeRequest(const Probe& probe) {
    std::string_view url = probe.url;
    if (starts_with_nocase(url, "http://")) {
        scheme_ = "http";
    } else if (starts_with_nocase(url, "https://")) {
        scheme_ = "https";
    } else {
        throw ProbeError("URL \"" + probe.url + "\": expected an absolute http:// or https:// URL");
    }
    url.remove_prefix(scheme_.size() + 3);
    url = url.substr(0, url.find('#'));  // a fragment never reaches a server
    const auto authority_end = url.find_first_of("/?");
    const std::string_view authority = url.substr(0, authority_end);
    std::string target(authority_end == std::string_view::npos ? std::string_view()
                                                               : url.substr(authority_end));
    if (authority.empty()) throw ProbeError("URL \"" + probe.url + "\": no host");
    if (authority.find('@') != std::string_view::npos)
        throw ProbeError("URL \"" + probe.url + "\": user information is not sent in HTTP");
    if (target.empty() || target.front() == '?') target.insert(0, "/");
    if (probe.method.empty() || has_line_break(probe.method) ||
        probe.method.find(' ') != std::string::npos)
        throw ProbeError("method \"" + probe.method + "\": expected a token such as GET");

    bytes_.append(probe.method).append(" ").append(target).append(" HTTP/1.1\r\n");
    bytes_.append("Host: ").append(authority).append("\r\n");
    for (const auto& h : probe.headers) {
        auto colon = h.find(':');
        if (colon == std::string::npos || colon == 0)
            throw ProbeError("header \"" + h + "\": expected \"Name: value\"");
        if (has_line_break(h)) throw ProbeError("header \"" + h + "\": CR, LF or NUL in it");
        if (http::iequals(std::string_view(h).substr(0, colon), "host"))
            throw ProbeError("header \"" + h + "\": the host comes from the URL");
        bytes_.append(h).append("\r\n");
    }
    if (!probe.cookies.empty()) {
        bytes_.append("Cookie: ");
        for (std::size_t i = 0; i < probe.cookies.size(); ++i) {
            const auto& c = probe.cookies[i];
            if (c.find('=') == std::string::npos)
                throw ProbeError("cookie \"" + c + "\": expected \"name=value\"");
            if (has_line_break(c)) throw ProbeError("cookie \"" + c + "\": CR, LF or NUL in it");
            if (i > 0) bytes_.append("; ");
            bytes_.append(c);
        }
        bytes_.append("\r\n");
    }
    bytes_.append("\r\n");

    parser_ = std::make_unique<http::RequestParser>(http::ParserLimits{});
    auto state = parser_->parse(bytes_.data(), bytes_.size());
    if (state == http::RequestParser::State::Error)
        throw ProbeError("Larder would refuse this request (400-class): " +
                         std::string(parse_error_name(parser_->error())));
    if (state != http::RequestParser::State::Complete)
        throw ProbeError("the request is incomplete (a body was announced?)");
}

ProbeRequest::~ProbeRequest() = default;

}  // namespace larder::explain
