#include "larder/server/service_notify.hpp"

#include <ctime>
#include <string>

#ifdef LARDER_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace larder::server {

namespace {
void send([[maybe_unused]] const std::string& state) {
#ifdef LARDER_HAVE_SYSTEMD
    sd_notify(0, state.c_str());
#endif
}
}  // namespace

void notify_ready(std::string_view status) {
    send("READY=1\nSTATUS=" + std::string(status));
}

void notify_reloading() {
    // MONOTONIC_USEC lets systemd (Type=notify-reload, 253+) match the reload it asked for.
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const long long usec = static_cast<long long>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
    send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void notify_stopping() {
    send("STOPPING=1");
}

bool notify_supported() {
#ifdef LARDER_HAVE_SYSTEMD
    return true;
#else
    return false;
#endif
}

}  // namespace larder::server
