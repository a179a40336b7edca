// [compression]: defaults, every key read, and errors that name file, line and key.
#include <gtest/gtest.h>

#include "config_test_util.hpp"

namespace larder::config {
namespace {

using testing::error_of;
using testing::with_upstream;

TEST(CompressionSection, Defaults) {
    const Config c = load_string(with_upstream(""));
    EXPECT_TRUE(c.compression.enabled);
    EXPECT_EQ(c.compression.min_size, 1024u);
    EXPECT_EQ(c.compression.gzip_level, 6);
    EXPECT_EQ(c.compression.brotli_quality, 5);
    EXPECT_EQ(c.compression.threads, 1u);
    EXPECT_FALSE(c.compression.pass);
    EXPECT_NE(std::find(c.compression.types.begin(), c.compression.types.end(), "text/*"),
              c.compression.types.end());
}

TEST(CompressionSection, EveryKeyRead) {
    const Config c = load_string(with_upstream(R"(
[compression]
enabled = false
types = ["text/html", "application/*+json"]
min_size = "4KiB"
gzip_level = 9
brotli_quality = 11
threads = 0
pass = true
)"));
    EXPECT_FALSE(c.compression.enabled);
    EXPECT_EQ(c.compression.types, (std::vector<std::string>{"text/html", "application/*+json"}));
    EXPECT_EQ(c.compression.min_size, 4096u);
    EXPECT_EQ(c.compression.gzip_level, 9);
    EXPECT_EQ(c.compression.brotli_quality, 11);
    EXPECT_EQ(c.compression.threads, 0u);
    EXPECT_TRUE(c.compression.pass);
    // A lone string is a one-element list.
    EXPECT_EQ(load_string(with_upstream("[compression]\ntypes = \"text/css\"\n")).compression.types,
              (std::vector<std::string>{"text/css"}));
}

TEST(CompressionSection, ErrorsNameFileLineAndKey) {
    ConfigError level = error_of(with_upstream("[compression]\n\ngzip_level = 10\n"));
    EXPECT_EQ(level.line(), 5);
    EXPECT_EQ(level.key(), "compression.gzip_level");
    EXPECT_NE(std::string(level.what()).find("test.toml:5"), std::string::npos) << level.what();
    EXPECT_NE(std::string(level.what()).find("from 1 to 9"), std::string::npos) << level.what();

    EXPECT_EQ(error_of(with_upstream("[compression]\nbrotli_quality = 12\n")).key(),
              "compression.brotli_quality");
    EXPECT_EQ(error_of(with_upstream("[compression]\nthreads = -1\n")).key(),
              "compression.threads");
    EXPECT_EQ(error_of(with_upstream("[compression]\nenabled = \"yes\"\n")).key(),
              "compression.enabled");
    EXPECT_EQ(error_of(with_upstream("[compression]\nmin_size = \"big\"\n")).key(),
              "compression.min_size");
    for (std::string bad : {"\"text\"", "\"Text/HTML\"", "\"text/*/*\"", "\"*/*+*\"",
                            "\"text/ html\"", "\"/json\""}) {
        ConfigError e =
            error_of(with_upstream("[compression]\ntypes = [\"text/css\", " + bad + "]\n"));
        EXPECT_EQ(e.key(), "compression.types[1]") << bad << ": " << e.what();
    }
    ConfigError unknown = error_of(with_upstream("[compression]\ngzip_levle = 5\n"));
    EXPECT_NE(std::string(unknown.what()).find("gzip_level"), std::string::npos)
        << unknown.what();  // the suggestion
}

}  // namespace
}  // namespace larder::config
