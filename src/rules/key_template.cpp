#include "larder/rules/key_template.hpp"

#include <stdexcept>

#include "larder/http/cookies.hpp"
#include "larder/rules/host.hpp"

namespace larder::rules {

void KeyTemplate::add_literal(std::string_view text) {
    if (text.empty()) return;
    literal_size_ += text.size();
    if (!parts_.empty() && parts_.back().kind == Kind::Literal)
        parts_.back().text.append(text);
    else
        parts_.push_back({Kind::Literal, std::string(text)});
}

KeyTemplate::KeyTemplate(std::string_view text) {
    const std::string whole(text);
    while (!text.empty()) {
        std::size_t dollar = text.find('$');
        if (dollar == std::string_view::npos || dollar + 1 == text.size()) {
            add_literal(text);
            break;
        }
        add_literal(text.substr(0, dollar));
        text.remove_prefix(dollar);
        if (text[1] != '{') {
            add_literal("$");
            text.remove_prefix(1);
            continue;
        }
        std::size_t close = text.find('}');
        if (close == std::string_view::npos)
            throw std::invalid_argument("key template \"" + whole + "\": unterminated \"${\"");
        std::string_view var = text.substr(2, close - 2);
        text.remove_prefix(close + 1);
        if (var == "scheme")
            parts_.push_back({Kind::Scheme, {}});
        else if (var == "host")
            parts_.push_back({Kind::Host, {}});
        else if (var == "path")
            parts_.push_back({Kind::Path, {}});
        else if (var == "query")
            parts_.push_back({Kind::Query, {}});
        else if (var == "method")
            parts_.push_back({Kind::Method, {}});
        else if (var.starts_with("cookie:") && var.size() > 7)
            parts_.push_back({Kind::Cookie, std::string(var.substr(7))});
        else if (var.starts_with("header:") && var.size() > 7)
            parts_.push_back({Kind::Header, std::string(var.substr(7))});
        else
            throw std::invalid_argument("key template \"" + whole + "\": unknown variable \"${" +
                                        std::string(var) + "}\"");
    }
}

std::size_t KeyTemplate::size_hint(const http::Request& request) const {
    std::size_t n = literal_size_;
    for (const auto& p : parts_) {
        switch (p.kind) {
            case Kind::Scheme:
                n += 5;
                break;
            case Kind::Host:
                n += request.host().size();
                break;
            case Kind::Path:
                n += request.path.size();
                break;
            case Kind::Query:
                n += request.query.size() + 1;
                break;
            case Kind::Method:
                n += request.method_text.size();
                break;
            case Kind::Cookie:
            case Kind::Header:
                n += 32;
                break;
            case Kind::Literal:
                break;
        }
    }
    return n;
}

void KeyTemplate::expand(std::string& out, const http::Request& request, std::string_view scheme,
                         const QueryPolicy& query) const {
    for (const auto& p : parts_) {
        switch (p.kind) {
            case Kind::Literal:
                out.append(p.text);
                break;
            case Kind::Scheme:
                out.append(scheme);
                break;
            case Kind::Host:
                append_key_host(out, request.host(), scheme);
                break;
            case Kind::Path:
                out.append(request.path);
                break;
            case Kind::Query: {
                out.push_back('?');
                std::size_t before = out.size();
                append_normalised_query(out, request.query, query);
                if (out.size() == before) out.pop_back();
                break;
            }
            case Kind::Method:
                out.append(request.method_text);
                break;
            case Kind::Cookie:
                out.append(http::find_cookie(request.headers, p.text).value_or(std::string_view{}));
                break;
            case Kind::Header:
                out.append(request.headers.get(p.text).value_or(std::string_view{}));
                break;
        }
    }
}

std::vector<std::string> KeyTemplate::cookie_names() const {
    std::vector<std::string> names;
    for (const auto& p : parts_)
        if (p.kind == Kind::Cookie) names.push_back(p.text);
    return names;
}

}  // namespace larder::rules
