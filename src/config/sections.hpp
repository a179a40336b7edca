// One function per config section, each filling its part of Config from a Reader.
//
// A section function reads every key it knows (so Reader::finish() can name unknown ones), calls
// finish(), then checks what spans several keys. It never touches keys of other sections except
// through its arguments: read_rules gets the already-read identity to check `visitor`.
#pragma once

#include <string_view>
#include <vector>

#include "larder/config/config.hpp"
#include "larder/config/loader.hpp"
#include "reader.hpp"

namespace larder::config::detail {

void read_server(Reader& r, ServerConfig& out);
// [admin]; refuses a non-loopback listen address without a token.
void read_admin(Reader& r, AdminConfig& out);
// Also requires at least one [[upstream.servers]]; `r` is nullopt when [upstream] is absent.
void read_upstream(std::optional<Reader> r, const std::string& file, UpstreamConfig& out);
void read_log(Reader& r, LogConfig& out);
void read_cache(Reader& r, CacheConfig& out);
void read_identity(Reader& r, IdentityConfig& out);
void read_purge(Reader& r, PurgeConfig& out);
// [cluster]; its presence turns clustering on (docs/scale-out.md).
void read_cluster(Reader& r, ClusterConfig& out);
void read_compression(Reader& r, CompressionConfig& out);
void read_rules(Reader& root, const IdentityConfig& identity, std::vector<RuleConfig>& out);

// The array of tables at `name` in `r` ([[name]] or name = [{...}]), each as a Reader whose path
// is "name[i]"; empty when absent.
std::vector<Reader> read_table_array(Reader& r, std::string_view name);
// Reads a "host:port" string from `node` into `out`; the problem when it is not one.
// `allow_port_zero` is for listeners (port 0 = let the kernel pick, as the e2e tests do).
std::optional<std::string> address_problem(const toml::node& node, bool allow_port_zero,
                                           HostPort& out);
// `query`, `cookies` or `headers` of a rule: NAME -> condition.
std::vector<Condition> read_conditions(Reader& rule, std::string_view name);

}  // namespace larder::config::detail
