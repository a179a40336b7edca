// Logging setup: the error log (spdlog's default logger) and the access log (an async spdlog
// logger, so a request never waits on log I/O; when its queue is full the oldest lines are
// dropped rather than blocking a worker).
//
// Targets are "stdout", "stderr", "off" (access log only) or a file path.
#pragma once

#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace larder::obs {

// Sets up the error log. Throws std::runtime_error when the file cannot be opened.
void init_error_log(const std::string& target, const std::string& level);
// Returns the access logger, or nullptr for "off". Throws std::runtime_error on a bad file.
std::shared_ptr<spdlog::logger> make_access_log(const std::string& target);
// Flushes and stops the async logging thread; call once at exit.
void shutdown_logging();

}  // namespace larder::obs
