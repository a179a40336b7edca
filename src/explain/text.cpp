#include "larder/explain/text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace larder::explain {

namespace json = boost::json;

namespace {

// A value as text; control bytes (the key's \x1f separators, or whatever a probe carried) are
// written as \xHH so nothing reaches the terminal as a control sequence.
std::string str(const json::value& v) {
    if (const auto* s = v.if_string()) {
        std::string out;
        for (unsigned char c : *s) {
            if (c < 0x20 || c == 0x7f) {
                constexpr char kHex[] = "0123456789abcdef";
                out.append("\\x").push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xf]);
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
        return out;
    }
    if (v.is_null()) return "-";
    return json::serialize(v);
}

const json::value& at(const json::object& o, std::string_view key) {
    static const json::value null;
    auto it = o.find(key);
    return it == o.end() ? null : it->value();
}

std::string duration(const json::value& v) {
    if (!v.is_int64() && !v.is_uint64()) return "-";
    std::int64_t ms = v.to_number<std::int64_t>();
    if (ms == 0) return "0s";
    if (ms % 1000 != 0) return std::to_string(ms) + "ms";
    std::int64_t s = ms / 1000;
    if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
    if (s % 60 == 0) return std::to_string(s / 60) + "m";
    return std::to_string(s) + "s";
}

void line(std::string& out, std::string_view label, const std::string& value) {
    out.append(label);
    if (label.size() < 19) out.append(19 - label.size(), ' ');
    out.append(value).push_back('\n');
}

void rules_section(std::string& out, const json::array& rules) {
    if (rules.empty()) {
        line(out, "Rules:", "none in the config");
        return;
    }
    out.append("Rules:\n");
    for (const auto& r : rules) {
        const json::object& o = r.as_object();
        std::string head = "  " + str(at(o, "index"));
        if (!at(o, "name").as_string().empty()) head += " \"" + str(at(o, "name")) + "\"";
        if (!at(o, "line").is_null()) head += " (line " + str(at(o, "line")) + ")";
        const std::string verdict = str(at(o, "verdict"));
        if (verdict == "skipped")
            head += ": skipped, " + str(at(o, "why_not")) + ": " + str(at(o, "detail"));
        else if (verdict == "matched")
            head += ": MATCHED";
        else
            head += ": not reached";
        out.append(head).push_back('\n');
    }
}

void stored_section(std::string& out, const json::value& stored) {
    if (stored.is_null()) {
        line(out, "Stored:", "nothing under this key");
        return;
    }
    const json::object& s = stored.as_object();
    const json::array& variants = at(s, "variants").as_array();
    std::string summary =
        std::to_string(variants.size()) + (variants.size() == 1 ? " object" : " objects");
    if (!str(at(s, "vary")).empty()) summary += ", Vary: " + str(at(s, "vary"));
    if (!at(s, "hit_for_pass_ms").is_null())
        summary += ", hit-for-pass for " + duration(at(s, "hit_for_pass_ms"));
    if (at(s, "flights").to_number<std::int64_t>() > 0)
        summary += ", " + str(at(s, "flights")) + " fetch(es) in flight";
    line(out, "Stored:", summary);
    for (const auto& v : variants) {
        const json::object& o = v.as_object();
        std::string text = "  " + str(at(o, "state")) + ", status " + str(at(o, "status")) +
                           ", age " + duration(at(o, "age_ms")) + ", " + str(at(o, "body_bytes")) +
                           " body bytes (" + str(at(o, "charge_bytes")) + " charged), " +
                           str(at(o, "policy")) + " policy";
        if (!str(at(o, "secondary")).empty()) text += ", variant " + str(at(o, "secondary"));
        if (!str(at(o, "etag")).empty()) text += ", ETag " + str(at(o, "etag"));
        if (!str(at(o, "tags")).empty()) text += ", tags " + str(at(o, "tags"));
        if (at(o, "referenced").as_bool()) text += ", hit since the eviction hand passed";
        out.append(text).push_back('\n');
    }
}

}  // namespace

std::string render_text(const json::object& answer) {
    std::string out;
    const json::object& req = at(answer, "request").as_object();
    line(out, "Request:", str(at(req, "method")) + " " + str(at(req, "url")));
    for (const auto& c : at(req, "cookies").as_array()) line(out, "  cookie:", str(c));
    for (const auto& h : at(req, "headers").as_array()) line(out, "  header:", str(h));
    rules_section(out, at(answer, "rules").as_array());

    const json::object& d = at(answer, "decision").as_object();
    const bool cache = str(at(d, "action")) == "cache";
    line(out, "Decision:",
         std::string(cache ? "CACHE" : "PASS") + " (" + str(at(d, "reason")) +
             "): " + str(at(d, "detail")));
    const json::object& v = at(answer, "visitor").as_object();
    line(out, "Visitor:", str(at(v, "kind")) + " (" + str(at(v, "summary")) + ")");
    line(out, "Cache key:", cache ? str(at(answer, "key")) : "none (not a cache candidate)");
    if (cache) {
        std::string cookies;
        for (const auto& c : at(answer, "forwarded_cookies").as_array()) {
            const json::object& o = c.as_object();
            if (!cookies.empty()) cookies += ", ";
            cookies += str(at(o, "name")) + "=" +
                       (at(o, "value").is_null() ? "(absent)" : str(at(o, "value")));
        }
        line(out, "Forwarded cookies:",
             cookies.empty() ? "none (the shared fetch sends no cookie)" : cookies);
        const json::object& f = at(answer, "freshness").as_object();
        std::string fresh = at(f, "follows_origin").as_bool()
                                ? "follows the origin's Cache-Control (RFC 9111)"
                                : "ttl " + duration(at(f, "ttl_ms"));
        fresh += ", grace " + duration(at(f, "grace_ms")) + ", stale-if-error " +
                 duration(at(f, "stale_if_error_ms"));
        line(out, "Freshness:", fresh);
    }
    if (answer.contains("stored")) stored_section(out, at(answer, "stored"));
    return out;
}

}  // namespace larder::explain
