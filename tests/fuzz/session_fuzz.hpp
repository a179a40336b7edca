// The body shared by the Flask and Django session fuzz targets: one reader type, one cookie
// writer, four ways to use the input (its first byte chooses; the rest is the cookie or payload):
// 0: the bytes as a cookie value, to a reader without a key (it decodes whatever it is given)
//    and one with a key: when the keyed reader accepts the cookie, both give the same verdict;
// 1, 2: the bytes as a JSON payload, signed with the key by the fuzz targets' own writer (2:
//    zlib-compressed first): the keyed reader's verdict is verdict_from_payload() of the bytes,
//    so decoding undoes exactly what the framework wrote;
// 3: the same payload signed with another key: the keyed reader says Invalid.
// Every verdict is one of the four states; Personal names one of the configured personal keys.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "larder/rules/session_verdict.hpp"

namespace larder::fuzz {

template <class Reader, class Config>
void check_verdict(const rules::SessionVerdict& v, const Config& config) {
    using rules::SessionState;
    FUZZ_CHECK(v.state == SessionState::Anonymous || v.state == SessionState::User ||
               v.state == SessionState::Personal || v.state == SessionState::Invalid);
    if (v.state == SessionState::Personal)
        FUZZ_CHECK(std::find(config.personal_keys.begin(), config.personal_keys.end(),
                             v.personal_key) != config.personal_keys.end());
    else
        FUZZ_CHECK(v.personal_key.empty());
}

// `write(json, compressed, secret)` makes a cookie value the way the framework does.
template <class Reader, class Config, class Writer>
void fuzz_session(const std::uint8_t* data, std::size_t size, const Config& keyed_config,
                  const Config& unkeyed_config, Writer write) {
    using rules::SessionState;
    static const Reader keyed(keyed_config);
    static const Reader unkeyed(unkeyed_config);
    if (size == 0) return;
    const unsigned mode = data[0] % 4;
    const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (mode == 0) {
        auto with_key = keyed.inspect(bytes);
        auto without_key = unkeyed.inspect(bytes);
        check_verdict<Reader>(with_key, keyed_config);
        check_verdict<Reader>(without_key, unkeyed_config);
        if (bytes.empty()) FUZZ_CHECK(with_key.state == SessionState::Anonymous);
        if (with_key.state != SessionState::Invalid) {
            FUZZ_CHECK(without_key.state == with_key.state);
            FUZZ_CHECK(without_key.personal_key == with_key.personal_key);
        }
        return;
    }
    const std::string& secret = *keyed_config.secret_key;
    std::string cookie = write(bytes, mode == 2, mode == 3 ? "another-" + secret : secret);
    auto verdict = keyed.inspect(cookie);
    check_verdict<Reader>(verdict, keyed_config);
    if (mode == 3) {
        FUZZ_CHECK(verdict.state == SessionState::Invalid);
        return;
    }
    auto expected =
        rules::verdict_from_payload(bytes, keyed_config.user_key, keyed_config.personal_keys);
    if (bytes.empty()) expected = {SessionState::Invalid, {}};  // no payload: unreadable
    FUZZ_CHECK(verdict.state == expected.state);
    FUZZ_CHECK(verdict.personal_key == expected.personal_key);
}

}  // namespace larder::fuzz
