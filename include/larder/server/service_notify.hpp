// server::notify_*: tells the service manager what the daemon is doing (systemd's sd_notify
// protocol, for `Type=notify` units: packaging/larder.service).
//
// READY=1 once every listener is bound and the workers run; RELOADING=1 when a reload starts and
// READY=1 when it ends (whatever its outcome: a failed reload leaves the daemon serving);
// STOPPING=1 when the drain starts. Each is a no-op when the daemon was not started by a service
// manager ($NOTIFY_SOCKET unset) or when Larder was built without libsystemd (the build says
// so: LARDER_HAVE_SYSTEMD in CMakeLists.txt).
#pragma once

#include <string_view>

namespace larder::server {

void notify_ready(std::string_view status);
void notify_reloading();
void notify_stopping();
// Whether this build speaks the protocol at all.
bool notify_supported();

}  // namespace larder::server
