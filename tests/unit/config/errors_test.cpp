// Every kind of mistake outside [[rules]] yields "FILE:LINE:COLUMN: KEY: PROBLEM" with the right
// position. The upstream lines that with_upstream() prepends are lines 1-2, so bodies start on 3.
#include <gtest/gtest.h>

#include "config_test_util.hpp"

namespace larder::config {
namespace {

using testing::error_of;
using testing::with_upstream;

TEST(ConfigErrors, PartsAreAvailableSeparately) {
    const ConfigError e = error_of(with_upstream("[server]\nmax_header_size = \"lots\"\n"));
    EXPECT_EQ(e.file(), "test.toml");
    EXPECT_EQ(e.line(), 4);
    EXPECT_EQ(e.column(), 1);
    EXPECT_EQ(e.key(), "server.max_header_size");
    EXPECT_EQ(e.problem(), "expected a size such as \"16KiB\", got \"lots\"");
    EXPECT_STREQ(e.what(),
                 "test.toml:4:1: server.max_header_size: expected a size such as \"16KiB\", got "
                 "\"lots\"");
}

TEST(ConfigErrors, UnknownKeySuggestsTheClosest) {
    EXPECT_STREQ(error_of(with_upstream("[server]\nlistn = \"127.0.0.1:1\"\n")).what(),
                 "test.toml:4:1: server.listn: unknown key (did you mean \"listen\"?)");
    EXPECT_STREQ(error_of(with_upstream("[server]\nfrobnicate = 1\n")).what(),
                 "test.toml:4:1: server.frobnicate: unknown key");
    EXPECT_STREQ(error_of(with_upstream("[sever]\nlisten = \"127.0.0.1:1\"\n")).what(),
                 "test.toml:3:2: sever: unknown key (did you mean \"server\"?)");
    EXPECT_STREQ(error_of("[[upstream.server]]\naddress = \"a:1\"\n").what(),
                 "test.toml:1:12: upstream.server: unknown key (did you mean \"servers\"?)");
    EXPECT_STREQ(error_of(with_upstream("[identity]\nflask_session = { cokie = \"s\" }\n")).what(),
                 "test.toml:4:19: identity.flask_session.cokie: unknown key (did you mean "
                 "\"cookie\"?)");
}

TEST(ConfigErrors, BodyTempDirMustBeAnAbsolutePath) {
    EXPECT_STREQ(error_of(with_upstream("[server]\nbody_temp_dir = \"spool\"\n")).what(),
                 "test.toml:4:1: server.body_temp_dir: expected an absolute directory path, got "
                 "\"spool\"");
    EXPECT_STREQ(error_of(with_upstream("[server]\nbody_temp_dir = \"\"\n")).what(),
                 "test.toml:4:1: server.body_temp_dir: must not be empty");
    EXPECT_STREQ(error_of(with_upstream("[server]\nbody_buffer_size = \"lots\"\n")).what(),
                 "test.toml:4:1: server.body_buffer_size: expected a size such as \"16KiB\", "
                 "got \"lots\"");
}

TEST(ConfigErrors, UnknownKeyReportedInFileOrder) {
    EXPECT_STREQ(error_of(with_upstream("[log]\nzzz = 1\naaa = 2\n")).what(),
                 "test.toml:4:1: log.zzz: unknown key");
}

TEST(ConfigErrors, WrongType) {
    EXPECT_STREQ(error_of(with_upstream("[server]\ndebug_headers = \"yes\"\n")).what(),
                 "test.toml:4:1: server.debug_headers: expected true or false, got \"yes\"");
    EXPECT_STREQ(error_of(with_upstream("[log]\naccess = 1\n")).what(),
                 "test.toml:4:1: log.access: expected a string, got an integer");
    EXPECT_STREQ(error_of(with_upstream("[server]\nworkers = \"4\"\n")).what(),
                 "test.toml:4:1: server.workers: expected an integer, got \"4\"");
    // Before any table header: after one, it would be a key of that table.
    EXPECT_STREQ(error_of("server = 5\n" + with_upstream("")).what(),
                 "test.toml:1:1: server: expected a table, got 5");
    EXPECT_STREQ(error_of(with_upstream("[cache]\ndrop_query = \"utm_*\"\n")).what(),
                 "test.toml:4:1: cache.drop_query: expected an array of strings, got \"utm_*\"");
    EXPECT_STREQ(error_of(with_upstream("[identity]\ncookies = [\"a\", 2]\n")).what(),
                 "test.toml:4:17: identity.cookies[1]: expected a string, got 2");
    EXPECT_STREQ(error_of("upstream = { servers = 1 }\n").what(),
                 "test.toml:1:14: upstream.servers: expected an array of tables "
                 "([[upstream.servers]]), got an integer");
}

TEST(ConfigErrors, BadValues) {
    EXPECT_STREQ(error_of(with_upstream("[server]\nworkers = -1\n")).what(),
                 "test.toml:4:1: server.workers: expected an integer from 0 to 1024, got -1");
    EXPECT_STREQ(error_of(with_upstream("[server]\nmax_connections = 0\n")).what(),
                 "test.toml:4:1: server.max_connections: expected an integer from 1 to 10000000, "
                 "got 0");
    EXPECT_STREQ(error_of(with_upstream("[upstream]\nbuffer_size = -5\n")).what(),
                 "test.toml:4:1: upstream.buffer_size: expected a size such as \"16KiB\", got -5");
    EXPECT_STREQ(error_of(with_upstream("[cache]\nmax_size = \"0MiB\"\n")).what(),
                 "test.toml:4:1: cache.max_size: must be greater than zero");
    EXPECT_STREQ(error_of(with_upstream("[cache]\nmax_size = \"1MiB\"\nmax_object_size = "
                                        "\"2MiB\"\n"))
                     .what(),
                 "test.toml:5:1: cache.max_object_size: must not be larger than cache.max_size "
                 "(1048576 bytes)");
    EXPECT_STREQ(error_of(with_upstream("[cache]\ndefault = \"always\"\n")).what(),
                 "test.toml:4:1: cache.default: expected \"pass\" or \"http\", got \"always\"");
    EXPECT_STREQ(error_of(with_upstream("[cache]\ncacheable_status = [200, 99]\n")).what(),
                 "test.toml:4:26: cache.cacheable_status[1]: expected an HTTP status code from "
                 "100 to 599, got 99");
    EXPECT_STREQ(error_of(with_upstream("[cache]\nsnapshot = \"\"\n")).what(),
                 "test.toml:4:1: cache.snapshot: must not be empty");
    EXPECT_STREQ(error_of(with_upstream("[cache]\nsnapshot = \"/var/lib/larder/\"\n")).what(),
                 "test.toml:4:1: cache.snapshot: expected the path of a file (such as "
                 "\"/var/lib/larder/cache.snapshot\"), got the directory \"/var/lib/larder/\"");
    EXPECT_STREQ(error_of(with_upstream("[cache]\nsnapshot_interval = \"5m\"\n")).what(),
                 "test.toml:4:1: cache.snapshot_interval: needs cache.snapshot, the file to write");
    EXPECT_STREQ(error_of(with_upstream("[cache]\nsnapshot = \"/s\"\nsnapshot_interval = "
                                        "\"10ms\"\n"))
                     .what(),
                 "test.toml:5:1: cache.snapshot_interval: expected 0 (off) or at least \"1s\"");
    EXPECT_STREQ(error_of(with_upstream("[log]\nlevel = \"loud\"\n")).what(),
                 "test.toml:4:1: log.level: expected one of trace, debug, info, warn, error, "
                 "critical, off, got \"loud\"");
    EXPECT_STREQ(error_of(with_upstream("[log]\nformat = \"combined\"\n")).what(),
                 "test.toml:4:1: log.format: expected \"text\" or \"json\", got \"combined\"");
    EXPECT_STREQ(error_of(with_upstream("[log]\nerror = \"\"\n")).what(),
                 "test.toml:4:1: log.error: must not be empty");
}

TEST(ConfigErrors, BadDuration) {
    EXPECT_STREQ(error_of(with_upstream("[server]\nsend_timeout = \"soon\"\n")).what(),
                 "test.toml:4:1: server.send_timeout: expected a duration such as \"90s\" or "
                 "\"250ms\", got \"soon\"");
    EXPECT_STREQ(error_of(with_upstream("[server]\n  keepalive_timeout = 1.5\n")).what(),
                 "test.toml:4:3: server.keepalive_timeout: expected a duration such as \"90s\" or "
                 "\"250ms\", got 1.5");
    EXPECT_STREQ(error_of(with_upstream("[upstream]\nidle_timeout = \"0s\"\n")).what(),
                 "test.toml:4:1: upstream.idle_timeout: must be greater than zero");
}

TEST(ConfigErrors, BadAddress) {
    EXPECT_STREQ(error_of(with_upstream("[server]\nlisten = \"localhost\"\n")).what(),
                 "test.toml:4:1: server.listen: expected \"host:port\" such as \"127.0.0.1:8080\" "
                 "or \"[::1]:8080\", got \"localhost\"");
    EXPECT_STREQ(
        error_of(with_upstream("[server]\nlisten = [\"127.0.0.1:80\", \"::1:80\"]\n")).what(),
        "test.toml:4:27: server.listen[1]: expected \"host:port\" such as "
        "\"127.0.0.1:8080\" or \"[::1]:8080\", got \"::1:80\"");
    EXPECT_STREQ(error_of(with_upstream("[server]\nlisten = []\n")).what(),
                 "test.toml:4:1: server.listen: must list at least one address");
    EXPECT_STREQ(error_of("[[upstream.servers]]\naddress = \"127.0.0.1:0\"\n").what(),
                 "test.toml:2:1: upstream.servers[0].address: port must be from 1 to 65535, got "
                 "\"127.0.0.1:0\"");
    EXPECT_STREQ(error_of("[[upstream.servers]]\naddress = \"a:1\"\n[[upstream.servers]]\n"
                          "address = \"a:99999\"\n")
                     .what(),
                 "test.toml:4:1: upstream.servers[1].address: expected \"host:port\" such as "
                 "\"127.0.0.1:8080\" or \"[::1]:8080\", got \"a:99999\"");
    EXPECT_STREQ(error_of("[[upstream.servers]]\nweight = 2\n").what(),
                 "test.toml:1:1: upstream.servers[0].address: missing; every server needs an "
                 "address such as \"127.0.0.1:8000\"");
    EXPECT_STREQ(error_of("[[upstream.servers]]\naddress = \"a:1\"\nweight = 0\n").what(),
                 "test.toml:3:1: upstream.servers[0].weight: expected an integer from 1 to 1000, "
                 "got 0");
}

TEST(ConfigErrors, MissingUpstream) {
    const std::string problem =
        "upstream.servers: at least one [[upstream.servers]] with an address such as "
        "\"127.0.0.1:8000\" is required";
    EXPECT_EQ(error_of("[server]\nworkers = 2\n").what(), "test.toml:1:1: " + problem);
    EXPECT_EQ(error_of("").what(), "test.toml:1:1: " + problem);
    EXPECT_EQ(error_of("[upstream]\nbuffer_size = \"1MiB\"\n").what(), "test.toml:1:1: " + problem);
}

TEST(ConfigErrors, TomlSyntaxError) {
    const ConfigError e = error_of(with_upstream("[server]\nworkers = \n"));
    EXPECT_EQ(e.file(), "test.toml");
    EXPECT_EQ(e.line(), 4);
    EXPECT_EQ(e.column(), 11);
    EXPECT_EQ(e.key(), "");
    EXPECT_EQ(std::string(e.what()).rfind("test.toml:4:11: ", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find("expected value"), std::string::npos) << e.what();

    const ConfigError dup = error_of(with_upstream("[log]\nlevel = \"info\"\nlevel = \"off\"\n"));
    EXPECT_EQ(dup.line(), 5);
    EXPECT_NE(std::string(dup.what()).find("level"), std::string::npos) << dup.what();
}

TEST(ConfigErrors, MissingFile) {
    try {
        load_file(testing::data_path("no-such-file.toml"));
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.file(), testing::data_path("no-such-file.toml"));
        EXPECT_EQ(e.line(), 0);
        EXPECT_EQ(std::string(e.what()), testing::data_path("no-such-file.toml") +
                                             ": cannot read the file: No such file or directory");
    }
}

TEST(ConfigErrors, FromAFileNamesTheFile) {
    try {
        load_file(testing::data_path("typo.toml"));
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), testing::data_path("typo.toml") +
                                             ":7:1: cache.max_sise: unknown key (did you mean "
                                             "\"max_size\"?)");
    }
}

}  // namespace
}  // namespace larder::config
