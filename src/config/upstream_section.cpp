// [upstream] and [[upstream.servers]]: the backends and how connections to them are pooled.
#include <limits>

#include "sections.hpp"

namespace larder::config::detail {

std::vector<Reader> read_table_array(Reader& r, std::string_view name) {
    const toml::node* node = r.find(name);
    if (!node) return {};
    const std::string what = "an array of tables ([[" + r.key(name) + "]])";
    const auto* array = node->as_array();
    if (!array) r.fail(name, "expected " + what + ", got " + std::string(type_name(*node)));
    std::vector<Reader> tables;
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::node& element = *array->get(i);
        const std::string key = r.key(name) + '[' + std::to_string(i) + ']';
        const auto* table = element.as_table();
        if (!table) r.fail_at(element, key, "expected a table, got " + show(element));
        tables.emplace_back(r.file(), *table, key);
    }
    return tables;
}

void read_upstream(std::optional<Reader> r, const std::string& file, UpstreamConfig& out) {
    const std::string missing =
        "at least one [[upstream.servers]] with an address such as \"127.0.0.1:8000\" is required";
    if (!r) throw ConfigError(file, 1, 1, "upstream.servers", missing);

    for (Reader& server : read_table_array(*r, "servers")) {
        UpstreamServer entry;
        const toml::node* address = server.find("address");
        if (!address) {
            server.fail_here(server.key("address"),
                             "missing; every server needs an address such as \"127.0.0.1:8000\"");
        }
        if (auto problem = address_problem(*address, false, entry.address)) {
            server.fail("address", *problem);
        }
        std::int64_t weight = 1;
        if (server.integer("weight", weight, 1, 1000)) entry.weight = static_cast<unsigned>(weight);
        server.finish();
        out.servers.push_back(std::move(entry));
    }
    r->size("buffer_size", out.buffer_size);
    std::int64_t idle = 0;
    if (r->integer("max_idle_per_server", idle, 0, 100'000)) {
        out.max_idle_per_server = static_cast<std::size_t>(idle);
    }
    r->duration("idle_timeout", out.idle_timeout);
    r->finish();
    if (out.servers.empty()) {
        throw ConfigError(file, 1, 1, "upstream.servers", missing);
    }
}

}  // namespace larder::config::detail
