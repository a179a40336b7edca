// keep_restart_only_settings(): which changed settings a reload cannot apply, reported by key
// and reset to their running values; everything else is left as the new file says.
#include <gtest/gtest.h>

#include "larder/config/loader.hpp"
#include "larder/server/reloader.hpp"

namespace larder::server {
namespace {

config::Config load(std::string_view extra) {
    std::string text = "[[upstream.servers]]\naddress = \"127.0.0.1:8000\"\n";
    text += extra;
    return config::load_string(text, "test.toml");
}

TEST(KeepRestartOnlySettings, NothingChangedReportsNothing) {
    config::Config running = load("[server]\nworkers = 2\n");
    config::Config next = load("[server]\nworkers = 2\n");
    EXPECT_TRUE(keep_restart_only_settings(running, next).empty());
}

TEST(KeepRestartOnlySettings, RestartOnlyKeysAreReportedAndKept) {
    config::Config running = load("[server]\nworkers = 2\n[cache]\nmax_size = \"64MiB\"\n");
    config::Config next = load(
        "[server]\nworkers = 4\nkeepalive_timeout = \"5s\"\n[cache]\nmax_size = \"1GiB\"\n"
        "grace = \"1m\"\n[admin]\nlisten = [\"127.0.0.1:9999\"]\n[log]\nerror = \"stdout\"\n");
    auto changed = keep_restart_only_settings(running, next);
    EXPECT_EQ(changed,
              (std::vector<std::string>{"server.workers", "cache.max_size", "log.error", "admin"}));
    EXPECT_EQ(next.server.workers, 2u);
    EXPECT_EQ(next.cache.max_size, 64 * config::MiB);
    EXPECT_EQ(next.admin, running.admin);
    EXPECT_EQ(next.log.error, running.log.error);
    // What a reload applies stays as the new file says.
    EXPECT_EQ(next.server.keepalive_timeout, std::chrono::seconds(5));
    EXPECT_EQ(next.cache.grace, std::chrono::minutes(1));
}

TEST(ReloadError, NamesAreStable) {
    EXPECT_EQ(to_string(ReloadError::None), "none");
    EXPECT_EQ(to_string(ReloadError::InvalidConfig), "invalid_config");
    EXPECT_EQ(to_string(ReloadError::CannotApply), "cannot_apply");
    EXPECT_EQ(to_string(ReloadError::CannotListen), "cannot_listen");
    EXPECT_EQ(to_string(ReloadError::Stopping), "stopping");
}

}  // namespace
}  // namespace larder::server
