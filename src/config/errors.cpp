// ConfigError: formats "FILE:LINE:COLUMN: KEY: PROBLEM" once, at construction, so what() is cheap
// and the parts stay available to callers and tests. A zero line means "no position" (a file that
// cannot be read) and an empty key means "not about one key" (a TOML syntax error).
#include <utility>

#include "larder/config/loader.hpp"

namespace larder::config {

namespace {

std::string format(const std::string& file, int line, int column, const std::string& key,
                   const std::string& problem) {
    std::string out = file;
    if (line > 0) {
        out += ':' + std::to_string(line) + ':' + std::to_string(column);
    }
    out += ": ";
    if (!key.empty()) {
        out += key + ": ";
    }
    out += problem;
    return out;
}

}  // namespace

ConfigError::ConfigError(std::string file, int line, int column, std::string key, std::string what)
    : std::runtime_error(format(file, line, column, key, what)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_(std::move(key)),
      problem_(std::move(what)) {}

}  // namespace larder::config
