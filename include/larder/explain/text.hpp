// explain::render_text: the human-readable form of an explain answer (explain.hpp), one fact a
// line, for `larder explain` without --json. It reads only the JSON value, so an answer from a
// running daemon's admin API renders exactly like a local one.
#pragma once

#include <boost/json/object.hpp>
#include <string>

namespace larder::explain {

std::string render_text(const boost::json::object& answer);

}  // namespace larder::explain
