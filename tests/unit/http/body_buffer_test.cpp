// The request body buffer: memory up to the threshold, an unlinked spool file past it; the body
// can be read again from the start (a retry); every path out closes the file.
//
// Open descriptors are counted in /proc/self/fd, and each test spools into its own fresh
// directory, which must stay empty (the files have no names).
#include "larder/http/body_buffer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

namespace larder::http {
namespace {

namespace fs = std::filesystem;

std::size_t open_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

std::string pattern(std::size_t n, unsigned seed = 1) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    return s;
}

struct BodyBufferTest : ::testing::Test {
    fs::path dir;
    std::size_t fds_before = 0;

    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "larder-body-test-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir = tmpl;
        fds_before = open_fds();
    }
    void TearDown() override { fs::remove_all(dir); }
    BodyBuffer make(std::size_t memory_limit) { return BodyBuffer({memory_limit, dir.string()}); }
    bool dir_is_empty() const { return fs::is_empty(dir); }
};

TEST_F(BodyBufferTest, SmallBodyStaysInMemory) {
    auto b = make(16);
    ASSERT_TRUE(b.append("hello "));
    ASSERT_TRUE(b.append("world"));
    EXPECT_FALSE(b.spooled());
    EXPECT_EQ(b.size(), 11u);
    BodyView v = b.view();
    EXPECT_TRUE(v.in_memory());
    EXPECT_EQ(v.memory(), "hello world");
    EXPECT_EQ(open_fds(), fds_before);
}

TEST_F(BodyBufferTest, ExactlyTheThresholdStaysInMemoryOneMoreByteSpools) {
    auto b = make(16);
    ASSERT_TRUE(b.append(std::string(10, 'a')));
    ASSERT_TRUE(b.append(std::string(6, 'b')));
    EXPECT_FALSE(b.spooled()) << "16 bytes with a 16-byte threshold";
    ASSERT_TRUE(b.append("c"));
    EXPECT_TRUE(b.spooled());
    EXPECT_EQ(b.size(), 17u);
    BodyView v = b.view();
    EXPECT_FALSE(v.in_memory());
    EXPECT_TRUE(v.memory().empty()) << "the memory is released once spooled";
    EXPECT_EQ(v.to_string().value(), std::string(10, 'a') + std::string(6, 'b') + "c");
    EXPECT_EQ(open_fds(), fds_before + 1);
    EXPECT_TRUE(dir_is_empty()) << "the spool file has no name";
}

TEST_F(BodyBufferTest, ZeroThresholdSpoolsEveryNonEmptyBody) {
    auto b = make(0);
    ASSERT_TRUE(b.append(""));
    EXPECT_FALSE(b.spooled()) << "an empty body opens no file";
    ASSERT_TRUE(b.append("x"));
    EXPECT_TRUE(b.spooled());
    EXPECT_EQ(b.view().to_string().value(), "x");
}

TEST_F(BodyBufferTest, LargeBodyInUnevenPiecesIsByteExact) {
    const std::string body = pattern(3 * 1024 * 1024 + 17);
    auto b = make(64 * 1024);
    std::mt19937 rng(7);
    for (std::size_t at = 0; at < body.size();) {
        std::size_t n = std::min<std::size_t>(1 + rng() % 70000, body.size() - at);
        ASSERT_TRUE(b.append(std::string_view(body).substr(at, n)));
        at += n;
    }
    EXPECT_TRUE(b.spooled());
    EXPECT_EQ(b.size(), body.size());
    EXPECT_EQ(b.view().to_string().value(), body);
}

TEST_F(BodyBufferTest, SpooledBodyCanBeReadAgainFromTheStart) {
    const std::string body = pattern(200'000, 3);
    auto b = make(1024);
    ASSERT_TRUE(b.append(body));
    const BodyView v = b.view();
    for (int attempt = 0; attempt < 2; ++attempt) {  // a send, then a retry
        std::string got;
        char piece[4096];
        for (std::uint64_t at = 0;;) {
            auto n = v.read(at, std::span(piece, sizeof piece));
            ASSERT_TRUE(n.has_value());
            if (*n == 0) break;
            got.append(piece, *n);
            at += *n;
        }
        EXPECT_EQ(got, body) << "attempt " << attempt;
    }
    // A copy of the view reads the same bytes (the pipeline copies the request's views).
    BodyView copy = v;
    char tail[10];
    auto n = copy.read(body.size() - 4, std::span(tail, sizeof tail));
    ASSERT_TRUE(n.has_value());
    EXPECT_EQ(std::string(tail, *n), body.substr(body.size() - 4));
    EXPECT_EQ(copy.read(body.size(), std::span(tail, sizeof tail)).value(), 0u);
}

TEST_F(BodyBufferTest, ReadsFromMemoryHonourOffsetsAndEnd) {
    auto b = make(64);
    ASSERT_TRUE(b.append("0123456789"));
    char out[4];
    EXPECT_EQ(b.view().read(8, std::span(out, sizeof out)).value(), 2u);
    EXPECT_EQ(std::string(out, 2), "89");
    EXPECT_EQ(b.view().read(10, std::span(out, sizeof out)).value(), 0u);
    EXPECT_EQ(b.view().read(99, std::span(out, sizeof out)).value(), 0u);
}

TEST_F(BodyBufferTest, ClearClosesTheFileAndStartsOver) {
    auto b = make(8);
    ASSERT_TRUE(b.append(pattern(100)));
    ASSERT_EQ(open_fds(), fds_before + 1);
    b.clear();
    EXPECT_EQ(open_fds(), fds_before);
    EXPECT_FALSE(b.spooled());
    EXPECT_EQ(b.size(), 0u);
    ASSERT_TRUE(b.append("abc"));
    EXPECT_EQ(b.view().memory(), "abc");
}

TEST_F(BodyBufferTest, DestructionClosesTheFile) {
    {
        auto b = make(8);
        ASSERT_TRUE(b.append(pattern(100)));
        ASSERT_EQ(open_fds(), fds_before + 1);
    }
    EXPECT_EQ(open_fds(), fds_before);
}

TEST_F(BodyBufferTest, MovedBufferOwnsTheFileOnce) {
    auto a = make(8);
    ASSERT_TRUE(a.append(pattern(100)));
    {
        BodyBuffer b = std::move(a);
        EXPECT_EQ(b.view().to_string().value(), pattern(100));
        EXPECT_EQ(open_fds(), fds_before + 1);
    }
    EXPECT_EQ(open_fds(), fds_before);
}

TEST_F(BodyBufferTest, MissingDirectoryFailsCleanly) {
    BodyBuffer b({4, (dir / "missing").string()});
    ASSERT_TRUE(b.append("abcd"));
    EXPECT_FALSE(b.append("e"));
    EXPECT_EQ(b.last_error(), ENOENT);
    EXPECT_EQ(b.size(), 0u) << "a failed buffer is cleared";
    EXPECT_EQ(open_fds(), fds_before);
}

TEST_F(BodyBufferTest, EmptyDirectoryMeansTheSystemTempDir) {
    BodyBuffer b({4, ""});
    EXPECT_EQ(b.settings().directory, default_spool_directory());
    EXPECT_EQ(default_spool_directory().front(), '/');
}

TEST(SpoolDirectory, ProblemNamesTheDirectoryAndTheReason) {
    EXPECT_EQ(spool_directory_problem(fs::temp_directory_path().string()), std::nullopt);
    auto problem = spool_directory_problem("/nonexistent-larder-dir");
    ASSERT_TRUE(problem.has_value());
    EXPECT_NE(problem->find("/nonexistent-larder-dir"), std::string::npos) << *problem;
    EXPECT_NE(problem->find("No such file"), std::string::npos) << *problem;
}

}  // namespace
}  // namespace larder::http
