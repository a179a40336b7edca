#include "larder/http/accept_encoding.hpp"

#include "larder/http/cache_control.hpp"

namespace larder::http {

namespace {

// RFC 9110 section 12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
std::optional<std::uint16_t> parse_qvalue(std::string_view s) {
    if (s.empty() || (s[0] != '0' && s[0] != '1')) return std::nullopt;
    unsigned value = s[0] == '1' ? 1000 : 0;
    if (s.size() == 1) return static_cast<std::uint16_t>(value);
    if (s[1] != '.' || s.size() > 5) return std::nullopt;
    unsigned scale = 100;
    for (char c : s.substr(2)) {
        if (c < '0' || c > '9') return std::nullopt;
        value += static_cast<unsigned>(c - '0') * scale;
        scale /= 10;
    }
    if (value > 1000) return std::nullopt;  // "1.5"
    return static_cast<std::uint16_t>(value);
}

// What one list member says; nullopt when it is malformed (and so ignored).
struct Member {
    std::string_view coding;
    std::uint16_t q = 1000;
};

std::optional<Member> parse_member(std::string_view item) {
    Member m;
    auto semi = item.find(';');
    m.coding = trim_ows(item.substr(0, semi));
    if (m.coding.empty()) return std::nullopt;
    while (semi != std::string_view::npos) {
        item.remove_prefix(semi + 1);
        semi = item.find(';');
        std::string_view param = trim_ows(item.substr(0, semi));
        auto eq = param.find('=');
        if (eq == std::string_view::npos) continue;  // a bare parameter: nothing Larder reads
        if (!iequals(trim_ows(param.substr(0, eq)), "q")) continue;
        auto q = parse_qvalue(trim_ows(param.substr(eq + 1)));
        if (!q) return std::nullopt;
        m.q = *q;
    }
    return m;
}

std::optional<ContentCoding> coding_named(std::string_view name) {
    if (iequals(name, "gzip") || iequals(name, "x-gzip")) return ContentCoding::Gzip;
    if (iequals(name, "br")) return ContentCoding::Br;
    if (iequals(name, "identity")) return ContentCoding::Identity;
    return std::nullopt;
}

// Collects members over one or more field values, then resolves `*`.
class Collector {
  public:
    void add_field(std::string_view value) {
        for_each_listed_field(value, [&](std::string_view item) {
            auto m = parse_member(item);
            if (!m) return;
            if (m->coding == "*") {
                if (!star_) star_ = m->q;
                return;
            }
            auto c = coding_named(m->coding);
            if (!c) return;
            auto& slot = named_[static_cast<std::size_t>(*c)];
            if (!slot) slot = m->q;
        });
    }
    AcceptEncoding result() const {
        AcceptEncoding out;
        for (std::size_t i = 0; i < kContentCodingCount; ++i) {
            const bool identity = i == static_cast<std::size_t>(ContentCoding::Identity);
            if (named_[i])
                out.q[i] = *named_[i];
            else if (star_)
                out.q[i] = *star_;
            else  // identity not named: acceptable, but ranked below every named coding
                out.q[i] = identity ? 1 : 0;
        }
        return out;
    }

  private:
    std::array<std::optional<std::uint16_t>, kContentCodingCount> named_{};
    std::optional<std::uint16_t> star_;
};

}  // namespace

std::string_view to_string(ContentCoding coding) {
    switch (coding) {
        case ContentCoding::Identity:
            return "identity";
        case ContentCoding::Gzip:
            return "gzip";
        case ContentCoding::Br:
            return "br";
    }
    return "identity";
}

AcceptEncoding parse_accept_encoding(const HeaderList& request_headers) {
    Collector c;
    for (const auto& h : request_headers)
        if (iequals(h.name, "accept-encoding")) c.add_field(h.value);
    return c.result();
}

AcceptEncoding parse_accept_encoding(std::string_view field_value) {
    Collector c;
    c.add_field(field_value);
    return c.result();
}

ContentCoding choose(const AcceptEncoding& accepted, CodingSet available) {
    // The server's order of preference, used to break ties.
    constexpr ContentCoding preference[] = {ContentCoding::Br, ContentCoding::Gzip,
                                            ContentCoding::Identity};
    std::optional<ContentCoding> best;
    for (ContentCoding c : preference) {
        if (!available.has(c) || !accepted.accepts(c)) continue;
        if (!best || accepted.quality(c) > accepted.quality(*best)) best = c;
    }
    return best.value_or(ContentCoding::Identity);
}

std::optional<ContentCoding> parse_content_encoding(const HeaderList& response_headers) {
    std::optional<ContentCoding> coding = ContentCoding::Identity;
    int codings = 0;
    for (const auto& h : response_headers) {
        if (!iequals(h.name, "content-encoding")) continue;
        for_each_listed_field(h.value, [&](std::string_view item) {
            auto c = coding_named(item);
            if (c == ContentCoding::Identity) return;  // says nothing
            ++codings;
            coding = c;  // nullopt for a coding Larder does not know
        });
    }
    if (codings > 1) return std::nullopt;  // stacked codings: not one Larder can serve
    return coding;
}

}  // namespace larder::http
