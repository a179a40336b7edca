// `larder explain`: the command line around explain::explain().
//
//   larder explain --config FILE URL [--cookie 'a=b' ...] [--header 'Name: value' ...]
//                  [--method GET] [--json]
//   larder explain --admin HOST:PORT [--admin-token TOKEN] URL [...same options]
//
// Without --admin the config file is loaded and checked as the daemon would (a bad config is
// reported with file, line and key) and the explanation computed here. With --admin the running
// daemon answers (its admin API's GET /explain, with the stored state for the key): the config
// in force is the daemon's. Text is rendered from the JSON answer (text.hpp); --json prints the
// answer itself. The token may come from the environment (LARDER_ADMIN_TOKEN) instead of the
// command line, which other users of the machine can read.
//
// Exit codes: 0 the request is a cache candidate; 1 it passes; 2 bad arguments, URL or config;
// 3 the admin API could not be asked or refused (the reason is printed).
#pragma once

namespace larder::explain {

inline constexpr int kExitCacheCandidate = 0;
inline constexpr int kExitPass = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitAdmin = 3;

// argv[0] is "explain".
int run_command(int argc, char** argv);

}  // namespace larder::explain
