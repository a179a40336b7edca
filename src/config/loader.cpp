// load_file / load_string: parse TOML, hand each section to its reader, reject unknown sections.
// A TOML syntax error becomes a ConfigError at toml++'s position with toml++'s description.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "larder/config/loader.hpp"
#include "sections.hpp"

namespace larder::config {

Config load_string(std::string_view text, const std::string& source_name) {
    toml::table document;
    try {
        document = toml::parse(text, std::string_view(source_name));
    } catch (const toml::parse_error& e) {
        const auto& begin = e.source().begin;
        throw ConfigError(source_name, static_cast<int>(begin.line), static_cast<int>(begin.column),
                          "", std::string(e.description()));
    }
    Config config;
    config.source_path = source_name;
    detail::Reader root(source_name, document, "");
    // Unknown sections first: "[sever]" should say so, not leave the server at its defaults.
    for (const char* section : {"server", "admin", "upstream", "log", "cache", "identity", "purge",
                                "cluster", "compression", "rules"}) {
        root.find(section);
    }
    root.finish();
    if (auto server = root.table("server")) detail::read_server(*server, config.server);
    if (auto admin = root.table("admin")) detail::read_admin(*admin, config.admin);
    detail::read_upstream(root.table("upstream"), source_name, config.upstream);
    if (auto log = root.table("log")) detail::read_log(*log, config.log);
    if (auto cache = root.table("cache")) detail::read_cache(*cache, config.cache);
    if (auto identity = root.table("identity")) detail::read_identity(*identity, config.identity);
    if (auto purge = root.table("purge")) detail::read_purge(*purge, config.purge);
    if (auto cluster = root.table("cluster")) detail::read_cluster(*cluster, config.cluster);
    if (auto compression = root.table("compression"))
        detail::read_compression(*compression, config.compression);
    detail::read_rules(root, config.identity, config.rules);
    return config;
}

Config load_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ConfigError(path, 0, 0, "",
                          std::string("cannot read the file: ") + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw ConfigError(path, 0, 0, "", "cannot read the file");
    }
    return load_string(text.str(), path);
}

}  // namespace larder::config
