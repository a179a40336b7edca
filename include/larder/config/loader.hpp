// Loading and validating a TOML config file into config::Config.
//
// Every mistake is reported as a ConfigError naming the file, line, column, the dotted key and
// what was expected ("larder.toml:12:1: server.max_header_size: expected a size such as \"16KiB\",
// got \"lots\""). Unknown keys are errors (they are nearly always typos), so is a config with no
// upstream server. This is the only module that includes toml++.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "larder/config/config.hpp"

namespace larder::config {

class ConfigError : public std::runtime_error {
  public:
    ConfigError(std::string file, int line, int column, std::string key, std::string what);
    const std::string& file() const { return file_; }
    int line() const { return line_; }
    int column() const { return column_; }
    const std::string& key() const { return key_; }
    const std::string& problem() const { return problem_; }

  private:
    std::string file_;
    int line_;
    int column_;
    std::string key_;
    std::string problem_;
};

// Reads and validates `path`. Throws ConfigError.
Config load_file(const std::string& path);
// Parses TOML text; `source_name` is used in messages. Throws ConfigError.
Config load_string(std::string_view toml, const std::string& source_name = "<string>");

// "16KiB", "1MiB", "512", "2GB" -> bytes. nullopt when malformed.
std::optional<std::size_t> parse_size(std::string_view text);
// "90s", "250ms", "5m", "1h", "2d" -> milliseconds. nullopt when malformed.
std::optional<Duration> parse_duration(std::string_view text);
// "127.0.0.1:8080", "[::1]:80", "localhost:8000" -> HostPort. nullopt when malformed.
std::optional<HostPort> parse_host_port(std::string_view text);

}  // namespace larder::config
