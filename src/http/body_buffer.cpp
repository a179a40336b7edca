#include "larder/http/body_buffer.hpp"

#include <algorithm>
#include <cerrno>

namespace larder::http {

namespace {
// The first allocation for a body kept in memory: small forms cost little.
constexpr std::size_t kInitialCapacity = 4 * 1024;
// Memory kept between requests on one connection; a larger string is released by clear().
constexpr std::size_t kKeepCapacity = 4 * 1024;
}  // namespace

BodyBuffer::BodyBuffer(SpoolSettings settings) : settings_(std::move(settings)) {
    if (settings_.directory.empty()) settings_.directory = default_spool_directory();
}

bool BodyBuffer::append(std::string_view bytes) {
    if (bytes.empty()) return true;
    if (spooled()) {
        return file_.append(bytes) || failed();
    }
    const std::size_t needed = memory_.size() + bytes.size();
    if (needed > settings_.memory_limit) return spool(bytes);
    if (needed > memory_.capacity()) {
        // Doubling, capped at the limit: the memory never holds more than memory_limit.
        std::size_t grown = std::max({needed, memory_.capacity() * 2, kInitialCapacity});
        memory_.reserve(std::min(grown, std::max(settings_.memory_limit, needed)));
    }
    memory_.append(bytes);
    return true;
}

bool BodyBuffer::spool(std::string_view more) {
    if (!file_.create(settings_.directory) || !file_.append(memory_) || !file_.append(more))
        return failed();
    std::string().swap(memory_);
    return true;
}

bool BodyBuffer::failed() {
    last_error_ = errno;
    clear();
    return false;
}

void BodyBuffer::clear() {
    file_.close();
    memory_.clear();
    if (memory_.capacity() > kKeepCapacity) std::string().swap(memory_);
}

BodyView BodyBuffer::view() const {
    if (spooled()) return BodyView(file_.fd(), file_.size());
    return BodyView(std::string_view(memory_));
}

}  // namespace larder::http
