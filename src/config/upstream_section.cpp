// [upstream], [[upstream.servers]] and [upstream.health]: the backends, how one is chosen, how
// their health is judged, and how connections to them are pooled and limited.
#include <array>
#include <limits>
#include <utility>

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

namespace {

void read_balance(Reader& r, UpstreamConfig& out) {
    static constexpr std::array<std::pair<std::string_view, Balance>, 4> kBalance{{
        {"round_robin", Balance::RoundRobin},
        {"least_conn", Balance::LeastConn},
        {"random_two", Balance::RandomTwo},
        {"hash", Balance::Hash},
    }};
    std::string name;
    if (!r.string("balance", name)) return;
    for (const auto& [text, value] : kBalance) {
        if (text == name) {
            out.balance = value;
            return;
        }
    }
    r.fail("balance",
           "expected one of \"round_robin\", \"least_conn\", \"random_two\", "
           "\"hash\", got \"" +
               name + '"');
}

void read_health(Reader& r, HealthConfig& out) {
    if (r.string("path", out.path) && out.path.front() != '/') {
        r.fail("path", "expected a request path starting with '/', such as \"/health\", got \"" +
                           out.path + '"');
    }
    r.duration("interval", out.interval);
    r.duration("timeout", out.timeout);
    if (const toml::node* node = r.find("expect_status")) {
        const std::string key = r.key("expect_status");
        std::vector<int> statuses;
        auto take = [&](const toml::node& element, const std::string& where) {
            const auto* code = element.as_integer();
            if (!code || code->get() < 100 || code->get() > 599)
                expected(r, element, where, "an HTTP status code from 100 to 599");
            statuses.push_back(static_cast<int>(code->get()));
        };
        if (const auto* array = node->as_array()) {
            if (array->empty()) r.fail("expect_status", "expected at least one status code");
            for (std::size_t i = 0; i < array->size(); ++i)
                take(*array->get(i), key + '[' + std::to_string(i) + ']');
        } else if (node->is_integer()) {
            take(*node, key);
        } else {
            r.fail("expect_status",
                   "expected a status code or an array of them such as [200, 204], got " +
                       std::string(type_name(*node)));
        }
        out.expect_status = std::move(statuses);
    }
    std::int64_t number = 0;
    if (r.integer("rise", number, 1, 1000)) out.rise = static_cast<unsigned>(number);
    if (r.integer("fall", number, 1, 1000)) out.fall = static_cast<unsigned>(number);
    if (r.integer("max_fails", number, 0, 1'000'000)) out.max_fails = static_cast<unsigned>(number);
    r.duration("fail_timeout", out.fail_timeout);
    r.finish();
    if (!out.path.empty() && out.timeout > out.interval) {
        r.fail("timeout",
               "must not be longer than upstream.health.interval (a probe ends before "
               "the next one starts)");
    }
}

}  // namespace

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
        std::int64_t max_connections = 0;
        if (server.integer("max_connections", max_connections, 0, 1'000'000))
            entry.max_connections = static_cast<std::size_t>(max_connections);
        server.boolean("backup", entry.backup);
        server.finish();
        out.servers.push_back(std::move(entry));
    }
    r->size("buffer_size", out.buffer_size);
    std::int64_t idle = 0;
    if (r->integer("max_idle_per_server", idle, 0, 100'000)) {
        out.max_idle_per_server = static_cast<std::size_t>(idle);
    }
    r->duration("idle_timeout", out.idle_timeout);
    read_balance(*r, out);
    r->duration("slow_start", out.slow_start, true);
    std::int64_t number = 0;
    if (r->integer("retries", number, 0, 100)) out.retries = static_cast<unsigned>(number);
    if (r->integer("queue", number, 0, 1'000'000)) out.queue = static_cast<std::size_t>(number);
    r->duration("queue_timeout", out.queue_timeout);
    if (auto health = r->table("health")) read_health(*health, out.health);
    r->finish();
    if (out.servers.empty()) {
        throw ConfigError(file, 1, 1, "upstream.servers", missing);
    }
    bool any_primary = false;
    for (const auto& server : out.servers) any_primary = any_primary || !server.backup;
    if (!any_primary) {
        throw ConfigError(file, 1, 1, "upstream.servers",
                          "every server is a backup; at least one needs backup = false");
    }
}

}  // namespace larder::config::detail
