// cache::Lookup: the one answer Store::lookup_or_join gives a request — what to do next, decided
// under one shard lock from the key's entry (stored variants, flights in progress, hit-for-pass
// marker), in the spirit of Varnish's HSH_Lookup.
//
// The caller's policy judges the stored object of the request's variant (Judge → Usability);
// the store turns that verdict and the entry's state into a Kind:
//   Fresh                                   → Hit        serve `object`
//   Grace                                   → Grace      serve `object` stale; when `flight` is
//                                                        set, this caller runs the one background
//                                                        refresh and must end that flight
//   Stale or nothing, a flight for the variant runs      → Follower   wait on `flight`
//   Stale or nothing, the key is marked hit-for-pass     → HitForPass fetch alone, no flight
//   Stale or nothing, otherwise                          → Leader     fetch, end `flight`
//   Unusable: the object is dropped from the store, then as "nothing".
// For Leader, Follower and HitForPass, `object` is the variant's kept stale object, if any (for
// revalidation or stale-if-error). The judge runs under the shard lock: it must be cheap, must
// not call the store, and must answer Unusable only for an object no request can use any more
// (Stale, not Unusable, for an object that only this request may not use).
#pragma once

#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include "larder/cache/flight.hpp"
#include "larder/cache/object.hpp"

namespace larder::cache {

// How a stored object may answer this request, as the caller's policy sees it.
enum class Usability {
    Fresh,     // serve it
    Grace,     // serve it stale while one background refresh runs
    Stale,     // not servable now; kept for revalidation or stale-if-error
    Unusable,  // of no use to anyone: the store drops it
};

// A non-owning reference to a callable (std::function_ref is C++26): no allocation, valid only
// during the call it is passed to.
template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
  public:
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
             std::is_invocable_r_v<R, F&, Args...>) FunctionRef(F&& f)
    noexcept  // NOLINT: implicit on purpose, like std::function_ref
        : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
          call_([](void* object, Args... args) -> R {
              return std::invoke(*static_cast<std::remove_reference_t<F>*>(object),
                                 std::forward<Args>(args)...);
          }) {}

    R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

  private:
    void* object_;
    R (*call_)(void*, Args...);
};

using Judge = FunctionRef<Usability(const Object&)>;

struct Lookup {
    enum class Kind { Hit, Grace, Leader, Follower, HitForPass };
    Kind kind = Kind::Leader;
    ObjectPtr object;  // Hit/Grace: serve it; otherwise the kept stale object of the variant
    FlightPtr flight;  // Leader: end it; Grace: set when this caller refreshes; Follower: wait
};

const char* to_string(Lookup::Kind kind);

}  // namespace larder::cache
