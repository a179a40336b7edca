// Content codings in the pipeline (docs/compression.md): made once when a response is stored
// (encode_for_store, on the compression pool when there is work), chosen per client when an
// object is delivered (choose_representation). A hit never compresses. With [compression] pass,
// a relayed response read whole is compressed for its one client (compress_relayed).
#include "larder/cache/encodings.hpp"
#include "larder/cache/encode_at_store.hpp"
#include "larder/coding/codec.hpp"
#include "task.hpp"

namespace larder::proxy {

namespace asio = boost::asio;
static_assert(http::kContentCodingCount == obs::kContentCodingCount);

asio::awaitable<std::optional<cache::NoCacheReason>> Pipeline::encode_for_store(
    cache::ObjectDraft& object, const http::HeaderList& response_headers) {
    const auto& config = shared_.config;
    const cache::EncodeFacts facts = cache::encode_facts(response_headers, config.compression);
    const cache::EncodeOptions options =
        cache::encode_options(config.compression, config.cache.max_object_size);
    std::optional<cache::NoCacheReason> refusal;
    cache::EncodeStats stats;
    auto work = [&] { refusal = cache::encode_at_store(object, facts, options, stats); };
    if (shared_.compression_pool && cache::needs_encoding_work(object, facts, options))
        co_await shared_.compression_pool->run(work);
    else
        work();  // only notes the coding: not worth a trip
    if (stats.made) counters_.encodings_made.fetch_add(stats.made, std::memory_order_relaxed);
    co_return refusal;
}

void Pipeline::choose_representation(Task& t) {
    const cache::Object& stored = *t.object;
    if (stored.encodings.others.empty()) return;
    t.object = cache::representation_for(t.object, http::parse_accept_encoding(t.request.headers));
    const cache::Object& sent = *t.object;
    counters_.encoded_responses[static_cast<std::size_t>(sent.encodings.own)].fetch_add(
        1, std::memory_order_relaxed);
    auto identity = cache::identity_size(stored);
    if (identity && *identity > sent.body().size() && t.request.method != http::Method::Head)
        counters_.encoding_bytes_saved.fetch_add(*identity - sent.body().size(),
                                                 std::memory_order_relaxed);
}

namespace {

// Fields whose value describes one coding's bytes: replaced or dropped in a coded relay.
bool per_coding_field(std::string_view name) {
    return http::iequals(name, "content-encoding") || http::iequals(name, "etag") ||
           http::iequals(name, "content-digest") || http::iequals(name, "repr-digest") ||
           http::iequals(name, "content-md5");
}

bool varies_on_accept_encoding(const http::HeaderList& fields) {
    for (const auto& h : fields)
        if (http::iequals(h.name, "vary") &&
            (http::has_token(h.value, "accept-encoding") || http::has_token(h.value, "*")))
            return true;
    return false;
}

}  // namespace

asio::awaitable<bool> Pipeline::compress_relayed(Task& t, Fetched& f,
                                                 const http::HeaderList& fields) {
    const auto& c = shared_.config.compression;
    if (!c.pass || !f.complete || t.request.method == http::Method::Head ||
        f.exchange->status() != 200 || f.body.size() < c.min_size)
        co_return false;
    const cache::EncodeFacts facts = cache::encode_facts(fields, c);
    if (facts.coding != http::ContentCoding::Identity || !facts.compressible || facts.no_transform)
        co_return false;
    constexpr http::CodingSet all = http::CodingSet()
                                        .add(http::ContentCoding::Identity)
                                        .add(http::ContentCoding::Gzip)
                                        .add(http::ContentCoding::Br);
    const http::ContentCoding coding =
        http::choose(http::parse_accept_encoding(t.request.headers), all);
    if (coding == http::ContentCoding::Identity) co_return false;
    std::optional<std::string> encoded;
    const coding::Levels levels{.gzip = c.gzip_level, .brotli = c.brotli_quality};
    auto work = [&] { encoded = coding::compress(coding, f.body, levels); };
    if (shared_.compression_pool)
        co_await shared_.compression_pool->run(work);
    else
        work();
    if (!encoded || encoded->size() >= f.body.size()) co_return false;
    counters_.encoded_responses[static_cast<std::size_t>(coding)].fetch_add(
        1, std::memory_order_relaxed);
    counters_.encoding_bytes_saved.fetch_add(f.body.size() - encoded->size(),
                                             std::memory_order_relaxed);
    f.body = std::move(*encoded);
    http::HeaderList& out = f.coded_fields.emplace();
    for (const auto& h : fields) {
        if (!per_coding_field(h.name)) out.add(h.name, h.value);
        if (http::iequals(h.name, "etag") && f.coded_etag.empty())
            f.coded_etag =
                cache::coded_etag(http::trim_ows(h.value), coding, http::ContentCoding::Identity);
    }
    out.add("Content-Encoding", http::to_string(coding));
    if (!f.coded_etag.empty()) out.add("ETag", f.coded_etag);
    if (!varies_on_accept_encoding(fields)) out.add("Vary", "Accept-Encoding");
    co_return true;
}

}  // namespace larder::proxy
