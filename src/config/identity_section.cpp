// [identity]: how a request is told to come from a logged-in visitor (cookie names, and Flask's
// signed session cookie, whose payload names the user).
#include "sections.hpp"

namespace larder::config::detail {

void read_identity(Reader& r, IdentityConfig& out) {
    r.strings("cookies", out.cookies, true);
    if (auto flask = r.table("flask_session")) {
        FlaskSessionConfig session;
        flask->string("cookie", session.cookie);
        flask->string("user_key", session.user_key);
        std::string secret;
        if (flask->string("secret_key", secret)) session.secret_key = std::move(secret);
        flask->finish();
        out.flask_session = std::move(session);
    }
    r.finish();
}

}  // namespace larder::config::detail
