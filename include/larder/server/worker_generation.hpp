// server::WorkerGeneration: what one worker runs requests with under one configuration
// generation: the pinned proxy::Generation, the worker's upstream pool for its servers, the
// Source over that pool and the Pipeline.
//
// Owned by shared_ptr: the worker holds the current one; each session pins the one its request
// started on (and a background refresh the one that spawned it), so a reload never pulls a
// pipeline, pool or config from under a request. A new generation whose upstream servers are
// the previous one's (same proxy::Upstreams) shares the previous pool; otherwise its pool is
// made from the previous one and shares its idle keep-alive connections to the servers both
// list, while those to the servers dropped close at once (or, in use, when their request ends).
// Either way idle connections to unchanged servers survive the reload. Lives and dies on its
// worker's thread.
#pragma once

#include <memory>

#include "larder/obs/counters.hpp"
#include "larder/proxy/generation.hpp"
#include "larder/proxy/pipeline.hpp"
#include "larder/upstream/exchange.hpp"
#include "larder/upstream/pool.hpp"

namespace larder::server {

struct WorkerGeneration {
    WorkerGeneration(proxy::GenerationPtr generation_in, std::shared_ptr<upstream::Pool> pool_in,
                     obs::Counters& counters)
        : generation(std::move(generation_in)),
          pool(std::move(pool_in)),
          source(*pool, generation->config.server, counters),
          pipeline(generation->shared, source, counters) {}
    WorkerGeneration(const WorkerGeneration&) = delete;
    WorkerGeneration& operator=(const WorkerGeneration&) = delete;

    const config::ServerConfig& config() const { return generation->config.server; }

    const proxy::GenerationPtr generation;
    const std::shared_ptr<upstream::Pool> pool;
    upstream::PoolSource source;
    proxy::Pipeline pipeline;
};

using WorkerGenerationPtr = std::shared_ptr<WorkerGeneration>;

}  // namespace larder::server
