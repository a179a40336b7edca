#include "larder/http/hop_by_hop.hpp"

namespace larder::http {

bool is_fixed_hop_by_hop(std::string_view name) {
    switch (name.size()) {  // one comparison at most per name
        case 2:
            return iequals(name, "te");
        case 7:
            return iequals(name, "trailer") || iequals(name, "upgrade");
        case 10:
            return iequals(name, "connection") || iequals(name, "keep-alive");
        case 16:
            return iequals(name, "proxy-connection");
        case 17:
            return iequals(name, "transfer-encoding");
        default:
            return false;
    }
}

HopByHop::HopByHop(const HeaderList& all) : all_(all) {
    for (const auto& h : all) {
        if (h.name.size() != 10 || !iequals(h.name, "connection")) continue;
        std::string_view rest = h.value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const std::string_view option = trim_ows(rest.substr(0, comma));
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            if (option.empty() || is_fixed_hop_by_hop(option)) continue;  // removed anyway
            if (option_count_ == kKeptOptions) {
                too_many_options_ = true;
                return;
            }
            options_[option_count_++] = option;
        }
    }
}

bool HopByHop::contains(std::string_view name) const {
    if (is_fixed_hop_by_hop(name)) return true;
    if ((option_count_ == 0 && !too_many_options_) || never_named_by_connection(name)) return false;
    if (too_many_options_) {
        for (const auto& h : all_)
            if (iequals(h.name, "connection") && has_token(h.value, name)) return true;
        return false;
    }
    for (std::size_t i = 0; i < option_count_; ++i)
        if (iequals(options_[i], name)) return true;
    return false;
}

bool never_named_by_connection(std::string_view name) {
    return iequals(name, "host") || iequals(name, "content-length") ||
           iequals(name, "transfer-encoding");
}

}  // namespace larder::http
