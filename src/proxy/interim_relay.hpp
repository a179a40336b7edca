// proxy::InterimRelay: the app's interim responses (1xx before the final one: 102 Processing,
// 103 Early Hints, ...) relayed to the client whose request caused the fetch, as they arrive
// (RFC 9110 section 15.2: a proxy forwards 1xx responses). Private to src/proxy.
//
// Invariants: an interim response never becomes part of the final response nor of a stored
// object (the exchange reads it and moves on; this only writes its head to the client). None is
// relayed to an HTTP/1.0 client (which cannot parse one), nor a 100 Continue to a client that sent
// Expect: 100-continue (Larder answered that expectation itself when it read the body), nor more
// than kMaxInterimRelayed per request (an app's flood is not amplified); followers of a coalesced
// fetch and background refreshes get none. Once a write fails, nothing more is tried: the final
// response's write reports the gone client.
#pragma once

#include <array>
#include <boost/asio/buffer.hpp>

#include "larder/proxy/pipeline.hpp"
#include "larder/upstream/source.hpp"

namespace larder::proxy {

inline constexpr int kMaxInterimRelayed = 8;

class InterimRelay final : public upstream::InterimSink {
  public:
    InterimRelay(ResponseWriter& writer, Transaction& tx, const http::Request& request)
        : writer_(writer),
          tx_(tx),
          http11_(request.version_major == 1 && request.version_minor >= 1),
          answered_continue_(request.expect_continue) {}

    boost::asio::awaitable<void> interim(int status, std::string_view head) override {
        if (!http11_ || failed_ || relayed_ >= kMaxInterimRelayed) co_return;
        if (status == 100 && answered_continue_) co_return;
        std::array<boost::asio::const_buffer, 1> buffers{boost::asio::buffer(head)};
        const bool ok = co_await writer_.write(buffers);
        if (!ok) {
            failed_ = true;
            co_return;
        }
        ++relayed_;
        tx_.bytes_sent += head.size();
    }

  private:
    ResponseWriter& writer_;
    Transaction& tx_;
    const bool http11_;
    const bool answered_continue_;
    bool failed_ = false;
    int relayed_ = 0;
};

}  // namespace larder::proxy
