// Microbenchmarks of the per-request work outside rules and store: parsing a request with the
// llhttp wrapper, and serializing a hit (the per-response tail) and a stored object.
#include <benchmark/benchmark.h>

#include <string>

#include "larder/cache/object_builder.hpp"
#include "larder/http/request_parser.hpp"
#include "larder/proxy/messages.hpp"

namespace {

const std::string kBrowserRequest =
    "GET /about?utm_source=news&page=2 HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    "Accept-Language: en-GB,en;q=0.9\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Cookie: _ga=GA1.2.1234567890.1700000000; _gid=GA1.2.987654321.1700000000; lang=en\r\n"
    "Connection: keep-alive\r\n\r\n";

void BM_ParseBrowserRequest(benchmark::State& state) {
    larder::http::RequestParser parser({});
    for (auto _ : state) {
        auto s = parser.parse(kBrowserRequest.data(), kBrowserRequest.size());
        benchmark::DoNotOptimize(s);
        parser.start_next(0);
    }
    state.SetBytesProcessed(state.iterations() * kBrowserRequest.size());
}
BENCHMARK(BM_ParseBrowserRequest);

void BM_HitTail(benchmark::State& state) {
    for (auto _ : state) {
        std::string tail;
        tail.reserve(128);
        larder::proxy::append_response_tail(
            tail, {.status = larder::proxy::CacheStatus::Hit, .reason = {}, .age = 42});
        benchmark::DoNotOptimize(tail.data());
    }
}
BENCHMARK(BM_HitTail);

void BM_BuildObject16KiB(benchmark::State& state) {
    larder::http::HeaderList headers;
    headers.add("Content-Type", "text/html; charset=utf-8");
    headers.add("Content-Length", "16384");
    headers.add("Date", "Tue, 24 Nov 2026 16:00:00 GMT");
    headers.add("Vary", "Cookie");
    headers.add("Set-Cookie", "session=abc; HttpOnly; Path=/");
    headers.add("Connection", "keep-alive");
    const std::string body(16 * 1024, 'x');
    larder::obs::TimePoint now{};
    for (auto _ : state) {
        auto o = larder::cache::build_object("http://www.example.com/about", 200, "OK", headers,
                                             body, now, std::chrono::seconds(60), true, "pages");
        benchmark::DoNotOptimize(o.body.data());
    }
}
BENCHMARK(BM_BuildObject16KiB);

}  // namespace
