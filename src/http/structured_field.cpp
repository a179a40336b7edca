// RFC 8941 section 4.2 parsing, reduced to accept/reject.
#include "larder/http/structured_field.hpp"

#include <string>

namespace larder::http {

namespace {

bool lcalpha(char c) {
    return c >= 'a' && c <= 'z';
}
bool alpha(char c) {
    return lcalpha(c) || (c >= 'A' && c <= 'Z');
}
bool digit(char c) {
    return c >= '0' && c <= '9';
}
bool tchar(char c) {
    return alpha(c) || digit(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}
bool base64(char c) {
    return alpha(c) || digit(c) || c == '+' || c == '/' || c == '=';
}

class Checker {
  public:
    explicit Checker(std::string_view s) : s_(s) {}

    bool dictionary() {
        skip_sp();
        if (end()) return true;
        for (;;) {
            if (!key()) return false;
            if (peek('=')) {
                ++pos_;
                if (!item_or_inner_list()) return false;
            } else if (!parameters()) {
                return false;
            }
            skip_ows();
            if (end()) return true;
            if (!peek(',')) return false;
            ++pos_;
            skip_ows();
            if (end()) return false;  // a trailing comma
        }
    }

  private:
    bool end() const { return pos_ >= s_.size(); }
    bool peek(char c) const { return !end() && s_[pos_] == c; }
    void skip_sp() {
        while (peek(' ')) ++pos_;
    }
    void skip_ows() {
        while (peek(' ') || peek('\t')) ++pos_;
    }

    bool key() {
        if (end() || !(lcalpha(s_[pos_]) || s_[pos_] == '*')) return false;
        ++pos_;
        while (!end() && (lcalpha(s_[pos_]) || digit(s_[pos_]) ||
                          std::string_view("_-.*").find(s_[pos_]) != std::string_view::npos))
            ++pos_;
        return true;
    }
    bool item_or_inner_list() { return peek('(') ? inner_list() : item(); }
    bool item() { return bare_item() && parameters(); }
    bool inner_list() {
        ++pos_;  // '('
        for (;;) {
            skip_sp();
            if (peek(')')) {
                ++pos_;
                return parameters();
            }
            if (!item()) return false;
            if (!peek(' ') && !peek(')')) return false;
        }
    }
    bool parameters() {
        while (peek(';')) {
            ++pos_;
            skip_sp();
            if (!key()) return false;
            if (peek('=')) {
                ++pos_;
                if (!bare_item()) return false;
            }
        }
        return true;
    }
    bool bare_item() {
        if (end()) return false;
        const char c = s_[pos_];
        if (c == '-' || digit(c)) return number();
        if (c == '"') return string();
        if (c == ':') return byte_sequence();
        if (c == '?') return boolean();
        if (alpha(c) || c == '*') return token();
        return false;
    }
    bool number() {
        if (peek('-')) ++pos_;
        std::size_t int_digits = 0;
        while (!end() && digit(s_[pos_])) ++pos_, ++int_digits;
        if (int_digits == 0) return false;
        if (!peek('.')) return int_digits <= 15;
        ++pos_;
        std::size_t frac_digits = 0;
        while (!end() && digit(s_[pos_])) ++pos_, ++frac_digits;
        return int_digits <= 12 && frac_digits >= 1 && frac_digits <= 3;
    }
    bool string() {
        ++pos_;  // '"'
        while (!end()) {
            const char c = s_[pos_++];
            if (c == '"') return true;
            if (c == '\\') {
                if (end() || (s_[pos_] != '"' && s_[pos_] != '\\')) return false;
                ++pos_;
            } else if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return false;  // unterminated
    }
    bool byte_sequence() {
        ++pos_;  // ':'
        while (!end() && base64(s_[pos_])) ++pos_;
        if (!peek(':')) return false;
        ++pos_;
        return true;
    }
    bool boolean() {
        ++pos_;  // '?'
        if (!peek('0') && !peek('1')) return false;
        ++pos_;
        return true;
    }
    bool token() {
        ++pos_;
        while (!end() && (tchar(s_[pos_]) || s_[pos_] == ':' || s_[pos_] == '/')) ++pos_;
        return true;
    }

    std::string_view s_;
    std::size_t pos_ = 0;
};

}  // namespace

bool is_structured_dictionary(std::string_view value) {
    Checker c(value);
    return c.dictionary();
}

bool is_structured_dictionary_field(const HeaderList& headers, std::string_view name) {
    std::string combined;
    for (const auto& h : headers) {
        if (!iequals(h.name, name)) continue;
        if (!combined.empty()) combined.append(", ");
        combined.append(h.value);
    }
    return is_structured_dictionary(combined);
}

}  // namespace larder::http
