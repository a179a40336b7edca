// coding::Pool: the threads that compress and decompress bodies, off the workers' event loops.
//
// Compressing a 40 KiB page takes a millisecond or more, a 1 MiB one tens of milliseconds
// (docs/compression.md has the measurements): long enough to stall every other connection of a
// worker if it ran on its event loop. A store-time encoding is handed to this pool with run();
// the calling coroutine is suspended and resumed on its own executor when the work is done, so
// nothing the worker owns is touched from the pool's threads. The work function must only use
// what it captures (by value, or by reference to data that outlives the co_await and that nobody
// else touches meanwhile).
//
// A Pool with zero threads (`[compression] threads = 0`, and the pipeline's unit tests) runs the
// work inline, on the caller's thread. The pool is shared by all workers and joined by its
// destructor (the daemon destroys it after the workers stopped).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <optional>
#include <utility>

namespace larder::coding {

class Pool {
  public:
    explicit Pool(unsigned threads) {
        if (threads > 0) pool_.emplace(threads);
    }
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;
    ~Pool() { join(); }

    // Waits for the work handed over so far; later run() calls work inline. Called by the daemon
    // after its workers stopped (their io_contexts still exist, so a finished job's resumption
    // is queued there and dropped with them).
    void join() {
        if (!pool_) return;
        pool_->join();
        pool_.reset();
    }

    bool inline_only() const { return !pool_; }

    // Runs `work` (void()) on the pool and resumes the caller on its executor afterwards.
    // `work` is a named local of the caller (GCC 12 and temporaries in co_await, see
    // docs/architecture.md).
    template <class Work>
    boost::asio::awaitable<void> run(Work& work) {
        if (!pool_) {
            work();
            co_return;
        }
        namespace asio = boost::asio;
        auto& pool = *pool_;
        co_await asio::async_initiate<const asio::use_awaitable_t<>, void()>(
            [&pool, &work](auto handler) {
                asio::post(pool, [handler = std::move(handler), &work]() mutable {
                    work();
                    auto executor = asio::get_associated_executor(handler);
                    asio::post(executor, std::move(handler));
                });
            },
            asio::use_awaitable);
    }

  private:
    std::optional<boost::asio::thread_pool> pool_;
};

}  // namespace larder::coding
