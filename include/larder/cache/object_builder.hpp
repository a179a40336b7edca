// cache::build_object: turns an upstream response into an immutable, pre-serialized Object.
//
// `head` gets the status line and the end-to-end header fields in their original order and
// spelling, each as "Name: value\r\n", without the blank line that ends the section (the writer
// adds per-response fields first; see object.hpp). Left out:
//   - hop-by-hop fields: Connection, Keep-Alive, Proxy-Connection, TE, Trailer,
//     Transfer-Encoding, Upgrade, and every field named in a Connection header;
//   - framing and Age: Content-Length is written per response by whoever delivers the object
//     (it may go out whole, as a range, compressed, or as a 304), and Age is computed per hit;
//   - Set-Cookie, when `strip_set_cookie`;
//   - X-Request-Id: it names the request that filled the object; every response gets its own
//     request's (proxy/messages.hpp);
//   - any field whose name or value contains CR, LF or NUL (never produced by a conforming
//     parser; dropped rather than risk splitting the response).
// The object is fresh from `now` until `now + ttl`. It is returned as a draft so the caller can
// set the stale windows (grace_until, error_until), url, tags and encodings before packing it
// with Object::make.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "larder/cache/object.hpp"
#include "larder/http/headers.hpp"
#include "larder/obs/clock.hpp"

namespace larder::cache {

ObjectDraft build_object(std::string key, int status, std::string_view reason_phrase,
                         const http::HeaderList& headers, std::string body, obs::TimePoint now,
                         std::chrono::milliseconds ttl, bool strip_set_cookie,
                         std::string rule_name);

}  // namespace larder::cache
