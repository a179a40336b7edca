#include "larder/cache/encodings.hpp"

#include "larder/http/cache_control.hpp"

namespace larder::cache {

namespace {

// Field lines that differ between codings of one response.
bool per_coding_field(std::string_view name) {
    return http::iequals(name, "content-encoding") || http::iequals(name, "etag") ||
           http::iequals(name, "content-digest") || http::iequals(name, "repr-digest") ||
           http::iequals(name, "content-md5");
}

// Calls fn(name, value, line) for each field line of a pre-serialized head (after its status
// line); `line` includes the CRLF.
template <class Fn>
void for_each_field_line(std::string_view head, Fn&& fn) {
    auto at = head.find("\r\n");
    if (at == std::string_view::npos) return;
    at += 2;
    while (at < head.size()) {
        auto end = head.find("\r\n", at);
        if (end == std::string_view::npos) end = head.size();
        std::string_view line = head.substr(at, end - at);
        auto colon = line.find(':');
        std::string_view name = line.substr(0, colon);
        std::string_view value = colon == std::string_view::npos
                                     ? std::string_view()
                                     : http::trim_ows(line.substr(colon + 1));
        fn(name, value, head.substr(at, std::min(head.size(), end + 2) - at));
        at = end + 2;
    }
}

}  // namespace

std::string coded_etag(std::string_view etag, http::ContentCoding coding, http::ContentCoding own) {
    std::string out(etag);
    if (coding == own || etag.size() < 2 || etag.front() != '"' || etag.back() != '"') return out;
    out.insert(out.size() - 1, std::string("-").append(http::to_string(coding)));
    return out;
}

void add_vary_accept_encoding(std::string& head) {
    bool named = false;
    for_each_field_line(head, [&](std::string_view name, std::string_view value, std::string_view) {
        if (!http::iequals(name, "vary")) return;
        http::for_each_listed_field(value, [&](std::string_view item) {
            if (item == "*" || http::iequals(item, "accept-encoding")) named = true;
        });
    });
    if (!named) head.append("Vary: Accept-Encoding\r\n");
}

ObjectPtr make_representation(const ObjectDraft& stored, http::ContentCoding coding,
                              std::string_view body) {
    ObjectDraft r;
    const std::string etag = coded_etag(stored.meta.etag, coding, stored.encodings.own);
    std::string& head = r.head;
    head.reserve(stored.head.size() + 64);
    head.append(stored.head.substr(0, stored.head.find("\r\n") + 2));  // the status line
    for_each_field_line(stored.head,
                        [&](std::string_view name, std::string_view, std::string_view line) {
                            if (!per_coding_field(name)) head.append(line);
                        });
    if (coding != http::ContentCoding::Identity)
        head.append("Content-Encoding: ").append(http::to_string(coding)).append("\r\n");
    if (!etag.empty()) head.append("ETag: ").append(etag).append("\r\n");
    r.status = stored.status;
    r.body = body;
    r.stored_at = stored.stored_at;
    r.expires_at = stored.expires_at;
    r.grace_until = stored.grace_until;
    r.error_until = stored.error_until;
    r.meta = stored.meta;
    r.meta.etag = etag;
    r.epoch = stored.epoch;
    r.encodings.own = coding;
    return Object::make(r);
}

http::CodingSet codings_of(const Object& object) {
    http::CodingSet set;
    set.add(object.encodings.own);
    for (const auto& other : object.encodings.others) set.add(other->encodings.own);
    return set;
}

ObjectPtr representation_for(const ObjectPtr& object, const http::AcceptEncoding& accepted) {
    if (object->encodings.others.empty()) return object;
    const http::ContentCoding wanted = http::choose(accepted, codings_of(*object));
    for (const auto& other : object->encodings.others)
        if (other->encodings.own == wanted) return other;
    return object;
}

std::optional<std::size_t> identity_size(const Object& object) {
    if (object.encodings.own == http::ContentCoding::Identity) return object.body().size();
    for (const auto& other : object.encodings.others)
        if (other->encodings.own == http::ContentCoding::Identity) return other->body().size();
    return std::nullopt;
}

bool compressible_type(std::string_view content_type, const std::vector<std::string>& types) {
    std::string type(http::trim_ows(content_type.substr(0, content_type.find(';'))));
    for (char& c : type)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (type.empty()) return false;
    for (const auto& pattern : types) {
        const auto star = pattern.find('*');
        if (star == std::string::npos) {
            if (type == pattern) return true;
            continue;
        }
        std::string_view prefix = std::string_view(pattern).substr(0, star);
        std::string_view suffix = std::string_view(pattern).substr(star + 1);
        if (type.size() >= prefix.size() + suffix.size() && type.starts_with(prefix) &&
            type.ends_with(suffix))
            return true;
    }
    return false;
}

}  // namespace larder::cache
