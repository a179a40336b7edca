#include "larder/rules/regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>
#include <utility>

namespace larder::rules {

namespace {

// One match data block per thread, large enough for the whole-match pair: search() only needs
// to know whether there was a match (pcre2_match returns 0, still a match, if it is too small).
struct ThreadMatchData {
    pcre2_match_data* data = nullptr;
    ~ThreadMatchData() { pcre2_match_data_free(data); }
    pcre2_match_data* get() {
        if (!data) data = pcre2_match_data_create(1, nullptr);
        return data;
    }
};

thread_local ThreadMatchData tl_match_data;

}  // namespace

Regex::Regex(std::string_view pattern) : pattern_(pattern) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern_.data()), pattern_.size(), 0, &error,
                          &offset, nullptr);
    if (!code_) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(error, message, sizeof message);
        throw std::invalid_argument("regex \"" + pattern_ +
                                    "\": " + reinterpret_cast<const char*>(message) +
                                    " at offset " + std::to_string(offset));
    }
    // Without JIT support pcre2_match falls back to the interpreter: slower, still correct.
    jit_ = pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE) == 0;
}

Regex::~Regex() {
    pcre2_code_free(code_);
}

Regex::Regex(Regex&& other) noexcept
    : pattern_(std::move(other.pattern_)),
      code_(std::exchange(other.code_, nullptr)),
      jit_(other.jit_) {}

Regex& Regex::operator=(Regex&& other) noexcept {
    if (this != &other) {
        pcre2_code_free(code_);
        pattern_ = std::move(other.pattern_);
        code_ = std::exchange(other.code_, nullptr);
        jit_ = other.jit_;
    }
    return *this;
}

bool Regex::search(std::string_view subject) const {
    static constexpr char kEmpty[] = "";
    const char* data = subject.empty() ? kEmpty : subject.data();
    pcre2_match_data* md = tl_match_data.get();
    if (!md) return false;
    int rc =
        pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(data), subject.size(), 0, 0, md, nullptr);
    return rc >= 0;
}

}  // namespace larder::rules
