#include "larder/rules/json_scan.hpp"

#include <cstdint>

namespace larder::rules {

namespace {

class Scanner {
  public:
    explicit Scanner(std::string_view s) : s_(s) {}

    void skip_ws() {
        while (i_ < s_.size() &&
               (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
            ++i_;
    }
    bool at_end() const { return i_ >= s_.size(); }
    char peek() const { return at_end() ? '\0' : s_[i_]; }
    bool eat(char c) {
        if (peek() != c) return false;
        ++i_;
        return true;
    }

    // Reads a string starting at '"'; sets `equal` to whether its decoded text equals `key`.
    bool string(std::string_view key, bool& equal) {
        if (!eat('"')) return false;
        std::size_t matched = 0;
        equal = true;
        auto put = [&](unsigned char byte) {
            if (matched < key.size() && static_cast<unsigned char>(key[matched]) == byte)
                ++matched;
            else
                equal = false;
        };
        while (!at_end()) {
            unsigned char c = static_cast<unsigned char>(s_[i_++]);
            if (c == '"') {
                equal = equal && matched == key.size();
                return true;
            }
            if (c < 0x20) return false;
            if (c != '\\') {
                put(c);
                continue;
            }
            if (at_end()) return false;
            char e = s_[i_++];
            switch (e) {
                case '"':
                    put('"');
                    break;
                case '\\':
                    put('\\');
                    break;
                case '/':
                    put('/');
                    break;
                case 'b':
                    put('\b');
                    break;
                case 'f':
                    put('\f');
                    break;
                case 'n':
                    put('\n');
                    break;
                case 'r':
                    put('\r');
                    break;
                case 't':
                    put('\t');
                    break;
                case 'u': {
                    std::uint32_t cp = 0;
                    if (!hex4(cp)) return false;
                    if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(i_, 2) == "\\u") {
                        std::size_t save = i_;
                        i_ += 2;
                        std::uint32_t low = 0;
                        if (hex4(low) && low >= 0xDC00 && low <= 0xDFFF)
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        else
                            i_ = save;
                    }
                    utf8(cp, put);
                    break;
                }
                default:
                    return false;
            }
        }
        return false;
    }

    // Skips one value of any type.
    bool value() {
        skip_ws();
        char c = peek();
        bool unused = false;
        if (c == '"') return string({}, unused);
        if (c == '{' || c == '[') return container();
        std::size_t start = i_;
        while (!at_end()) {
            char d = s_[i_];
            bool number =
                (d >= '0' && d <= '9') || d == '-' || d == '+' || d == '.' || d == 'e' || d == 'E';
            bool letter = d >= 'a' && d <= 'z';
            if (!number && !letter) break;
            ++i_;
        }
        std::string_view token = s_.substr(start, i_ - start);
        if (token.empty()) return false;
        if (token[0] >= 'a' && token[0] <= 'z')
            return token == "true" || token == "false" || token == "null";
        return true;
    }

  private:
    // Skips a nested object or array starting at '{' or '['; tracks the bracket kinds in a bit
    // stack so "{]" is rejected.
    bool container() {
        std::uint64_t stack = 0;  // bit set = object
        int depth = 0;
        while (!at_end()) {
            char c = s_[i_];
            if (c == '"') {
                bool unused = false;
                if (!string({}, unused)) return false;
                continue;
            }
            ++i_;
            if (c == '{' || c == '[') {
                if (depth == 64) return false;
                stack = (stack << 1) | (c == '{' ? 1u : 0u);
                ++depth;
            } else if (c == '}' || c == ']') {
                if (depth == 0 || ((stack & 1u) != 0) != (c == '}')) return false;
                stack >>= 1;
                if (--depth == 0) return true;
            }
        }
        return false;
    }

    bool hex4(std::uint32_t& out) {
        if (s_.size() - i_ < 4) return false;
        out = 0;
        for (int k = 0; k < 4; ++k) {
            char h = s_[i_++];
            int v = (h >= '0' && h <= '9')   ? h - '0'
                    : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                    : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                             : -1;
            if (v < 0) return false;
            out = out * 16 + static_cast<std::uint32_t>(v);
        }
        return true;
    }

    template <typename Put>
    static void utf8(std::uint32_t cp, Put& put) {
        if (cp < 0x80) {
            put(static_cast<unsigned char>(cp));
        } else if (cp < 0x800) {
            put(static_cast<unsigned char>(0xC0 | (cp >> 6)));
            put(static_cast<unsigned char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            put(static_cast<unsigned char>(0xE0 | (cp >> 12)));
            put(static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F)));
            put(static_cast<unsigned char>(0x80 | (cp & 0x3F)));
        } else {
            put(static_cast<unsigned char>(0xF0 | (cp >> 18)));
            put(static_cast<unsigned char>(0x80 | ((cp >> 12) & 0x3F)));
            put(static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F)));
            put(static_cast<unsigned char>(0x80 | (cp & 0x3F)));
        }
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

}  // namespace

JsonKeyScan json_object_has_key(std::string_view json, std::string_view key) {
    Scanner sc(json);
    sc.skip_ws();
    if (!sc.eat('{')) return JsonKeyScan::Invalid;
    sc.skip_ws();
    if (!sc.eat('}')) {
        while (true) {
            sc.skip_ws();
            bool equal = false;
            if (!sc.string(key, equal)) return JsonKeyScan::Invalid;
            sc.skip_ws();
            if (!sc.eat(':')) return JsonKeyScan::Invalid;
            if (equal) return JsonKeyScan::Found;
            if (!sc.value()) return JsonKeyScan::Invalid;
            sc.skip_ws();
            if (sc.eat(',')) continue;
            if (sc.eat('}')) break;
            return JsonKeyScan::Invalid;
        }
    }
    sc.skip_ws();
    return sc.at_end() ? JsonKeyScan::NotFound : JsonKeyScan::Invalid;
}

}  // namespace larder::rules
