// upstream::UpstreamError: every way an exchange with an app server can fail, with the status the
// client gets for it (502 for a failed or broken exchange, 504 for one that took too long, 503
// when no server can take the request: all down, or the ones that could are full; 500 when
// Larder could not read back the client's request body from its spool file).
// Once the client has the response head, the status can no longer be sent: the pipeline closes
// the client's connection instead, and the error names the cut in the logs.
#pragma once

#include <cstddef>
#include <string_view>

namespace larder::upstream {

enum class UpstreamError {
    None,
    ConnectFailed,        // refused, unreachable: 502
    ConnectTimeout,       // 504
    ResetBeforeResponse,  // closed or reset before any response byte: 502
    ResponseTimeout,      // no (complete) response within upstream_timeout: 504
    ReadTimeout,          // the app went quiet mid-response for upstream_read_timeout: 504
    MalformedResponse,    // 502
    ClosedMidResponse,    // the body was cut short: 502 if nothing was sent yet
    NoHealthyServer,      // every server (and backup) is down or ejected: 503 at once
    QueueFull,            // the chosen server is at max_connections and its queue is full: 503
    QueueTimeout,         // waited queue_timeout for a free connection: 503
    BodyUnreadable,       // the client's spooled request body could not be read back: 500
};

inline constexpr std::size_t kUpstreamErrorCount = 11;  // obs::Counters' columns: keep in step
std::string_view to_string(UpstreamError e);
int status_for(UpstreamError e);

}  // namespace larder::upstream
