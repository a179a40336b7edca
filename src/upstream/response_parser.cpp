#include "larder/upstream/response_parser.hpp"

#include <llhttp.h>

#include <algorithm>
#include <array>
#include <new>

namespace larder::upstream {

static_assert(sizeof(llhttp_t) <= 128 && alignof(llhttp_t) <= alignof(std::max_align_t));

namespace {
ResponseParser* self(llhttp_t* p) {
    return static_cast<ResponseParser*>(p->data);
}

// One table lookup per byte (the head's fields are most of what a pass response costs here):
// bit 1, a token character (RFC 9110 section 5.6.2: field names are tokens; llhttp as built here
// lets a space through); bit 2, a byte a field value may hold: not a control byte other than TAB
// (CR or LF inside a value is obs-fold: llhttp hands a folded value over as one span).
constexpr std::array<unsigned char, 256> kByteClass = [] {
    std::array<unsigned char, 256> t{};
    for (int c = 0; c < 256; ++c) {
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (alnum || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) !=
                         std::string_view::npos)
            t[c] |= 1;
        if ((c >= 0x20 && c != 0x7f) || c == '\t') t[c] |= 2;
    }
    return t;
}();

bool all_of_class(std::string_view s, unsigned char bit) {
    for (unsigned char c : s)
        if (!(kByteClass[c] & bit)) return false;
    return true;
}

bool is_token(std::string_view name) {
    return !name.empty() && all_of_class(name, 1);
}

bool valid_field_value(std::string_view v) {
    return all_of_class(v, 2);
}

bool bodiless_status(int status) {
    return status / 100 == 1 || status == 204 || status == 304;
}
}  // namespace

struct ResponseParser::Callbacks {
    static int on_version_complete(llhttp_t* p) {
        if (p->http_major == 1) return HPE_OK;
        self(p)->fail(ResponseParseError::Malformed);
        return -1;
    }
    static int on_status(llhttp_t* p, const char* at, size_t n) {
        self(p)->append(self(p)->reason_, at, n);
        return HPE_OK;
    }
    static int on_header_field(llhttp_t* p, const char* at, size_t n) {
        auto* s = self(p);
        if (s->head_ended_) return s->count_trailer(n);
        s->append(s->field_, at, n);
        return HPE_OK;
    }
    static int on_header_value(llhttp_t* p, const char* at, size_t n) {
        auto* s = self(p);
        if (s->head_ended_) return s->count_trailer(n);
        s->append(s->value_, at, n);
        return HPE_OK;
    }
    static int on_header_value_complete(llhttp_t* p) {
        auto* s = self(p);
        if (s->head_ended_) return s->count_trailer(4);  // ": " and CRLF
        return s->finish_field();
    }
    // Pauses llhttp where the head ends, so parse_head() stops there; parse_body() goes on.
    static int on_headers_complete(llhttp_t* p) {
        auto* s = self(p);
        if (s->head_ended_) return HPE_OK;
        s->head_ended_ = true;
        // No body, whatever the head declares (llhttp alone would read a 204's Content-Length).
        if (s->head_request_ || bodiless_status(p->status_code)) p->flags |= F_SKIPBODY;
        return HPE_PAUSED;
    }
    static int on_body(llhttp_t* p, const char* at, size_t n) {
        auto* s = self(p);
        s->out_->append(at, n);
        // A chunk's data ends here: CRLF must follow (llhttp as built here takes any two bytes).
        if ((p->flags & F_CHUNKED) && p->content_length == 0) {
            s->delimiter_left_ = 2;
            if (!s->check_delimiter(at + n, s->data_end_)) {
                s->fail(ResponseParseError::InvalidChunk);
                return -1;
            }
        }
        return HPE_OK;
    }
    static int on_message_complete(llhttp_t* p) {
        auto* s = self(p);
        s->keep_alive_ = llhttp_should_keep_alive(p) != 0;
        s->state_ = State::Complete;
        return HPE_PAUSED;  // what follows is not this response's
    }
    static const llhttp_settings_t* settings() {
        static const llhttp_settings_t s = [] {
            llhttp_settings_t s;
            llhttp_settings_init(&s);
            s.on_version_complete = on_version_complete;
            s.on_status = on_status;
            s.on_header_field = on_header_field;
            s.on_header_value = on_header_value;
            s.on_header_value_complete = on_header_value_complete;
            s.on_headers_complete = on_headers_complete;
            s.on_body = on_body;
            s.on_message_complete = on_message_complete;
            return s;
        }();
        return &s;
    }
};

ResponseParser::ResponseParser(std::pmr::memory_resource* memory) : fields_(memory) {
    static_assert(kLlhttpStateSize >= sizeof(llhttp_t));
    llhttp_t* p = new (ll_storage_) llhttp_t;
    llhttp_init(p, HTTP_RESPONSE, Callbacks::settings());
    // Any HTTP/d.d reaches on_version_complete, which refuses all but 1.x.
    p->lenient_flags |= LENIENT_VERSION;
    p->data = this;
    headers_.reserve(kTypicalFields);
    fields_.reserve(kTypicalFields);
}

ResponseParser::~ResponseParser() = default;

void ResponseParser::start(bool head_request) {
    llhttp_reset(ll());
    state_ = State::Head;
    error_ = ResponseParseError::None;
    base_ = nullptr;
    consumed_ = 0;
    head_request_ = head_request;
    head_ended_ = body_until_close_ = keep_alive_ = false;
    status_ = 0;
    reason_ = field_ = value_ = {};
    headers_.clear();
    fields_.clear();
    declared_length_.reset();
    trailer_bytes_ = 0;
    delimiter_left_ = 0;
}

void ResponseParser::append(Span& span, const char* at, std::size_t length) {
    if (span.length == 0) span.offset = static_cast<std::size_t>(at - base_);
    span.length += length;  // pieces of one token are adjacent: the buffer is contiguous
}

int ResponseParser::finish_field() {
    std::string_view name(base_ + field_.offset, field_.length);
    std::string_view value = http::trim_ows({base_ + value_.offset, value_.length});
    field_ = value_ = {};
    if (!is_token(name) || !valid_field_value(value)) {
        fail(ResponseParseError::InvalidHeader);
        return -1;
    }
    if (value.empty()) value = name.substr(name.size());  // still a view inside the buffer
    fields_.push_back({{offset(name), name.size()}, {offset(value), value.size()}});
    headers_.add(name, value);
    return HPE_OK;
}

int ResponseParser::count_trailer(std::size_t n) {
    trailer_bytes_ += n;
    if (trailer_bytes_ <= kResponseHeaderLimit) return HPE_OK;
    fail(ResponseParseError::HeaderTooLarge);
    return -1;
}

void ResponseParser::move_views(const char* buffer) {
    if (!base_ || buffer == base_) {
        base_ = buffer;
        return;
    }
    base_ = buffer;
    headers_.clear();
    for (const auto& [name, value] : fields_) headers_.add(view(name), view(value));
}

void ResponseParser::rebase(const char* buffer) {
    move_views(buffer);
}

void ResponseParser::end_head(std::size_t end) {
    llhttp_t* p = ll();
    consumed_ = end;
    status_ = p->status_code;
    if (p->flags & F_CONTENT_LENGTH) declared_length_ = p->content_length;
    const bool skip = (p->flags & F_SKIPBODY) != 0;
    const bool chunked = (p->flags & F_CHUNKED) != 0;
    const bool framed_by_length = (p->flags & F_CONTENT_LENGTH) != 0 && !chunked;
    if (skip || (framed_by_length && p->content_length == 0)) {
        keep_alive_ = llhttp_should_keep_alive(p) != 0;
        state_ = State::Complete;
        return;
    }
    body_until_close_ = !chunked && !framed_by_length;
    state_ = State::Body;
    llhttp_resume(p);  // parse_body() goes on from the first body byte
}

ResponseParser::State ResponseParser::parse_head(const char* buffer, std::size_t size) {
    if (state_ != State::Head) return state_;
    move_views(buffer);
    if (size <= consumed_) return state_;
    // llhttp never sees a byte past the limit before the head ends: anything wrong inside the
    // limit is found wherever the reads end, and nothing past it is judged but as too large.
    const std::size_t feed_end = std::min(size, kResponseHeaderLimit);
    if (feed_end <= consumed_) {
        fail(ResponseParseError::HeaderTooLarge);
        return state_;
    }
    llhttp_t* p = ll();
    const llhttp_errno_t err = llhttp_execute(p, buffer + consumed_, feed_end - consumed_);
    if (err == HPE_OK) {
        consumed_ = feed_end;
        if (feed_end < size) fail(ResponseParseError::HeaderTooLarge);
        return state_;
    }
    if (err == HPE_PAUSED && head_ended_) {
        end_head(static_cast<std::size_t>(llhttp_get_error_pos(p) - buffer));
        return state_;
    }
    if (error_ != ResponseParseError::None) {  // a callback refused
        state_ = State::Error;
        return state_;
    }
    switch (err) {
        case HPE_INVALID_HEADER_TOKEN:
        case HPE_UNEXPECTED_SPACE:
            fail(ResponseParseError::InvalidHeader);
            break;
        case HPE_UNEXPECTED_CONTENT_LENGTH:
        case HPE_INVALID_CONTENT_LENGTH:
            fail(ResponseParseError::AmbiguousLength);
            break;
        default:
            fail(ResponseParseError::Malformed);
    }
    return state_;
}

bool ResponseParser::check_delimiter(const char* from, const char* end) {
    for (; delimiter_left_ > 0 && from < end; ++from, --delimiter_left_)
        if (*from != (delimiter_left_ == 2 ? '\r' : '\n')) return false;
    return true;
}

std::size_t ResponseParser::parse_body(const char* data, std::size_t size, std::string& out) {
    if (state_ != State::Body || size == 0) return 0;
    if (!check_delimiter(data, data + size)) {  // the end of a chunk's CRLF, after a split
        fail(ResponseParseError::InvalidChunk);
        return size;
    }
    out_ = &out;
    data_end_ = data + size;
    llhttp_t* p = ll();
    const llhttp_errno_t err = llhttp_execute(p, data, size);
    out_ = nullptr;
    if (err == HPE_OK) return size;
    if (err == HPE_PAUSED && state_ == State::Complete)
        return static_cast<std::size_t>(llhttp_get_error_pos(p) - data);
    // Chunk sizes, extensions, delimiters and trailer lines are all that llhttp reads here.
    if (error_ == ResponseParseError::None) fail(ResponseParseError::InvalidChunk);
    state_ = State::Error;
    return size;
}

ResponseParser::State ResponseParser::finish() {
    if (state_ == State::Body && body_until_close_) {
        keep_alive_ = false;
        state_ = State::Complete;
    } else if (state_ == State::Head || state_ == State::Body) {
        fail(ResponseParseError::CutShort);
    }
    return state_;
}

std::optional<std::uint64_t> ResponseParser::remaining() const {
    const llhttp_t* p = ll();
    if (state_ != State::Body || body_until_close_ || (p->flags & F_CHUNKED)) return std::nullopt;
    return p->content_length;
}

void ResponseParser::fail(ResponseParseError e) {
    error_ = e;
    state_ = State::Error;
    keep_alive_ = false;
}

std::string_view to_string(ResponseParseError e) {
    switch (e) {
        case ResponseParseError::None:
            return "none";
        case ResponseParseError::Malformed:
            return "malformed";
        case ResponseParseError::InvalidHeader:
            return "invalid_header";
        case ResponseParseError::AmbiguousLength:
            return "ambiguous_length";
        case ResponseParseError::InvalidChunk:
            return "invalid_chunk";
        case ResponseParseError::HeaderTooLarge:
            return "header_too_large";
        case ResponseParseError::CutShort:
            return "cut_short";
    }
    return "unknown";
}

}  // namespace larder::upstream
