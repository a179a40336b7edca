#include "larder/http/spool_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace larder::http {

namespace {
// O_TMPFILE is refused with one of these where the file system cannot do it (EOPNOTSUPP), or by
// kernels that predate it (EISDIR: they read it as O_DIRECTORY, EINVAL).
bool tmpfile_unsupported(int error) {
    return error == EOPNOTSUPP || error == EISDIR || error == EINVAL;
}

int open_named_then_unlink(const std::string& directory) {
    std::string path = directory;
    if (path.empty() || path.back() != '/') path.push_back('/');
    path += "larder-body-XXXXXX";
    int fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd < 0) return -1;
    if (::unlink(path.c_str()) != 0) {
        int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}
}  // namespace

std::string default_spool_directory() {
    const char* tmpdir = std::getenv("TMPDIR");
    if (tmpdir && tmpdir[0] == '/') return tmpdir;
    return "/tmp";
}

SpoolFile::~SpoolFile() {
    close();
}

SpoolFile::SpoolFile(SpoolFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(std::exchange(other.size_, 0)) {}

SpoolFile& SpoolFile::operator=(SpoolFile&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

bool SpoolFile::create(const std::string& directory) {
    close();
#ifdef O_TMPFILE
    fd_ = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0 && tmpfile_unsupported(errno)) fd_ = open_named_then_unlink(directory);
#else
    fd_ = open_named_then_unlink(directory);
#endif
    return fd_ >= 0;
}

bool SpoolFile::append(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) {  // no progress and no error: treat as a full disk
            errno = ENOSPC;
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
        size_ += static_cast<std::uint64_t>(n);
    }
    return true;
}

void SpoolFile::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    size_ = 0;
}

std::optional<std::string> spool_directory_problem(const std::string& directory) {
    SpoolFile probe;
    if (!probe.create(directory))
        return "cannot create a temporary file in " + directory + ": " + std::strerror(errno);
    if (!probe.append("x"))
        return "cannot write a temporary file in " + directory + ": " + std::strerror(errno);
    return std::nullopt;
}

}  // namespace larder::http
