#include "larder/cluster/purge_message.hpp"

#include <array>

namespace larder::cluster {

namespace {

constexpr std::array kKinds = {cache::PurgeKind::Url, cache::PurgeKind::Prefix,
                               cache::PurgeKind::Pattern, cache::PurgeKind::Tag};

}  // namespace

StreamFields encode(const PurgeMessage& m) {
    return {{"node", m.node},
            {"kind", std::string(obs::to_string(m.order.kind))},
            {"value", m.order.value},
            {"soft", m.order.soft ? "1" : "0"}};
}

const char* to_string(DecodeError error) {
    switch (error) {
        case DecodeError::None:
            return "none";
        case DecodeError::MissingField:
            return "missing_field";
        case DecodeError::UnknownField:
            return "unknown_field";
        case DecodeError::BadKind:
            return "bad_kind";
        case DecodeError::BadSoft:
            return "bad_soft";
        case DecodeError::TooLong:
            return "too_long";
    }
    return "unknown";
}

Decoded decode(const StreamFields& fields) {
    Decoded out;
    bool node = false, kind = false, value = false, soft = false;
    auto fail = [&out](DecodeError e) {
        out.error = e;
        return out;
    };
    for (const auto& [name, text] : fields) {
        if (text.size() > kMaxPurgeValue) return fail(DecodeError::TooLong);
        if (name == "node" && !node) {
            node = true;
            out.message.node = text;
        } else if (name == "kind" && !kind) {
            kind = true;
            bool known = false;
            for (auto k : kKinds) {
                if (obs::to_string(k) != text) continue;
                out.message.order.kind = k;
                known = true;
            }
            if (!known) return fail(DecodeError::BadKind);
        } else if (name == "value" && !value) {
            value = true;
            out.message.order.value = text;
        } else if (name == "soft" && !soft) {
            soft = true;
            if (text != "0" && text != "1") return fail(DecodeError::BadSoft);
            out.message.order.soft = text == "1";
        } else {
            return fail(DecodeError::UnknownField);
        }
    }
    if (!node || !kind || !value || !soft) return fail(DecodeError::MissingField);
    return out;
}

}  // namespace larder::cluster
