#include "larder/http/request_parser.hpp"

#include <llhttp.h>

namespace larder::http {

struct RequestParser::LlhttpState {
    llhttp_t parser;
    llhttp_settings_t settings;
};

namespace {
RequestParser* self(llhttp_t* p) {
    return static_cast<RequestParser*>(p->data);
}

std::string_view strip_absolute_form(std::string_view target) {
    // "http://host:port/path?q" -> "/path?q" (RFC 9112 section 3.2.2).
    auto scheme = target.find("://");
    if (scheme == std::string_view::npos || target.empty() || target.front() == '/') return target;
    auto slash = target.find('/', scheme + 3);
    return slash == std::string_view::npos ? std::string_view{"/"} : target.substr(slash);
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
}  // namespace

struct RequestParser::Callbacks {
    static int on_message_begin(llhttp_t* p) {
        auto* s = self(p);
        s->state_ = State::InHeaders;
        return HPE_OK;
    }
    static int on_method(llhttp_t* p, const char* at, size_t n) {
        self(p)->append(self(p)->method_, at, n);
        return HPE_OK;
    }
    static int on_url(llhttp_t* p, const char* at, size_t n) {
        self(p)->append(self(p)->url_, at, n);
        return HPE_OK;
    }
    static int on_header_field(llhttp_t* p, const char* at, size_t n) {
        self(p)->append(self(p)->field_, at, n);
        return HPE_OK;
    }
    static int on_header_value(llhttp_t* p, const char* at, size_t n) {
        self(p)->append(self(p)->value_, at, n);
        return HPE_OK;
    }
    static int on_header_value_complete(llhttp_t* p) {
        auto* s = self(p);
        s->finish_header_value();
        return s->error_ == ParseError::None ? HPE_OK : -1;
    }
    static int on_headers_complete(llhttp_t* p) { return self(p)->on_headers_complete(); }
    static int on_body(llhttp_t* p, const char* at, size_t n) {
        auto* s = self(p);
        if (s->header_end_ == 0) s->header_end_ = static_cast<std::size_t>(at - s->base_);
        if (s->request_.body.size() + n > s->limits_.max_body_size) {
            s->fail(ParseError::BodyTooLarge);
            return -1;
        }
        s->request_.body.append(at, n);
        return HPE_OK;
    }
    static int on_message_complete(llhttp_t* p) {
        auto* s = self(p);
        s->request_.keep_alive = llhttp_should_keep_alive(p) != 0;
        s->state_ = State::Complete;
        return HPE_PAUSED;
    }
};

RequestParser::RequestParser(ParserLimits limits)
    : limits_(limits), ll_(std::make_unique<LlhttpState>()) {
    llhttp_settings_init(&ll_->settings);
    ll_->settings.on_message_begin = Callbacks::on_message_begin;
    ll_->settings.on_method = Callbacks::on_method;
    ll_->settings.on_url = Callbacks::on_url;
    ll_->settings.on_header_field = Callbacks::on_header_field;
    ll_->settings.on_header_value = Callbacks::on_header_value;
    ll_->settings.on_header_value_complete = Callbacks::on_header_value_complete;
    ll_->settings.on_headers_complete = Callbacks::on_headers_complete;
    ll_->settings.on_body = Callbacks::on_body;
    ll_->settings.on_message_complete = Callbacks::on_message_complete;
    llhttp_init(&ll_->parser, HTTP_REQUEST, &ll_->settings);
    ll_->parser.data = this;
    fields_.reserve(32);
}

RequestParser::~RequestParser() = default;

void RequestParser::append(Span& span, const char* at, std::size_t length) {
    if (span.length == 0) span.offset = static_cast<std::size_t>(at - base_);
    span.length += length;  // pieces of one token are adjacent: the buffer is contiguous
}

void RequestParser::finish_header_value() {
    std::string_view name = view(field_);
    std::string_view value = trim_ows(view(value_));
    if (!is_token(name) || !valid_field_value(value)) return fail(ParseError::InvalidHeader);
    if (iequals(name, "host")) ++host_count_;
    if (iequals(name, "content-length")) has_content_length_ = true;
    if (iequals(name, "transfer-encoding")) {
        has_transfer_encoding_ = true;
        if (!iequals(value, "chunked")) return fail(ParseError::UnsupportedTransferCoding);
    }
    Span trimmed{value.empty() ? 0 : static_cast<std::size_t>(value.data() - base_), value.size()};
    fields_.push_back({field_, trimmed});
    last_header_end_ =
        value_.length ? value_.offset + value_.length : field_.offset + field_.length;
    field_ = {};
    value_ = {};
}

int RequestParser::on_headers_complete() {
    llhttp_t* p = &ll_->parser;
    if (last_header_end_ - message_start_ > limits_.max_header_size) {
        fail(ParseError::HeaderTooLarge);
        return -1;
    }
    if (has_content_length_ && has_transfer_encoding_) {
        fail(ParseError::AmbiguousLength);
        return -1;
    }
    bool http11 = p->http_major == 1 && p->http_minor >= 1;
    if (host_count_ > 1 || (http11 && host_count_ == 0)) {
        fail(ParseError::BadHost);
        return -1;
    }
    if (has_content_length_ && p->content_length > limits_.max_body_size) {
        fail(ParseError::BodyTooLarge);
        return -1;
    }
    Request& r = request_;
    bind_views();
    r.method = method_from_string(r.method_text);
    r.version_major = p->http_major;
    r.version_minor = p->http_minor;
    auto expect = r.headers.get("expect");
    r.expect_continue = expect && iequals(*expect, "100-continue") && http11;
    r.keep_alive = llhttp_should_keep_alive(p) != 0;
    state_ = State::InBody;
    return HPE_OK;
}

void RequestParser::bind_views() {
    Request& r = request_;
    r.method_text = view(method_);
    r.target = view(url_);
    std::string_view origin_form = strip_absolute_form(r.target);
    auto q = origin_form.find('?');
    r.path = origin_form.substr(0, q);
    r.query = q == std::string_view::npos ? std::string_view{} : origin_form.substr(q + 1);
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
    if (state_ == State::Idle) message_start_ = consumed_;
    if (size <= consumed_) return state_;
    const char* start = buffer + consumed_;
    llhttp_errno_t err = llhttp_execute(&ll_->parser, start, size - consumed_);
    if (err == HPE_OK) {
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
    if (state_ == State::InHeaders && consumed_ - message_start_ > limits_.max_header_size)
        fail(ParseError::HeaderTooLarge);
    return state_;
}

void RequestParser::fail(ParseError e) {
    error_ = e;
    state_ = State::Error;
}

void RequestParser::reset_message() {
    request_.headers.clear();
    request_.body.clear();
    request_.method_text = request_.target = request_.path = request_.query = {};
    request_.expect_continue = false;
    method_ = url_ = field_ = value_ = {};
    fields_.clear();
    host_count_ = 0;
    has_transfer_encoding_ = has_content_length_ = false;
    header_end_ = 0;
    last_header_end_ = 0;
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
        case ParseError::HeaderTooLarge:
            return "header_too_large";
        case ParseError::BodyTooLarge:
            return "body_too_large";
        case ParseError::UnsupportedTransferCoding:
            return "unsupported_transfer_coding";
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
        default:
            return 400;
    }
}

}  // namespace larder::http
