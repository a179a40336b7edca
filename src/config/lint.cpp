// Warnings about a valid config (lint.hpp). Everything here mirrors how the rules module matches
// (src/rules/ruleset.cpp, glob.cpp, condition.cpp) closely enough to be certain when it says a
// rule can never match, and says nothing when it cannot be certain.
#include "larder/config/lint.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace larder::config {

namespace {

using Kind = Condition::Kind;

bool caches(const RuleConfig& r) {
    return !r.pass && (r.ttl || r.ttl_from_origin);
}

// With [identity], the rules module treats a caching rule with visitor = "any" and
// ignore_cookies = false as visitor = "anonymous": logged-in visitors fall through to later rules.
// Without [identity] it matches everyone (and passes visitors with undeclared cookies itself).
Visitor effective_visitor(const RuleConfig& r, const IdentityConfig& identity) {
    if (r.visitor == Visitor::Any && caches(r) && !r.ignore_cookies && identity.knows_visitors())
        return Visitor::Anonymous;
    return r.visitor;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string quoted(std::string_view s) {
    return '"' + std::string(s) + '"';
}

// `"a"` for one item, `["a", "b"]` for several, as the operator would have written it.
std::string quoted_list(const std::vector<std::string>& items) {
    if (items.size() == 1) return quoted(items.front());
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + quoted(items[i]);
    return out + ']';
}

std::string rule_label(const RuleConfig& r) {
    return "rule " + quoted(r.name);
}

std::string rule_label_with_line(const RuleConfig& r) {
    return rule_label(r) + " (line " + std::to_string(r.line) + ')';
}

// ---- conditions -------------------------------------------------------------------------------

// One of a rule's three condition tables.
struct ConditionSet {
    const char* what;  // "cookie", "query parameter", "header"
    bool case_insensitive;
    const std::vector<Condition>& conditions;
};

std::array<ConditionSet, 3> condition_sets(const RuleConfig& r) {
    return {ConditionSet{"query parameter", false, r.query},
            ConditionSet{"cookie", false, r.cookies}, ConditionSet{"header", true, r.headers}};
}

bool same_name(const ConditionSet& set, std::string_view a, std::string_view b) {
    return set.case_insensitive ? iequals(a, b) : a == b;
}

std::string describe(const Condition& c) {
    switch (c.kind) {
        case Kind::Present:
            return "present";
        case Kind::Absent:
            return "absent";
        case Kind::Empty:
            return "empty";
        case Kind::Equals:
            return "equal to " + quoted(c.value);
        case Kind::Regex:
            return "matching " + quoted(c.value);
    }
    return "?";
}

// Two conditions on the same name that no value (or absence of one) satisfies together.
bool contradict(const Condition& a, const Condition& b) {
    if ((a.kind == Kind::Absent) != (b.kind == Kind::Absent)) return true;
    if (a.kind == Kind::Equals && b.kind == Kind::Equals) return a.value != b.value;
    if (a.kind == Kind::Empty && b.kind == Kind::Equals) return !b.value.empty();
    if (a.kind == Kind::Equals && b.kind == Kind::Empty) return !a.value.empty();
    return false;
}

// Every value (or absence) that satisfies `later` satisfies `earlier` (same name).
bool implies(const Condition& later, const Condition& earlier) {
    switch (earlier.kind) {
        case Kind::Present:
            return later.kind != Kind::Absent;
        case Kind::Absent:
            return later.kind == Kind::Absent;
        case Kind::Empty:
            return later.kind == Kind::Empty || (later.kind == Kind::Equals && later.value.empty());
        case Kind::Equals:
            return (later.kind == Kind::Equals && later.value == earlier.value) ||
                   (later.kind == Kind::Empty && earlier.value.empty());
        case Kind::Regex:
            return later.kind == Kind::Regex && later.value == earlier.value;
    }
    return false;
}

// Why the rule's conditions cannot all hold, or nullopt.
std::optional<std::string> condition_conflict(const RuleConfig& r) {
    for (const ConditionSet& set : condition_sets(r)) {
        const auto& cs = set.conditions;
        for (std::size_t i = 0; i < cs.size(); ++i) {
            for (std::size_t j = i + 1; j < cs.size(); ++j) {
                if (same_name(set, cs[i].name, cs[j].name) && contradict(cs[i], cs[j])) {
                    return std::string(set.what) + ' ' + quoted(cs[i].name) + " must be both " +
                           describe(cs[i]) + " and " + describe(cs[j]);
                }
            }
        }
    }
    // A cookie condition other than "absent", or a visitor that must be logged in (known only
    // from cookies), needs the Cookie header that the rule says is absent.
    const bool no_cookie_header = std::any_of(r.headers.begin(), r.headers.end(), [](auto& c) {
        return iequals(c.name, "cookie") && c.kind == Kind::Absent;
    });
    if (no_cookie_header) {
        for (const auto& c : r.cookies) {
            if (c.kind != Kind::Absent) {
                return "header \"Cookie\" must be absent, but cookie " + quoted(c.name) +
                       " must be " + describe(c);
            }
        }
        if (r.visitor == Visitor::Authenticated) {
            return "header \"Cookie\" must be absent, but visitor = \"authenticated\" is known "
                   "only from cookies";
        }
    }
    return std::nullopt;
}

// `earlier` holds for every request `later` holds for, in each of the three tables.
bool conditions_cover(const RuleConfig& earlier, const RuleConfig& later) {
    const auto e_sets = condition_sets(earlier);
    const auto l_sets = condition_sets(later);
    for (std::size_t s = 0; s < e_sets.size(); ++s) {
        for (const auto& e : e_sets[s].conditions) {
            const auto& ls = l_sets[s].conditions;
            const bool implied = std::any_of(ls.begin(), ls.end(), [&](const Condition& l) {
                return same_name(e_sets[s], l.name, e.name) && implies(l, e);
            });
            if (!implied) return false;
        }
    }
    return true;
}

// ---- paths ------------------------------------------------------------------------------------

// The part of a path pattern before its first '*' (all of it for an exact path): every path the
// pattern matches starts with it.
std::string_view literal_head(std::string_view pattern) {
    return pattern.substr(0, pattern.find('*'));
}

bool is_glob(std::string_view pattern) {
    return pattern.find('*') != std::string_view::npos;
}

// Same semantics as rules::Glob: '*' is any run of characters, '/' included.
bool glob_matches(std::string_view pattern, std::string_view text) {
    if (!is_glob(pattern)) return text == pattern;
    std::vector<std::string_view> pieces;
    for (std::size_t start = 0;;) {
        const std::size_t star = pattern.find('*', start);
        pieces.push_back(pattern.substr(
            start, star == std::string_view::npos ? std::string_view::npos : star - start));
        if (star == std::string_view::npos) break;
        start = star + 1;
    }
    const std::string_view first = pieces.front();
    const std::string_view last = pieces.back();
    if (text.size() < first.size() + last.size()) return false;
    if (!text.starts_with(first) || !text.ends_with(last)) return false;
    text.remove_prefix(first.size());
    text.remove_suffix(last.size());
    for (std::size_t i = 1; i + 1 < pieces.size(); ++i) {
        if (pieces[i].empty()) continue;
        const std::size_t at = text.find(pieces[i]);
        if (at == std::string_view::npos) return false;
        text.remove_prefix(at + pieces[i].size());
    }
    return true;
}

// For "X*" (a single '*', at the end): X. Such a glob is a path prefix in disguise.
std::optional<std::string_view> trailing_star_prefix(std::string_view glob) {
    if (glob.empty() || glob.find('*') != glob.size() - 1) return std::nullopt;
    return glob.substr(0, glob.size() - 1);
}

// Every path `later` (exact or glob) matches is matched by the glob or exact path `earlier`.
bool path_covers(std::string_view earlier, std::string_view later) {
    if (!is_glob(later)) return glob_matches(earlier, later);
    if (earlier == later) return true;
    const auto prefix = trailing_star_prefix(earlier);
    return prefix && literal_head(later).starts_with(*prefix);
}

// Every path the later rule lets through is one of `globs` (the earlier rule's `path`).
bool within_globs(const RuleConfig& later, const std::vector<std::string>& globs) {
    auto covered = [&](auto&& one) { return std::any_of(globs.begin(), globs.end(), one); };
    if (!later.paths.empty() && std::all_of(later.paths.begin(), later.paths.end(), [&](auto& p) {
            return covered([&](const std::string& g) { return path_covers(g, p); });
        })) {
        return true;
    }
    return !later.path_prefixes.empty() &&
           std::all_of(later.path_prefixes.begin(), later.path_prefixes.end(), [&](auto& q) {
               return covered([&](const std::string& g) {
                   const auto prefix = trailing_star_prefix(g);
                   return prefix && std::string_view(q).starts_with(*prefix);
               });
           });
}

// Every path the later rule lets through starts with one of `prefixes` (the earlier rule's).
bool within_prefixes(const RuleConfig& later, const std::vector<std::string>& prefixes) {
    auto covered = [&](std::string_view head) {
        return std::any_of(prefixes.begin(), prefixes.end(),
                           [&](const std::string& p) { return head.starts_with(p); });
    };
    if (!later.paths.empty() && std::all_of(later.paths.begin(), later.paths.end(),
                                            [&](auto& p) { return covered(literal_head(p)); })) {
        return true;
    }
    return !later.path_prefixes.empty() &&
           std::all_of(later.path_prefixes.begin(), later.path_prefixes.end(),
                       [&](auto& q) { return covered(q); });
}

bool paths_cover(const RuleConfig& earlier, const RuleConfig& later) {
    if (earlier.path_regex && earlier.path_regex != later.path_regex) return false;
    if (!earlier.paths.empty() && !within_globs(later, earlier.paths)) return false;
    if (!earlier.path_prefixes.empty() && !within_prefixes(later, earlier.path_prefixes))
        return false;
    return true;
}

// Some path could match both the path pattern and the prefix.
bool path_fits_prefix(std::string_view path, std::string_view prefix) {
    const std::string_view head = literal_head(path);
    if (!is_glob(path)) return path.starts_with(prefix);
    return head.starts_with(prefix) || prefix.starts_with(head);
}

std::optional<std::string> path_conflict(const RuleConfig& r) {
    if (r.paths.empty() || r.path_prefixes.empty()) return std::nullopt;
    for (const auto& path : r.paths)
        for (const auto& prefix : r.path_prefixes)
            if (path_fits_prefix(path, prefix)) return std::nullopt;
    return "no path in path = " + quoted_list(r.paths) +
           " starts with path_prefix = " + quoted_list(r.path_prefixes);
}

// ---- shadowing --------------------------------------------------------------------------------

// Every member of `later` is in `earlier`; an empty list means "any".
bool list_covers(const std::vector<std::string>& earlier, const std::vector<std::string>& later,
                 bool case_insensitive) {
    if (earlier.empty()) return true;
    if (later.empty()) return false;
    return std::all_of(later.begin(), later.end(), [&](const std::string& l) {
        return std::any_of(earlier.begin(), earlier.end(), [&](const std::string& e) {
            return case_insensitive ? iequals(e, l) : e == l;
        });
    });
}

// `earlier` matches every request `later` matches (so `later` never decides anything).
bool shadows(const RuleConfig& earlier, const RuleConfig& later, const IdentityConfig& identity) {
    const Visitor v = effective_visitor(earlier, identity);
    return (v == Visitor::Any || v == effective_visitor(later, identity)) &&
           list_covers(earlier.methods, later.methods, false) &&
           list_covers(earlier.hosts, later.hosts, true) && paths_cover(earlier, later) &&
           conditions_cover(earlier, later);
}

// ---- static files -----------------------------------------------------------------------------

constexpr std::string_view kStaticDirs[] = {"static", "assets", "media",       "public", "dist",
                                            "build",  "fonts",  "images",      "img",    "css",
                                            "js",     "_next",  "staticfiles", "uploads"};

constexpr std::string_view kStaticExtensions[] = {
    "css",  "js",  "mjs", "map",  "png",   "jpg",  "jpeg", "gif", "svg", "webp",
    "avif", "ico", "bmp", "woff", "woff2", "ttf",  "otf",  "eot", "txt", "xml",
    "pdf",  "mp3", "mp4", "webm", "ogg",   "wasm", "zip",  "gz"};

bool static_extension(std::string_view ext) {
    return std::find(std::begin(kStaticExtensions), std::end(kStaticExtensions), ext) !=
           std::end(kStaticExtensions);
}

bool static_dir(std::string_view segment) {
    return std::find(std::begin(kStaticDirs), std::end(kStaticDirs), segment) !=
           std::end(kStaticDirs);
}

// "/static/", "/assets/app.css", "/*.png", "/robots.txt": a directory of static files, or a
// file name with a static extension.
bool static_path(std::string_view pattern) {
    const std::string path = lower(pattern);
    std::string_view rest = path;
    while (true) {
        const std::size_t slash = rest.find('/');
        const std::string_view segment = rest.substr(0, slash);
        if (static_dir(segment)) return true;
        if (slash == std::string_view::npos) {
            const std::size_t dot = segment.rfind('.');
            return dot != std::string_view::npos && static_extension(segment.substr(dot + 1));
        }
        rest.remove_prefix(slash + 1);
    }
}

// A regex is static-looking when it names a static directory ("^/static/") or its last escaped
// dot is followed by a static file extension ("\.css$") or a group of them ("\.(css|js)$").
// Anything fancier ("\.(?:png|jpe?g)") is not understood, so not static-looking.
bool static_regex(std::string_view regex) {
    const std::string text = lower(regex);
    if (std::any_of(std::begin(kStaticDirs), std::end(kStaticDirs), [&](std::string_view dir) {
            return text.find('/' + std::string(dir) + '/') != std::string::npos;
        })) {
        return true;
    }
    const std::size_t dot = text.rfind("\\.");
    if (dot == std::string::npos) return false;
    std::string_view ext = std::string_view(text).substr(dot + 2);
    auto word = [](std::string_view s) {
        std::size_t n = 0;
        while (n < s.size() && std::isalnum(static_cast<unsigned char>(s[n]))) ++n;
        return s.substr(0, n);
    };
    if (!ext.starts_with('(')) return static_extension(word(ext));
    ext.remove_prefix(1);
    while (true) {  // "(css|js)": every alternative a static extension
        const std::string_view alternative = word(ext);
        if (!static_extension(alternative)) return false;
        ext.remove_prefix(alternative.size());
        if (ext.starts_with(')')) return true;
        if (!ext.starts_with('|')) return false;
        ext.remove_prefix(1);
    }
}

bool static_looking(const RuleConfig& r) {
    if (r.paths.empty() && r.path_prefixes.empty() && !r.path_regex) return false;
    return std::all_of(r.paths.begin(), r.paths.end(), [](auto& p) { return static_path(p); }) &&
           std::all_of(r.path_prefixes.begin(), r.path_prefixes.end(),
                       [](auto& p) { return static_path(p); }) &&
           (!r.path_regex || static_regex(*r.path_regex));
}

// ---- the checks -------------------------------------------------------------------------------

std::string methods_problem(const RuleConfig& r) {
    std::string methods;
    for (const auto& m : r.methods) methods += (methods.empty() ? "" : ", ") + m;
    return rule_label(r) + " caches, but its methods (" + methods +
           ") include neither GET nor HEAD: only GET and HEAD responses are ever cached, so "
           "every request it matches passes to the app; add \"GET\", or use pass = true";
}

bool gets(const RuleConfig& r) {
    return r.methods.empty() || std::any_of(r.methods.begin(), r.methods.end(), [](auto& m) {
               return iequals(m, "GET") || iequals(m, "HEAD");
           });
}

void lint_identity(const Config& config, std::vector<Warning>& out) {
    const IdentityConfig& identity = config.identity;
    if (!identity.knows_visitors()) {
        const auto& rules = config.rules;
        const auto first = std::find_if(rules.begin(), rules.end(), [](const RuleConfig& r) {
            return caches(r) && !r.ignore_cookies;
        });
        if (first != rules.end()) {
            std::string cookies = "any cookie";
            if (!identity.anonymous_cookies.empty()) {
                cookies = "a cookie other than the anonymous_cookies (";
                const std::size_t shown =
                    std::min<std::size_t>(3, identity.anonymous_cookies.size());
                for (std::size_t i = 0; i < shown; ++i)
                    cookies += (i ? ", " : "") + identity.anonymous_cookies[i];
                cookies += identity.anonymous_cookies.size() > shown ? ", ...)" : ")";
            }
            out.push_back({first->line, "identity",
                           "no [identity]: requests to caching rules that carry " + cookies +
                               " pass to the app; add [identity] to let anonymous visitors with "
                               "a session cookie hit"});
        }
    }
    if (identity.django_session && !identity.django_session->signed_cookies() &&
        !identity.django_session->login_cookie) {
        out.push_back({0, "identity.django_session",
                       "every visitor with a " + identity.django_session->cookie +
                           " cookie is treated as logged in (server-side sessions cannot be "
                           "read); set login_cookie to a marker cookie your app sets at login"});
    }
}

}  // namespace

std::vector<Warning> lint(const Config& config) {
    std::vector<Warning> out;
    const auto& rules = config.rules;
    // A rule whose own matchers contradict each other matches nothing, so it shadows nothing.
    std::vector<bool> matches_nothing(rules.size(), false);
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const RuleConfig& rule = rules[i];
        const std::string key = "rules[" + std::to_string(i) + ']';
        auto warn = [&](std::string message) {
            out.push_back({rule.line, key, std::move(message)});
        };

        auto conflict = condition_conflict(rule);
        if (!conflict) conflict = path_conflict(rule);
        if (conflict) {
            matches_nothing[i] = true;
            warn(rule_label(rule) + " can never match: " + *conflict);
        }
        if (caches(rule) && !gets(rule)) warn(methods_problem(rule));
        if (!matches_nothing[i]) {
            for (std::size_t j = 0; j < i; ++j) {
                if (!matches_nothing[j] && shadows(rules[j], rule, config.identity)) {
                    warn(rule_label_with_line(rule) + " can never match: " +
                         rule_label_with_line(rules[j]) + " matches every request it would");
                    break;
                }
            }
        }
        // Fetches for a caching rule send only the cookies it keys on (docs/privacy.md).
        const bool keys_on_cookie = !rule.vary_cookies.empty() ||
                                    (rule.key && rule.key->find("${cookie:") != std::string::npos);
        if (caches(rule) && rule.visitor == Visitor::Authenticated && !keys_on_cookie) {
            warn(rule_label(rule) +
                 " caches pages for visitor = \"authenticated\": they are fetched without "
                 "cookies, so every member gets one shared page; key on a cookie with "
                 "vary_cookies, or use pass = true");
        }
        if (caches(rule) && rule.ignore_cookies && config.identity.knows_visitors() &&
            !static_looking(rule)) {
            warn(rule_label(rule) +
                 " has ignore_cookies = true: logged-in visitors share this rule's pages; fine "
                 "for static files");
        }
    }
    lint_identity(config, out);
    return out;
}

std::string location(std::string_view file, const Warning& warning) {
    std::string out(file);
    if (warning.line > 0) out += ':' + std::to_string(warning.line);
    return out;
}

}  // namespace larder::config
