#include "larder/rules/query.hpp"

#include <algorithm>
#include <array>

namespace larder::rules {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Decodes the byte at s[i], advancing i past it.
char decode_at(std::string_view s, std::size_t& i) {
    char c = s[i];
    if (c == '+') {
        ++i;
        return ' ';
    }
    if (c == '%' && i + 2 < s.size()) {
        int hi = hex_value(s[i + 1]);
        int lo = hex_value(s[i + 2]);
        if (hi >= 0 && lo >= 0) {
            i += 3;
            return static_cast<char>(hi * 16 + lo);
        }
    }
    ++i;
    return c;
}

bool drop_param(const QueryPolicy& policy, std::string_view name) {
    return !policy.drop.empty() && any_matches(policy.drop, name);
}

void append_param(std::string& out, std::size_t start, std::string_view raw) {
    if (out.size() > start) out.push_back('&');
    out.append(raw);
}

// The next byte of a query name as the app decodes it ("%61" and "a" are one name; '+' is a
// space), advancing `i`.
int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

unsigned char next_decoded(std::string_view s, std::size_t& i) {
    char c = s[i++];
    if (c == '+') return ' ';
    if (c == '%' && i + 1 < s.size()) {
        int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
        if (hi >= 0 && lo >= 0) {
            i += 2;
            return static_cast<unsigned char>(hi * 16 + lo);
        }
    }
    return static_cast<unsigned char>(c);
}

// Names compared as the app decodes them, so names it reads alike keep their order (the app
// takes the first or the last of them: sorting them apart would change the page).
bool decoded_less(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        unsigned char x = next_decoded(a, i), y = next_decoded(b, j);
        if (x != y) return x < y;
    }
    return i == a.size() && j < b.size();
}

// Stable insertion sort by decoded name: queries are short, and this never allocates.
void sort_by_name(QueryParam* first, QueryParam* last) {
    for (QueryParam* i = first + 1; i < last; ++i) {
        QueryParam cur = *i;
        QueryParam* j = i;
        while (j > first && decoded_less(cur.name, (j - 1)->name)) {
            *j = *(j - 1);
            --j;
        }
        *j = cur;
    }
}

constexpr std::size_t kInlineParams = 64;
thread_local std::vector<QueryParam> tl_many_params;

}  // namespace

std::optional<std::string_view> find_query_param(std::string_view query, std::string_view name) {
    std::optional<std::string_view> found;
    for_each_query_param(query, [&](const QueryParam& p) {
        if (!found && p.name == name) found = p.value;
    });
    return found;
}

void percent_decode(std::string_view encoded, std::string& out) {
    out.clear();
    out.reserve(encoded.size());
    for (std::size_t i = 0; i < encoded.size();) out.push_back(decode_at(encoded, i));
}

bool percent_decoded_equals(std::string_view encoded, std::string_view expected) {
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < encoded.size()) {
        if (j == expected.size()) return false;
        if (decode_at(encoded, i) != expected[j++]) return false;
    }
    return j == expected.size();
}

void append_normalised_query(std::string& out, std::string_view query, const QueryPolicy& policy) {
    const std::size_t start = out.size();
    if (!policy.sort) {
        for_each_query_param(query, [&](const QueryParam& p) {
            if (!drop_param(policy, p.name)) append_param(out, start, p.raw);
        });
        return;
    }
    std::array<QueryParam, kInlineParams> inline_params;
    std::size_t count = 0;
    bool spilled = false;
    for_each_query_param(query, [&](const QueryParam& p) {
        if (drop_param(policy, p.name)) return;
        if (!spilled && count < kInlineParams) {
            inline_params[count++] = p;
            return;
        }
        if (!spilled) {
            tl_many_params.assign(inline_params.begin(), inline_params.begin() + count);
            spilled = true;
        }
        tl_many_params.push_back(p);
    });
    QueryParam* first = spilled ? tl_many_params.data() : inline_params.data();
    QueryParam* last = first + (spilled ? tl_many_params.size() : count);
    if (spilled)
        std::stable_sort(first, last, [](const QueryParam& a, const QueryParam& b) {
            return decoded_less(a.name, b.name);
        });
    else
        sort_by_name(first, last);
    for (QueryParam* p = first; p < last; ++p) append_param(out, start, p->raw);
}

}  // namespace larder::rules
