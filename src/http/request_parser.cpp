#include "larder/http/request_parser.hpp"

#include <llhttp.h>

#include "method_token.hpp"

namespace larder::http {

struct RequestParser::LlhttpState {
    llhttp_t parser;
    llhttp_settings_t settings;
};

namespace {
RequestParser* self(llhttp_t* p) {
    return static_cast<RequestParser*>(p->data);
}

bool is_alpha(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(unsigned char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(unsigned char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// RFC 3986 section 2.3 and 2.2.
bool is_unreserved(unsigned char c) {
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool is_sub_delim(unsigned char c) {
    static constexpr std::string_view sub_delims = "!$&'()*+,;=";
    return sub_delims.find(static_cast<char>(c)) != std::string_view::npos;
}

// reg-name or IPv4address (RFC 3986 section 3.2.2): unreserved, sub-delims, pct-encoded.
bool valid_reg_name(std::string_view name) {
    for (std::size_t i = 0; i < name.size(); ++i) {
        auto c = static_cast<unsigned char>(name[i]);
        if (is_unreserved(c) || is_sub_delim(c)) continue;
        if (c == '%' && i + 2 < name.size() && is_hex(static_cast<unsigned char>(name[i + 1])) &&
            is_hex(static_cast<unsigned char>(name[i + 2]))) {
            i += 2;
            continue;
        }
        return false;
    }
    return true;
}

// The inside of "[...]": IPv6address or IPvFuture, checked for their characters only.
bool valid_ip_literal(std::string_view literal) {
    if (literal.empty()) return false;
    for (unsigned char c : literal)
        if (!is_unreserved(c) && !is_sub_delim(c) && c != ':') return false;
    return true;
}

// "http://host:port/path?q" -> the authority's end (the first '/' or '?' after "//"), or npos
// when `target` is not "http://" or "https://" followed by an authority.
std::size_t authority_end(std::string_view target, std::size_t* authority_start) {
    auto colon = target.find(':');
    if (colon == std::string_view::npos) return std::string_view::npos;
    auto scheme = target.substr(0, colon);
    if (!iequals(scheme, "http") && !iequals(scheme, "https")) return std::string_view::npos;
    if (target.substr(colon + 1, 2) != "//") return std::string_view::npos;
    *authority_start = colon + 3;
    auto end = target.find_first_of("/?", *authority_start);
    return end == std::string_view::npos ? target.size() : end;
}

// RFC 9110 section 5.6.2: field names are tokens.
bool is_token(std::string_view name) {
    static constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
    if (name.empty()) return false;
    for (char c : name) {
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && extra.find(c) == std::string_view::npos) return false;
    }
    return true;
}

// Field values must not carry control characters; CR or LF inside one means obs-fold.
bool valid_field_value(std::string_view v) {
    for (unsigned char c : v)
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    return true;
}

// "Transfer_Encoding", "content_length": a framing field's name with '_' for '-'. Servers that map
// field names to CGI variables (HTTP_TRANSFER_ENCODING) read it as the real one, beside the
// framing Larder writes.
bool disguised_framing_field(std::string_view name) {
    if (name.find('_') == std::string_view::npos) return false;
    for (std::string_view framing :
         {std::string_view("content-length"), std::string_view("transfer-encoding")}) {
        if (name.size() != framing.size()) continue;
        std::size_t i = 0;
        while (i < name.size()) {
            char c = name[i] == '_' ? '-' : name[i];
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
            if (c != framing[i]) break;
            ++i;
        }
        if (i == name.size()) return true;
    }
    return false;
}

// Bytes that are never part of a request-target (RFC 9112 section 3.2; RFC 3986): controls
// (TAB and form feed included), space, DEL, and '#' (a fragment is never sent). Bytes above 0x7f
// are let through: clients send raw UTF-8 paths, and they pass to the app as they came.
bool valid_target_byte(unsigned char c) {
    return c > 0x20 && c != 0x7f && c != '#';
}
}  // namespace

bool valid_host(std::string_view host) {
    if (host.empty()) return true;
    std::string_view rest;
    if (host.front() == '[') {
        auto close = host.find(']');
        if (close == std::string_view::npos || !valid_ip_literal(host.substr(1, close - 1)))
            return false;
        rest = host.substr(close + 1);
    } else {
        auto colon = host.find(':');
        auto name = host.substr(0, colon);
        if (name.empty() || !valid_reg_name(name)) return false;
        rest = colon == std::string_view::npos ? std::string_view{} : host.substr(colon);
    }
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    for (unsigned char c : rest.substr(1))
        if (!is_digit(c)) return false;
    return true;
}

struct RequestParser::Callbacks {
    static int on_message_begin(llhttp_t* p) {
        auto* s = self(p);
        s->state_ = State::InHeaders;
        return HPE_OK;
    }
    static int on_method(llhttp_t* p, const char* at, size_t n) {
        // A stand-in's bytes are not the buffer's: method_ already spans the real token.
        if (!self(p)->stand_in_method_) self(p)->append(self(p)->method_, at, n);
        return HPE_OK;
    }
    static int on_url(llhttp_t* p, const char* at, size_t n) {
        self(p)->append(self(p)->url_, at, n);
        return HPE_OK;
    }
    static int on_url_complete(llhttp_t* p) {
        auto* s = self(p);
        if (auto e = s->check_target(); e != ParseError::None) {
            s->fail(e);
            return -1;
        }
        return HPE_OK;
    }
    static int on_version_complete(llhttp_t* p) {
        auto* s = self(p);
        s->version_seen_ = true;
        if (p->http_major != 1) {
            s->fail(ParseError::UnsupportedVersion);
            return -1;
        }
        return HPE_OK;
    }
    static int on_header_field(llhttp_t* p, const char* at, size_t n) {
        auto* s = self(p);
        if (s->state_ == State::InBody) return s->count_trailer(n);
        if (!s->version_seen_) {  // "GET /" then a field line: an HTTP/0.9 request line
            s->fail(ParseError::Malformed);
            return -1;
        }
        s->append(s->field_, at, n);
        return HPE_OK;
    }
    static int on_header_value(llhttp_t* p, const char* at, size_t n) {
        auto* s = self(p);
        if (s->state_ == State::InBody) return s->count_trailer(n);
        s->append(s->value_, at, n);
        return HPE_OK;
    }
    static int on_header_value_complete(llhttp_t* p) {
        auto* s = self(p);
        // A trailer field: dropped, its ": " and CRLF counted towards the limit.
        if (s->state_ == State::InBody) return s->count_trailer(4);
        s->finish_header_value();
        return s->error_ == ParseError::None ? HPE_OK : -1;
    }
    // Pauses llhttp where the header section ends, so parse() knows its exact size before anything
    // else is decided (check_header_section()); parse() resumes it.
    static int on_headers_complete(llhttp_t* p) {
        self(p)->headers_ended_ = true;
        return HPE_PAUSED;
    }
    static int on_chunk_header(llhttp_t* p) {
        auto* s = self(p);
        // The chunk's size is known before its bytes: a body that will not fit fails now.
        if (p->content_length > s->limits_.max_body_size - s->body_.size()) {
            s->fail(ParseError::BodyTooLarge);
            return -1;
        }
        return HPE_OK;
    }
    static int on_body(llhttp_t* p, const char* at, size_t n) {
        auto* s = self(p);
        if (s->header_end_ == 0) s->header_end_ = static_cast<std::size_t>(at - s->base_);
        if (n > s->limits_.max_body_size - s->body_.size()) {
            s->fail(ParseError::BodyTooLarge);
            return -1;
        }
        if (!s->body_.append(std::string_view(at, n))) {
            s->fail(ParseError::BodySpoolFailed);
            return -1;
        }
        if ((p->flags & F_CHUNKED) && p->content_length == 0) {  // this chunk's data ends here
            s->delimiter_left_ = 2;
            if (!s->check_chunk_delimiter(at + n)) {
                s->fail(ParseError::InvalidChunk);
                return -1;
            }
        }
        return HPE_OK;
    }
    static int on_message_complete(llhttp_t* p) {
        auto* s = self(p);
        s->request_.keep_alive = s->keep_alive();
        s->request_.body = s->body_.view();
        s->state_ = State::Complete;
        return HPE_PAUSED;
    }
};

RequestParser::RequestParser(ParserLimits limits, SpoolSettings spool)
    : limits_(limits), ll_(std::make_unique<LlhttpState>()), body_(std::move(spool)) {
    llhttp_settings_init(&ll_->settings);
    ll_->settings.on_message_begin = Callbacks::on_message_begin;
    ll_->settings.on_method = Callbacks::on_method;
    ll_->settings.on_url = Callbacks::on_url;
    ll_->settings.on_url_complete = Callbacks::on_url_complete;
    ll_->settings.on_version_complete = Callbacks::on_version_complete;
    ll_->settings.on_header_field = Callbacks::on_header_field;
    ll_->settings.on_header_value = Callbacks::on_header_value;
    ll_->settings.on_header_value_complete = Callbacks::on_header_value_complete;
    ll_->settings.on_headers_complete = Callbacks::on_headers_complete;
    ll_->settings.on_chunk_header = Callbacks::on_chunk_header;
    ll_->settings.on_body = Callbacks::on_body;
    ll_->settings.on_message_complete = Callbacks::on_message_complete;
    llhttp_init(&ll_->parser, HTTP_REQUEST, &ll_->settings);
    // Any HTTP/d.d reaches on_version_complete, which answers 505 or reads 1.x as 1.1 (llhttp
    // alone would say 400 to HTTP/1.2).
    ll_->parser.lenient_flags |= LENIENT_VERSION;
    ll_->parser.data = this;
    fields_.reserve(32);
}

RequestParser::~RequestParser() = default;

void RequestParser::append(Span& span, const char* at, std::size_t length) {
    if (span.length == 0) span.offset = static_cast<std::size_t>(at - base_);
    span.length += length;  // pieces of one token are adjacent: the buffer is contiguous
}

int RequestParser::count_trailer(std::size_t n) {
    trailer_bytes_ += n;
    if (trailer_bytes_ > limits_.max_header_size) {
        fail(ParseError::HeaderTooLarge);
        return -1;
    }
    return HPE_OK;
}

void RequestParser::finish_header_value() {
    std::string_view name = view(field_);
    std::string_view value = trim_ows(view(value_));
    if (!is_token(name) || !valid_field_value(value) || disguised_framing_field(name))
        return fail(ParseError::InvalidHeader);
    if (iequals(name, "host")) {
        ++host_count_;
        if (!valid_host(value)) return fail(ParseError::InvalidHost);
    }
    if (iequals(name, "content-length")) has_content_length_ = true;
    if (iequals(name, "transfer-encoding")) {
        has_transfer_encoding_ = true;
        if (!iequals(value, "chunked")) return fail(ParseError::UnsupportedTransferCoding);
    }
    Span trimmed{value.empty() ? 0 : static_cast<std::size_t>(value.data() - base_), value.size()};
    fields_.push_back({field_, trimmed});
    field_ = {};
    value_ = {};
}

ParseError RequestParser::check_target() const {
    std::string_view target = view(url_);
    if (target.empty()) return ParseError::InvalidTarget;
    for (unsigned char c : target)
        if (!valid_target_byte(c)) return ParseError::InvalidTarget;
    const auto method = static_cast<llhttp_method_t>(ll_->parser.method);
    if (method == HTTP_PRI) return ParseError::UnsupportedVersion;  // the HTTP/2 preface
    if (target == "*")  // asterisk-form: OPTIONS only (RFC 9112 section 3.2.4)
        return method == HTTP_OPTIONS ? ParseError::None : ParseError::InvalidTarget;
    if (method == HTTP_CONNECT)  // authority-form, and only for CONNECT (section 3.2.3)
        return valid_host(target) ? ParseError::None : ParseError::InvalidTarget;
    if (target.front() == '/') return ParseError::None;  // origin-form
    std::size_t start = 0;  // absolute-form: http[s]://host[:port], no userinfo (section 3.2.2)
    auto end = authority_end(target, &start);
    if (end == std::string_view::npos) return ParseError::InvalidTarget;
    auto authority = target.substr(start, end - start);
    if (authority.empty() || !valid_host(authority)) return ParseError::InvalidTarget;
    return ParseError::None;
}

bool RequestParser::keep_alive() const {
    const llhttp_t* p = &ll_->parser;
    // RFC 9112 section 6.1: Transfer-Encoding in HTTP/1.0 is faulty framing; close after it.
    if (has_transfer_encoding_ && p->http_minor == 0) return false;
    if (p->method == HTTP_CONNECT) return false;  // what follows would be a tunnel's bytes
    return llhttp_should_keep_alive(p) != 0;
}

bool RequestParser::check_header_section(std::size_t end) {
    llhttp_t* p = &ll_->parser;
    // The size first, measured to the end of the blank line: whatever else is wrong, a section
    // over the limit gets 431, as it does when a read ends inside it (parse()).
    if (end - message_start_ > limits_.max_header_size) {
        fail(ParseError::HeaderTooLarge);
        return false;
    }
    if (!version_seen_) {  // "GET /" and a blank line: HTTP/0.9
        fail(ParseError::Malformed);
        return false;
    }
    if (has_content_length_ && has_transfer_encoding_) {
        fail(ParseError::AmbiguousLength);
        return false;
    }
    bool http11 = p->http_major == 1 && p->http_minor >= 1;
    if (host_count_ > 1 || (http11 && host_count_ == 0)) {
        fail(ParseError::BadHost);
        return false;
    }
    if (has_content_length_ && p->content_length > limits_.max_body_size) {
        fail(ParseError::BodyTooLarge);
        return false;
    }
    // Larder switches no protocol: an Upgrade request is an ordinary one (its Upgrade and
    // Connection fields are hop-by-hop, not forwarded), and what follows is the next request.
    // llhttp would otherwise stop at its end and never parse another byte of the connection.
    if (p->method != HTTP_CONNECT) p->upgrade = 0;
    Request& r = request_;
    bind_views();
    r.method = method_from_string(r.method_text);
    r.version_major = p->http_major;
    r.version_minor = p->http_minor >= 1 ? 1 : 0;  // HTTP/1.2 and up read as HTTP/1.1
    auto expect = r.headers.get("expect");
    r.expect_continue = expect && iequals(*expect, "100-continue") && http11;
    r.keep_alive = keep_alive();
    state_ = State::InBody;
    return true;
}

void RequestParser::bind_views() {
    Request& r = request_;
    r.method_text = view(method_);
    r.target = view(url_);
    // Absolute-form "http://host:port/path?q" -> "/path?q" (RFC 9112 section 3.2.2);
    // "http://host?q" -> "/" and "q". check_target() accepted no other form starting without '/'
    // except "*" and CONNECT's authority, which keep their text as the path.
    std::string_view origin_form = r.target;
    std::size_t start = 0;
    if (!origin_form.empty() && origin_form.front() != '/') {
        if (auto end = authority_end(origin_form, &start); end != std::string_view::npos) {
            origin_form = origin_form.substr(end);
            if (origin_form.empty() || origin_form.front() == '?') {
                r.path = "/";
                r.query = origin_form.empty() ? std::string_view{} : origin_form.substr(1);
                origin_form = {};
            }
        }
    }
    if (!origin_form.empty()) {
        auto q = origin_form.find('?');
        r.path = origin_form.substr(0, q);
        r.query = q == std::string_view::npos ? std::string_view{} : origin_form.substr(q + 1);
    }
    // Header fields only: trailer fields never reach fields_ (they are counted and dropped).
    r.headers.clear();
    for (const auto& [name, value] : fields_) r.headers.add(view(name), view(value));
    r.index_fields();
}

RequestParser::State RequestParser::parse(const char* buffer, std::size_t size) {
    if (state_ == State::Complete || state_ == State::Error) return state_;
    // While a body arrives the caller may have grown (moved) its buffer: point the request's
    // views at the bytes' new home before anything reads them.
    if (state_ == State::InBody && buffer != base_) {
        base_ = buffer;
        bind_views();
    }
    base_ = buffer;
    if (size <= consumed_) return state_;
    const char* start = buffer + consumed_;
    data_end_ = buffer + size;
    if (!check_chunk_delimiter(start)) {  // the rest of a CRLF split across reads
        fail(ParseError::InvalidChunk);
        return state_;
    }
    if (!method_read_) {  // any token method: read here, llhttp knows a fixed list
        MethodScan scan = scan_method(std::string_view(start, size - consumed_));
        if (scan.kind == MethodScan::Kind::Incomplete) {  // nothing goes to llhttp yet
            if (scan.token_end > scan.token_start) state_ = State::InHeaders;
            if (size - message_start_ > limits_.max_header_size) fail(ParseError::HeaderTooLarge);
            return state_;
        }
        // Past the limit before the method's end: 431 now, as when the reads end earlier.
        if (consumed_ + scan.token_end - message_start_ > limits_.max_header_size) {
            fail(ParseError::HeaderTooLarge);
            return state_;
        }
        method_read_ = true;
        if (scan.kind == MethodScan::Kind::StandIn) {
            stand_in_method_ = true;
            method_ = {consumed_ + scan.token_start, scan.token_end - scan.token_start};
            if (scan.token_start > 0) llhttp_execute(&ll_->parser, start, scan.token_start);
            llhttp_execute(&ll_->parser, kStandInMethod.data(), kStandInMethod.size());
            start += scan.token_end;
        }
    }
    // Until its header section ends, llhttp never sees a byte past max_header_size: an error
    // inside the limit is found wherever the reads end (llhttp reports a span, such as a field
    // name, where the span or the read ends), and nothing past it is ever judged but as 431.
    std::size_t feed_end = size;
    if (!headers_ended_) feed_end = std::min(size, message_start_ + limits_.max_header_size);
    llhttp_errno_t err =
        llhttp_execute(&ll_->parser, start, static_cast<std::size_t>(buffer + feed_end - start));
    if (err == HPE_PAUSED && headers_ended_ && state_ == State::InHeaders) {
        // Paused by on_headers_complete: decide on the header section, then go on with the body.
        const char* end = llhttp_get_error_pos(&ll_->parser);
        if (!check_header_section(static_cast<std::size_t>(end - buffer))) return state_;
        llhttp_resume(&ll_->parser);
        err = llhttp_execute(&ll_->parser, end, static_cast<std::size_t>(buffer + size - end));
    }
    if (err == HPE_OK && !headers_ended_ && feed_end < size) {
        consumed_ = feed_end;  // the limit reached and the section goes on
        fail(ParseError::HeaderTooLarge);
    } else if (err == HPE_OK) {
        consumed_ = size;
        if (state_ == State::InBody && header_end_ == 0) header_end_ = size;
    } else if (err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE) {
        consumed_ = static_cast<std::size_t>(llhttp_get_error_pos(&ll_->parser) - buffer);
    } else if (error_ == ParseError::None) {
        switch (err) {
            case HPE_INVALID_HEADER_TOKEN:
            case HPE_UNEXPECTED_SPACE:
                fail(ParseError::InvalidHeader);
                break;
            case HPE_UNEXPECTED_CONTENT_LENGTH:
            case HPE_INVALID_CONTENT_LENGTH:
                fail(ParseError::AmbiguousLength);
                break;
            case HPE_INVALID_TRANSFER_ENCODING:
                fail(ParseError::UnsupportedTransferCoding);
                break;
            default:
                fail(ParseError::Malformed);
        }
    } else {
        state_ = State::Error;
    }
    // Empty lines before a request line count too: a client cannot make the buffer grow without
    // end between requests.
    if ((state_ == State::InHeaders || state_ == State::Idle) &&
        consumed_ - message_start_ > limits_.max_header_size)
        fail(ParseError::HeaderTooLarge);
    return state_;
}

void RequestParser::fail(ParseError e) {
    error_ = e;
    state_ = State::Error;
    body_.clear();  // the request is refused: its body (and spool file) goes now
    request_.body = {};
}

void RequestParser::reset_message() {
    request_.headers.clear();
    request_.body = {};
    body_.clear();
    request_.method_text = request_.target = request_.path = request_.query = {};
    request_.expect_continue = false;
    method_ = url_ = field_ = value_ = {};
    fields_.clear();
    host_count_ = 0;
    has_transfer_encoding_ = has_content_length_ = false;
    version_seen_ = false;
    trailer_bytes_ = 0;
    method_read_ = stand_in_method_ = false;
    delimiter_left_ = 0;
    header_end_ = 0;
    headers_ended_ = false;
}

bool RequestParser::check_chunk_delimiter(const char* from) {
    for (; delimiter_left_ > 0 && from < data_end_; ++from, --delimiter_left_)
        if (*from != (delimiter_left_ == 2 ? '\r' : '\n')) return false;
    return true;
}

void RequestParser::start_next(std::size_t new_consumed) {
    if (llhttp_get_errno(&ll_->parser) == HPE_PAUSED_UPGRADE)
        llhttp_resume_after_upgrade(&ll_->parser);
    else if (llhttp_get_errno(&ll_->parser) == HPE_PAUSED)
        llhttp_resume(&ll_->parser);
    reset_message();
    consumed_ = new_consumed;
    message_start_ = new_consumed;
    state_ = State::Idle;
}

std::string_view to_string(ParseError e) {
    switch (e) {
        case ParseError::None:
            return "none";
        case ParseError::Malformed:
            return "malformed_request";
        case ParseError::InvalidHeader:
            return "invalid_header";
        case ParseError::AmbiguousLength:
            return "ambiguous_message_length";
        case ParseError::BadHost:
            return "missing_or_repeated_host";
        case ParseError::InvalidHost:
            return "invalid_host";
        case ParseError::InvalidTarget:
            return "invalid_request_target";
        case ParseError::HeaderTooLarge:
            return "header_too_large";
        case ParseError::BodyTooLarge:
            return "body_too_large";
        case ParseError::InvalidChunk:
            return "invalid_chunk";
        case ParseError::UnsupportedTransferCoding:
            return "unsupported_transfer_coding";
        case ParseError::UnsupportedVersion:
            return "http_version_not_supported";
        case ParseError::BodySpoolFailed:
            return "request_body_spool_failed";
    }
    return "unknown";
}

int status_for(ParseError e) {
    switch (e) {
        case ParseError::HeaderTooLarge:
            return 431;
        case ParseError::BodyTooLarge:
            return 413;
        case ParseError::UnsupportedTransferCoding:
            return 501;
        case ParseError::UnsupportedVersion:
            return 505;
        case ParseError::BodySpoolFailed:
            return 500;
        default:
            return 400;
    }
}

}  // namespace larder::http
