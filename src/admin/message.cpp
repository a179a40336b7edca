// AdminRequest look-ups and the AdminResponse builders.
#include "larder/admin/message.hpp"

#include <boost/json/serialize.hpp>

#include "larder/http/headers.hpp"

namespace larder::admin {

std::optional<std::string_view> AdminRequest::param(std::string_view name) const {
    for (const auto& [n, v] : query)
        if (n == name) return std::string_view(v);
    return std::nullopt;
}

std::optional<std::string_view> AdminRequest::header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (http::iequals(n, name)) return std::string_view(v);
    return std::nullopt;
}

AdminResponse AdminResponse::json(const boost::json::value& value, int status) {
    AdminResponse r;
    r.status = status;
    r.body = boost::json::serialize(value);
    r.body.push_back('\n');
    return r;
}

AdminResponse AdminResponse::error(int status, std::string_view error, std::string_view message) {
    return json(boost::json::object{{"error", error}, {"message", message}}, status);
}

AdminResponse AdminResponse::text(std::string body, std::string content_type, int status) {
    AdminResponse r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
}

}  // namespace larder::admin
