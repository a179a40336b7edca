#include "larder/obs/request_id.hpp"

#include <random>

namespace larder::obs {

namespace {
void write_hex(char* out, std::uint64_t value) {
    constexpr char kDigits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
        out[i] = kDigits[value & 0xf];
        value >>= 4;
    }
}

std::uint64_t random_prefix() {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}
}  // namespace

bool acceptable_request_id(std::string_view id) {
    if (id.empty() || id.size() > kMaxRequestIdLength) return false;
    for (unsigned char c : id)
        if (c < 0x21 || c > 0x7e) return false;
    return true;
}

RequestIds::RequestIds() : prefix_(random_prefix()) {}

RequestIds::Id RequestIds::next() {
    Id id;
    write_hex(id.text.data(), prefix_);
    write_hex(id.text.data() + 16, ++counter_);
    return id;
}

}  // namespace larder::obs
