#include "larder/upstream/backend_state.hpp"

namespace larder::upstream {

std::vector<std::shared_ptr<BackendState>> carry_over(
    const std::vector<BackendIdentity>& wanted,
    const std::vector<std::shared_ptr<BackendState>>& running) {
    std::vector<bool> taken(running.size(), false);
    std::vector<std::shared_ptr<BackendState>> out;
    out.reserve(wanted.size());
    for (const auto& identity : wanted) {
        std::shared_ptr<BackendState> state;
        for (std::size_t i = 0; i < running.size() && !state; ++i) {
            if (taken[i] || running[i]->identity != identity) continue;
            taken[i] = true;
            state = running[i];
        }
        out.push_back(state ? std::move(state) : std::make_shared<BackendState>(identity));
    }
    return out;
}

}  // namespace larder::upstream
