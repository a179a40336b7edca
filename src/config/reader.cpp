// detail::Reader: typed access to one TOML table with positioned errors and unknown-key checks.
#include "reader.hpp"

#include <algorithm>
#include <sstream>

#include "larder/config/loader.hpp"
#include "suggest.hpp"

namespace larder::config::detail {

namespace {

int to_int(toml::source_index i) {
    return static_cast<int>(i);
}

bool is_bare_key(std::string_view key) {
    if (key.empty()) return false;
    return std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

}  // namespace

std::string_view type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a float";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::table:
            return "a table";
        default:
            return "nothing";
    }
}

std::string show(const toml::node& node) {
    if (const auto* s = node.as_string()) return '"' + s->get() + '"';
    if (node.is_table() || node.is_array()) return std::string(type_name(node));
    std::ostringstream out;
    node.visit([&out](const auto& value) { out << value; });
    return out.str();
}

std::string join_key(std::string_view path, std::string_view key) {
    std::string out(path);
    if (!out.empty()) out += '.';
    if (is_bare_key(key)) {
        out += key;
    } else {
        out += '"';
        out += key;
        out += '"';
    }
    return out;
}

Reader::Reader(const std::string& file, const toml::table& table, std::string path)
    : file_(&file), table_(&table), path_(std::move(path)) {}

int Reader::line() const {
    return to_int(table_->source().begin.line);
}

const toml::node* Reader::find(std::string_view name) {
    if (std::find(known_.begin(), known_.end(), name) == known_.end()) {
        known_.emplace_back(name);
    }
    return table_->get(name);
}

void Reader::fail(std::string_view name, const std::string& problem) const {
    const auto it = table_->find(name);
    if (it == table_->end()) fail_here(key(name), problem);
    const auto& begin = it->first.source().begin;
    throw ConfigError(*file_, to_int(begin.line), to_int(begin.column), key(name), problem);
}

void Reader::fail_at(const toml::node& node, const std::string& key,
                     const std::string& problem) const {
    const auto& begin = node.source().begin;
    throw ConfigError(*file_, to_int(begin.line), to_int(begin.column), key, problem);
}

void Reader::fail_here(const std::string& key, const std::string& problem) const {
    const auto& begin = table_->source().begin;
    throw ConfigError(*file_, std::max(1, to_int(begin.line)), std::max(1, to_int(begin.column)),
                      key, problem);
}

void Reader::fail_item(std::string_view name, std::size_t index, const std::string& problem) const {
    const toml::node* node = table_->get(name);
    if (const auto* array = node ? node->as_array() : nullptr; array && index < array->size()) {
        fail_at(*array->get(index), key(name) + '[' + std::to_string(index) + ']', problem);
    }
    fail(name, problem);
}

void expected(const Reader& r, const toml::node& node, const std::string& key,
              const std::string& what) {
    r.fail_at(node, key, "expected " + what + ", got " + show(node));
}

bool Reader::string(std::string_view name, std::string& out, bool allow_empty) {
    const toml::node* node = find(name);
    if (!node) return false;
    const auto* s = node->as_string();
    if (!s) fail(name, "expected a string, got " + std::string(type_name(*node)));
    if (!allow_empty && s->get().empty()) fail(name, "must not be empty");
    out = s->get();
    return true;
}

bool Reader::boolean(std::string_view name, bool& out) {
    const toml::node* node = find(name);
    if (!node) return false;
    const auto* b = node->as_boolean();
    if (!b) fail(name, "expected true or false, got " + show(*node));
    out = b->get();
    return true;
}

bool Reader::integer(std::string_view name, std::int64_t& out, std::int64_t min, std::int64_t max) {
    const toml::node* node = find(name);
    if (!node) return false;
    const auto* i = node->as_integer();
    if (!i) fail(name, "expected an integer, got " + show(*node));
    if (i->get() < min || i->get() > max) {
        fail(name, "expected an integer from " + std::to_string(min) + " to " +
                       std::to_string(max) + ", got " + std::to_string(i->get()));
    }
    out = i->get();
    return true;
}

bool Reader::size(std::string_view name, std::size_t& out, bool allow_zero) {
    const toml::node* node = find(name);
    if (!node) return false;
    std::optional<std::size_t> value;
    if (const auto* i = node->as_integer(); i && i->get() >= 0) {
        value = static_cast<std::size_t>(i->get());
    } else if (const auto* s = node->as_string()) {
        value = parse_size(s->get());
    }
    if (!value) fail(name, "expected a size such as \"16KiB\", got " + show(*node));
    if (*value == 0 && !allow_zero) fail(name, "must be greater than zero");
    out = *value;
    return true;
}

bool Reader::duration(std::string_view name, Duration& out, bool allow_zero) {
    const toml::node* node = find(name);
    if (!node) return false;
    std::optional<Duration> value;
    constexpr std::int64_t max_seconds = std::numeric_limits<Duration::rep>::max() / 1000;
    if (const auto* i = node->as_integer(); i && i->get() >= 0 && i->get() <= max_seconds) {
        value = std::chrono::seconds{i->get()};
    } else if (const auto* s = node->as_string()) {
        value = parse_duration(s->get());
    }
    if (!value) fail(name, "expected a duration such as \"90s\" or \"250ms\", got " + show(*node));
    if (value->count() == 0 && !allow_zero) fail(name, "must be greater than zero");
    out = *value;
    return true;
}

bool Reader::strings(std::string_view name, std::vector<std::string>& out, bool single_ok) {
    const toml::node* node = find(name);
    if (!node) return false;
    const std::string what = single_ok ? "a string or an array of strings" : "an array of strings";
    if (const auto* s = node->as_string()) {
        if (!single_ok) fail(name, "expected " + what + ", got " + show(*node));
        if (s->get().empty()) fail(name, "must not be empty");
        out = {s->get()};
        return true;
    }
    const auto* array = node->as_array();
    if (!array) fail(name, "expected " + what + ", got " + std::string(type_name(*node)));
    std::vector<std::string> values;
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::node& element = *array->get(i);
        const std::string element_key = key(name) + '[' + std::to_string(i) + ']';
        const auto* s = element.as_string();
        if (!s) fail_at(element, element_key, "expected a string, got " + show(element));
        if (s->get().empty()) fail_at(element, element_key, "must not be empty");
        values.push_back(s->get());
    }
    out = std::move(values);
    return true;
}

std::optional<Reader> Reader::table(std::string_view name) {
    const toml::node* node = find(name);
    if (!node) return std::nullopt;
    const auto* t = node->as_table();
    if (!t) fail(name, "expected a table, got " + show(*node));
    return Reader(*file_, *t, key(name));
}

void Reader::finish() const {
    const toml::key* first = nullptr;
    for (const auto& [k, value] : *table_) {
        if (std::find(known_.begin(), known_.end(), k.str()) != known_.end()) continue;
        const auto& here = k.source().begin;
        if (!first || here.line < first->source().begin.line ||
            (here.line == first->source().begin.line &&
             here.column < first->source().begin.column)) {
            first = &k;
        }
    }
    if (!first) return;
    std::string problem = "unknown key";
    if (auto suggestion = closest(first->str(), known_)) {
        problem += " (did you mean \"" + *suggestion + "\"?)";
    }
    const auto& begin = first->source().begin;
    throw ConfigError(*file_, to_int(begin.line), to_int(begin.column), key(first->str()), problem);
}

}  // namespace larder::config::detail
