#include "larder/http/body.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace larder::http {

std::optional<std::size_t> BodyView::read(std::uint64_t offset, std::span<char> out) const {
    if (offset >= size_ || out.empty()) return 0;
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - offset));
    if (in_memory()) {
        std::copy_n(memory_.data() + offset, want, out.data());
        return want;
    }
    for (;;) {
        ssize_t n = ::pread(fd_, out.data(), want, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::nullopt;
        if (n == 0) {  // shorter than recorded: the file is not what was written
            errno = EIO;
            return std::nullopt;
        }
        return static_cast<std::size_t>(n);
    }
}

std::optional<std::string> BodyView::to_string() const {
    if (in_memory()) return std::string(memory_);
    std::string out(static_cast<std::size_t>(size_), '\0');
    std::uint64_t done = 0;
    while (done < size_) {
        auto n = read(done, std::span(out.data() + done, out.size() - done));
        if (!n) return std::nullopt;
        done += *n;
    }
    return out;
}

}  // namespace larder::http
