#include "larder/cache/vary.hpp"

#include <algorithm>
#include <vector>

#include "larder/http/cache_control.hpp"

namespace larder::cache {

namespace {

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

std::string lowered(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

// Trims and collapses runs of spaces/tabs into one space.
void append_collapsed(std::string& out, std::string_view s) {
    s = http::trim_ows(s);
    bool space = false;
    for (char c : s) {
        if (c == ' ' || c == '\t') {
            space = true;
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
}

}  // namespace

std::string normalise_vary(const http::HeaderList& response_headers) {
    std::vector<std::string> names;
    for (const auto& h : response_headers) {
        if (!http::iequals(h.name, "vary")) continue;
        bool star = false;
        http::for_each_listed_field(h.value, [&](std::string_view item) {
            if (item == "*") star = true;
            // Every coding of a response lives in one object (encodings.hpp): Accept-Encoding
            // chooses among them on delivery and never splits the cache.
            if (http::iequals(item, "accept-encoding")) return;
            names.push_back(lowered(item));
        });
        if (star) return "*";
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) out.push_back(',');
        out.append(n);
    }
    return out;
}

std::string secondary_key(std::string_view vary, const http::HeaderList& request_headers) {
    std::string out;
    while (!vary.empty()) {
        const auto comma = vary.find(',');
        const std::string_view name = vary.substr(0, comma);
        vary = comma == std::string_view::npos ? std::string_view{} : vary.substr(comma + 1);
        out.push_back('\x1f');
        std::vector<std::string> members;
        bool present = false;
        for (const auto& h : request_headers) {
            if (!http::iequals(h.name, name)) continue;
            present = true;
            http::for_each_listed_field(h.value, [&](std::string_view item) {
                std::string m;
                append_collapsed(m, item);
                members.push_back(std::move(m));
            });
        }
        if (!present) {
            out.push_back('-');
            continue;
        }
        out.push_back('=');
        for (std::size_t i = 0; i < members.size(); ++i) {
            if (i) out.push_back(',');
            out.append(members[i]);
        }
    }
    return out;
}

std::string variant_key(std::string_view primary, std::string_view secondary) {
    std::string key;
    key.reserve(primary.size() + 1 + secondary.size());
    key.append(primary).push_back(kVariantSeparator);
    key.append(secondary);
    return key;
}

std::string_view primary_of(std::string_view key) {
    return key.substr(0, key.find(kVariantSeparator));
}

}  // namespace larder::cache
