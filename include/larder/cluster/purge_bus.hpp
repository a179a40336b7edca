// cluster::PurgeBus: purges accepted by any node reach every node, through a Redis stream.
//
// The flow (docs/scale-out.md): a purge accepted by this node's admin API is applied to the
// local store at once (admin/purge_routes.cpp), then handed to publish(), which queues it; the
// publisher thread XADDs it to the stream ([cluster] stream, MAXLEN ~ stream_max_length) with
// this node's name. The reader thread waits on the stream with a blocking XREAD on its own
// connection and applies every entry from another node (prepare_purge with this node's rules,
// then Store::purge); it skips its own, already applied. It remembers the id of the last entry
// it read (`applied`): in memory, in [cluster] state_file when set, and in this node's record in
// the node hash, which the publisher thread writes at every heartbeat together with a summary
// of the node's counters, then reads back with the other nodes' records to make the cluster view
// (node_record.hpp) that GET /cluster shows.
//
// Why two threads with blocking hiredis connections rather than hiredis's async API on an Asio
// loop: the work is a handful of commands a second, a blocking XREAD is the simplest way to be
// woken within a millisecond of an XADD, and a thread of its own can never delay a worker or the
// admin listener. Nothing on the request path touches the bus.
//
// Before listening, catch_up() brings the store up to date with the stream (main calls it after
// the store is filled, e.g. from a snapshot, and before the server starts): it resumes from the
// last applied id (state_file, else this node's record in Redis) and applies every entry after
// it. When the store was filled from a snapshot, catch_up(written_at) resumes no later than a
// minute before the snapshot was written: the last applied id may be newer than the snapshot
// (periodic snapshots, then a crash), and replaying a purge twice only costs a miss. When it cannot know what it missed — Redis unreachable, no record of where it stopped,
// or the stream trimmed past that point — and the store holds objects, it drops them all
// (Resume says which case): a node must never serve an object purged while it was away, and
// an empty cache costs misses, not correctness. With Redis unreachable, the node still starts
// and the reader keeps trying, resuming from a point a minute before start.
//
// Redis unreachable while running: local purges still apply at once; up to max_queued_purges
// wait for Redis (the oldest dropped beyond that, counted and logged: other nodes will not see
// them), and both threads reconnect with exponential backoff up to reconnect_max. When the
// reader reconnects it resumes from its last applied id; if the stream was trimmed past it
// meanwhile, the store is dropped as above.
//
// The implementation is in four files by job: purge_bus.cpp (start, stop, the queue's entrance,
// status), catch_up.cpp, bus_reader.cpp (the reader thread, applying), bus_publisher.cpp.
//
// Thread-safety: publish() and status() may be called from any thread; catch_up(), start() and
// stop() from the thread that owns the bus. The RuleSet, Store, Clock and counters must outlive it.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "larder/cache/store.hpp"
#include "larder/cluster/node_record.hpp"
#include "larder/cluster/purge_message.hpp"
#include "larder/cluster/redis_client.hpp"
#include "larder/cluster/stream_id.hpp"
#include "larder/config/config.hpp"
#include "larder/obs/clock.hpp"
#include "larder/obs/cluster_counters.hpp"
#include "larder/obs/purge_counters.hpp"
#include "larder/proxy/generation.hpp"

namespace larder::cluster {

// [cluster] node, or the host name when it is not set ("larder" when that is not a valid name).
std::string resolve_node_name(const config::ClusterConfig& config);

enum class Resume : std::uint8_t {
    Replayed,          // resumed from the last applied id; every later purge applied
    FirstStart,        // no record of this node: starts at the stream's end
    RedisUnreachable,  // could not ask Redis; the store (if any) was dropped
    StreamTrimmed,     // purges after the last applied id are gone; the store was dropped
};
const char* to_string(Resume resume);

struct CatchUp {
    Resume resume = Resume::FirstStart;
    std::uint64_t replayed = 0;         // entries applied
    std::uint64_t dropped_objects = 0;  // objects dropped because what was missed is unknown
};

struct PurgeBusParts {
    const config::ClusterConfig& config;
    std::string node;  // this node's name, resolved (the host name when not configured)
    const proxy::CurrentGeneration& generations;  // each purge prepared with the rules in use
    cache::Store& store;
    const obs::Clock& clock;
    obs::PurgeCounters& purge_counters;
    obs::ClusterCounters& counters;
    std::function<NodeSummary()> summary;  // called on the publisher thread at each heartbeat
};

class PurgeBus {
  public:
    explicit PurgeBus(PurgeBusParts parts);
    ~PurgeBus();
    PurgeBus(const PurgeBus&) = delete;
    PurgeBus& operator=(const PurgeBus&) = delete;

    // Before serving (see above); logs what it did. Then start() the threads. `store_from`: when
    // the store holds a snapshot, the time it was written.
    CatchUp catch_up(std::optional<obs::TimePoint> store_from = std::nullopt);
    void start();
    // Sends what is queued (bounded by the command timeout), then stops both threads.
    void stop();

    // A purge this node accepted and already applied; queued for the stream.
    void publish(const proxy::PurgeOrder& order);

    // This node, Redis, the stream and every node's record as last read (GET /cluster).
    boost::json::object status() const;

  private:
    struct View {
        std::optional<StreamId> newest;
        std::vector<RawRecord> records;
        std::int64_t taken_ms = 0;  // 0: never read
    };

    CatchUp resume(std::optional<obs::TimePoint> store_from);  // catch_up() without its log
    void read_loop();
    void publish_loop();
    // One XREAD (blocking up to the block time) and the entries it returned; false when the
    // connection failed.
    bool read_once();
    // Entries after `from`, through XRANGE, applied in order (catch-up); nullopt on failure.
    std::optional<std::uint64_t> replay_after(const StreamId& from);
    // True when entries after `applied` were trimmed or deleted (XINFO STREAM).
    std::optional<bool> trimmed_after(const StreamId& applied);
    std::optional<StreamId> newest_id(RedisClient& redis);
    std::optional<StreamId> recorded_position(RedisClient& redis);
    void apply_entry(const StreamId& id, const StreamFields& fields, bool own_too);
    bool apply(const proxy::PurgeOrder& order);
    std::uint64_t drop_everything(std::string_view why);
    void advance(const StreamId& id);
    void save_state(const StreamId& id);
    bool flush_queue();
    void heartbeat();
    bool wait_backoff(std::chrono::milliseconds& backoff);
    std::int64_t now_ms() const;
    void update_connected();  // counters.redis_connected from both connections

    PurgeBusParts parts_;
    const std::int64_t started_ms_;
    RedisClient reader_;
    RedisClient writer_;
    std::atomic<bool> reader_up_{false}, writer_up_{false};

    mutable std::mutex mutex_;  // guards everything below
    std::condition_variable wake_;
    bool stopping_ = false;
    std::deque<PurgeMessage> queue_;
    StreamId applied_{};
    bool have_applied_ = false;
    View view_;
    std::string reader_error_, writer_error_;

    std::thread reader_thread_, writer_thread_;
};

}  // namespace larder::cluster
