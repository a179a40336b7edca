// Fuzz target: the config loader (config::load_string) on arbitrary text.
//
// Invariants: any input either loads or throws config::ConfigError, never anything else and
// never a crash; the error names the source and says what was wrong (line and column when there
// is a position). A config that loads also lints (config::lint) and compiles into the rule set
// the daemon builds at start-up (rules::RuleSet, with its Identity): the loader validates
// everything those need, so neither throws.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "larder/config/lint.hpp"
#include "larder/config/loader.hpp"
#include "larder/rules/ruleset.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace larder;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::string source = "fuzz.toml";
    config::Config loaded;
    try {
        loaded = config::load_string(text, source);
    } catch (const config::ConfigError& e) {
        FUZZ_CHECK(e.file() == source);
        FUZZ_CHECK(!e.problem().empty());
        FUZZ_CHECK(e.line() >= 0 && e.column() >= 0);
        FUZZ_CHECK(std::string_view(e.what()).starts_with(source));
        return 0;
    }
    FUZZ_CHECK(!loaded.upstream.servers.empty());
    (void)config::lint(loaded);
    rules::RuleSet rules(loaded);  // an exception here escapes: libFuzzer reports it
    return 0;
}
