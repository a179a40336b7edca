// cluster::NodeRecord: what each node tells the others about itself, and how a node judges them.
//
// Every node writes its record as a small JSON object into the cluster's node hash
// ([cluster] nodes_key, field = node name) at every heartbeat: the last stream id it applied,
// when it wrote the record (its heartbeat, Unix milliseconds by its own clock), and a summary of
// its counters (responses, responses from the cache, objects, bytes, purges waiting for Redis).
// judge() turns the records and the stream's newest id into the cluster view that GET /cluster
// and the dashboard show: a node is `behind` when it has not applied the newest purge, `silent`
// when its heartbeat is older than three heartbeat intervals (down, cut off from Redis, or gone
// for good: its record stays until an operator deletes it). decode_record() never trusts the
// hash: a record that is not what encode_record() writes is reported as unreadable, not guessed.
// Pure functions, unit-tested.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larder/cluster/stream_id.hpp"

namespace larder::cluster {

struct NodeSummary {
    std::uint64_t requests = 0;    // responses since start
    std::uint64_t from_cache = 0;  // of which HIT, STALE or COALESCED
    std::uint64_t objects = 0;
    std::uint64_t bytes = 0;
};

struct NodeRecord {
    std::string node;
    std::optional<StreamId> applied;  // none: has not read the stream yet
    std::int64_t heartbeat_ms = 0;    // Unix ms
    std::int64_t started_ms = 0;
    std::uint64_t queued = 0;  // its purges waiting for Redis
    NodeSummary summary;
};

std::string encode_record(const NodeRecord& record);
std::optional<NodeRecord> decode_record(std::string_view node, std::string_view json);

struct NodeStatus {
    NodeRecord record;
    bool readable = true;  // false: the hash holds something else under this name
    bool behind = false;   // has not applied the stream's newest entry
    std::int64_t lag_ms = 0;
    std::int64_t heartbeat_age_ms = 0;
    bool silent = false;  // no heartbeat for 3 intervals
};

struct RawRecord {
    std::string node;
    std::string json;
};

// Sorted by node name.
std::vector<NodeStatus> judge(const std::vector<RawRecord>& records,
                              const std::optional<StreamId>& newest, std::int64_t now_ms,
                              std::chrono::milliseconds heartbeat);

boost::json::object to_json(const NodeStatus& status);

}  // namespace larder::cluster
