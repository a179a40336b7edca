// http::SpoolFile: an unlinked temporary file that holds one request body too large for memory.
//
// create() opens the file in a directory (O_TMPFILE, so it never has a name; where the file system
// does not support that, mkstemp() then unlink() at once), so nothing is left on disk whatever
// happens to the process: the kernel frees the space when the descriptor closes. The descriptor
// is owned: the destructor and close() release it, so a body dropped on any path (client gone,
// 413, timeout, app error) closes its file. Reads are positional (pread), so a body can be read
// again from the start (a request re-sent upstream) without a shared file offset.
//
// Invariants: fd() >= 0 exactly while the file is open; size() is the bytes appended since
// create(). Calls are blocking file I/O on the calling thread (the page cache absorbs them; the
// same trade-off nginx makes with client_body_temp_path).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace larder::http {

// Where spool files go when no directory is configured: $TMPDIR when it is an absolute path, else
// /tmp.
std::string default_spool_directory();

class SpoolFile {
  public:
    SpoolFile() = default;
    ~SpoolFile();
    SpoolFile(SpoolFile&& other) noexcept;
    SpoolFile& operator=(SpoolFile&& other) noexcept;
    SpoolFile(const SpoolFile&) = delete;
    SpoolFile& operator=(const SpoolFile&) = delete;

    // Opens a new, empty, unnamed file in `directory`. False (errno set) when it cannot.
    bool create(const std::string& directory);
    // Writes all of `bytes` at the end. False (errno set) on a short or failed write.
    bool append(std::string_view bytes);
    void close();

    bool is_open() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    std::uint64_t size() const { return size_; }

  private:
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

// Creates and drops one spool file in `directory`: nullopt when that works, else why not
// ("cannot create a temporary file in /x: Permission denied"). Start-up calls it, so a bad
// directory stops the daemon instead of failing the first large upload.
std::optional<std::string> spool_directory_problem(const std::string& directory);

}  // namespace larder::http
