// rules::Regex: a PCRE2 pattern compiled once (with JIT when the platform supports it) and
// searched from many threads at once.
//
// Invariants: the compiled code is immutable after construction and shared by all threads; the
// match data lives in a thread_local block created on a thread's first match, so search() never
// locks and, after that first call, never allocates. search() is unanchored (like Varnish's `~`);
// anchor with ^ and $ in the pattern. Subjects are bytes: no UTF mode, no UTF validity checks.
// A match-limit or other matching error counts as "no match".
#pragma once

#include <string>
#include <string_view>

struct pcre2_real_code_8;

namespace larder::rules {

class Regex {
  public:
    // Throws std::invalid_argument with PCRE2's message and the offset of the error.
    explicit Regex(std::string_view pattern);
    ~Regex();
    Regex(Regex&& other) noexcept;
    Regex& operator=(Regex&& other) noexcept;
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

    bool search(std::string_view subject) const;
    const std::string& pattern() const { return pattern_; }
    bool jit() const { return jit_; }

  private:
    std::string pattern_;
    pcre2_real_code_8* code_ = nullptr;
    bool jit_ = false;
};

}  // namespace larder::rules
