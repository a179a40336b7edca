#include "larder/explain/command.hpp"

#include <boost/json/serialize.hpp>
#include <boost/program_options.hpp>
#include <cstdlib>
#include <iostream>

#include "larder/config/loader.hpp"
#include "larder/explain/admin_client.hpp"
#include "larder/explain/explain.hpp"
#include "larder/explain/text.hpp"

namespace larder::explain {

namespace po = boost::program_options;
namespace json = boost::json;

namespace {

int print(const json::object& answer, bool as_json) {
    if (as_json)
        std::cout << json::serialize(answer) << "\n";
    else
        std::cout << render_text(answer);
    const auto* decision = answer.if_contains("decision");
    const bool cache = decision && decision->is_object() &&
                       decision->as_object().contains("action") &&
                       decision->as_object().at("action") == "cache";
    return cache ? kExitCacheCandidate : kExitPass;
}

}  // namespace

int run_command(int argc, char** argv) {
    po::options_description options(
        "Usage: larder explain --config FILE URL [options]\n"
        "       larder explain --admin HOST:PORT URL [options]\n\n"
        "Says which rule matches URL and why each earlier rule does not, the visitor's identity\n"
        "verdict, the cache key, the forwarded cookies and the TTL/grace that would apply.\n"
        "Exit status: 0 cache candidate, 1 pass, 2 bad arguments or config, 3 admin API error.\n\n"
        "Options");
    Probe probe;
    std::string config_file, admin, token;
    options.add_options()("help,h", "show this help and exit")("config,c", po::value(&config_file),
                                                               "configuration file (TOML)")(
        "method,X", po::value(&probe.method)->default_value("GET"), "request method")(
        "cookie,b", po::value(&probe.cookies)->composing(), "a cookie 'name=value' (repeatable)")(
        "header,H", po::value(&probe.headers)->composing(),
        "a header field 'Name: value' (repeatable)")("json", "print the JSON answer")(
        "admin", po::value(&admin),
        "ask a running daemon's admin API (HOST:PORT) instead; adds the stored state")(
        "admin-token", po::value(&token),
        "bearer token for --admin (default: $LARDER_ADMIN_TOKEN)")(
        "url", po::value(&probe.url), "the URL, http://host/path?query");
    po::positional_options_description positional;
    positional.add("url", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(),
                  vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << "larder explain: " << e.what() << "\n" << options;
        return kExitUsage;
    }
    if (vm.count("help")) {
        std::cout << options;
        return 0;
    }
    if (probe.url.empty()) {
        std::cerr << "larder explain: which URL? (e.g. http://example.com/page)\n" << options;
        return kExitUsage;
    }
    const bool as_json = vm.count("json") > 0;
    if (!admin.empty()) {
        if (token.empty())
            if (const char* env = std::getenv("LARDER_ADMIN_TOKEN")) token = env;
        try {
            json::value answer = ask_admin(admin, to_query_string(probe), token);
            if (const auto* error = answer.as_object().if_contains("error")) {
                std::cerr << "larder explain: " << admin << ": "
                          << (error->is_string() ? std::string(error->as_string())
                                                 : json::serialize(*error))
                          << "\n";
                return kExitUsage;
            }
            return print(answer.as_object(), as_json);
        } catch (const std::exception& e) {
            std::cerr << "larder explain: " << e.what() << "\n";
            return kExitAdmin;
        }
    }
    if (config_file.empty()) {
        std::cerr << "larder explain: --config FILE (or --admin HOST:PORT) is required\n";
        return kExitUsage;
    }
    try {
        const config::Config config = config::load_file(config_file);
        const rules::RuleSet rules(config);
        return print(explain(probe, config, rules), as_json);
    } catch (const config::ConfigError& e) {
        std::cerr << e.what() << "\n";
        return kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "larder explain: " << e.what() << "\n";
        return kExitUsage;
    }
}

}  // namespace larder::explain
