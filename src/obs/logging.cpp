#include "larder/obs/logging.hpp"

#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace larder::obs {

namespace {
spdlog::sink_ptr make_sink(const std::string& target) {
    if (target == "stdout") return std::make_shared<spdlog::sinks::stdout_sink_mt>();
    if (target == "stderr") return std::make_shared<spdlog::sinks::stderr_sink_mt>();
    return std::make_shared<spdlog::sinks::basic_file_sink_mt>(target);
}
}  // namespace

void init_error_log(const std::string& target, const std::string& level) {
    auto logger = std::make_shared<spdlog::logger>("larder", make_sink(target));
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%t] %v");
    logger->set_level(spdlog::level::from_str(level));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

std::shared_ptr<spdlog::logger> make_access_log(const std::string& target) {
    if (target == "off") return nullptr;
    // One logging thread for the daemon's life: a reload's new access log shares it (replacing
    // it would orphan the previous logger's lines still queued).
    if (!spdlog::thread_pool()) spdlog::init_thread_pool(64 * 1024, 1);
    auto logger =
        std::make_shared<spdlog::async_logger>("access", make_sink(target), spdlog::thread_pool(),
                                               spdlog::async_overflow_policy::overrun_oldest);
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::info);
    logger->flush_on(spdlog::level::info);
    return logger;
}

void shutdown_logging() {
    spdlog::shutdown();
}

}  // namespace larder::obs
