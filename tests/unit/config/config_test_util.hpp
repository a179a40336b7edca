// Helpers for the config tests: load TOML text that must fail and hand back the ConfigError.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "larder/config/loader.hpp"

namespace larder::config::testing {

// The smallest valid config; tests append the section under test.
inline constexpr std::string_view kUpstream =
    "[[upstream.servers]]\naddress = \"127.0.0.1:8000\"\n";

inline std::string with_upstream(std::string_view body) {
    return std::string(kUpstream) + std::string(body);
}

// Loads `text` as "test.toml", expecting a ConfigError; returns it (or a placeholder after
// recording a failure).
inline ConfigError error_of(std::string_view text) {
    try {
        load_string(text, "test.toml");
    } catch (const ConfigError& e) {
        return e;
    }
    ADD_FAILURE() << "expected a ConfigError for:\n" << text;
    return ConfigError("none", 0, 0, "", "no error");
}

inline std::string data_path(std::string_view name) {
    return std::string(LARDER_TEST_DATA) + "/config/" + std::string(name);
}

}  // namespace larder::config::testing
