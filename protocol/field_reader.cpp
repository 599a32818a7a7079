#include "protocol/field_reader.hpp"

#include <algorithm>
#include <limits>

#include "protocol/codec.hpp"
#include "protocol/text.hpp"

namespace kelisim::protocol::detail {

using nlohmann::json;

bool is_identifier(std::string_view s) noexcept {
  return !s.empty() && s.size() <= max_command_id_length &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
}

void field_reader::fail(error_code code, std::string message, std::string_view field) {
  if (error_) return;
  decode_error e;
  e.code = code;
  e.message = std::string(field) + ": " + std::move(message);
  e.field = std::string(field);
  error_ = std::move(e);
}

const json* field_reader::lookup(std::string_view key, bool optional) {
  if (error_) return nullptr;
  const auto it = object_.find(key);
  if (it == object_.end() || (optional && it->is_null())) {
    if (!optional) fail(error_code::invalid_field, "missing", key);
    return nullptr;
  }
  return &*it;
}

std::string field_reader::string(std::string_view key) {
  const json* v = lookup(key, false);
  if (!v) return {};
  if (!v->is_string()) {
    fail(error_code::invalid_field, "must be a string", key);
    return {};
  }
  return v->get_ref<const std::string&>();
}

std::optional<std::string> field_reader::nullable_string(std::string_view key) {
  const json* v = lookup(key, true);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    fail(error_code::invalid_field, "must be a string or null", key);
    return std::nullopt;
  }
  return v->get_ref<const std::string&>();
}

std::vector<std::string> field_reader::string_list(std::string_view key) {
  const json* v = lookup(key, true);
  if (!v) return {};
  if (!v->is_array()) {
    fail(error_code::invalid_field, "must be an array of strings", key);
    return {};
  }
  std::vector<std::string> out;
  out.reserve(v->size());
  for (const json& item : *v) {
    if (!item.is_string()) {
      fail(error_code::invalid_field, "must be an array of strings", key);
      return {};
    }
    out.push_back(item.get_ref<const std::string&>());
  }
  return out;
}

std::string field_reader::identifier(std::string_view key) {
  std::string s = string(key);
  if (!failed() && !is_identifier(s))
    fail(error_code::invalid_field, "must be 1-64 printable ASCII characters", key);
  return s;
}

std::optional<std::vector<std::string>> field_reader::optional_identifier_list(
    std::string_view key, std::size_t max_entries) {
  const json* v = lookup(key, true);
  if (!v) return std::nullopt;
  if (!v->is_array() || v->empty()) {
    fail(error_code::invalid_field, "must be a non-empty array of ids", key);
    return std::nullopt;
  }
  if (v->size() > max_entries) {
    fail(error_code::invalid_field, "more than " + std::to_string(max_entries) + " entries", key);
    return std::nullopt;
  }
  std::vector<std::string> out;
  out.reserve(v->size());
  for (const json& item : *v) {
    if (!item.is_string() || !is_identifier(item.get_ref<const std::string&>())) {
      fail(error_code::invalid_field, "entries must be 1-64 printable ASCII characters", key);
      return std::nullopt;
    }
    const auto& id = item.get_ref<const std::string&>();
    // A list of people names each person once; a repeat is a client bug, not a wish.
    if (std::find(out.begin(), out.end(), id) != out.end()) {
      fail(error_code::invalid_field, "duplicate entry \"" + id + "\"", key);
      return std::nullopt;
    }
    out.push_back(id);
  }
  return out;
}

std::vector<std::string> field_reader::identifier_list(std::string_view key,
                                                       std::size_t max_entries) {
  if (failed()) return {};
  auto list = optional_identifier_list(key, max_entries);
  if (!list && !failed()) fail(error_code::invalid_field, "missing", key);
  return list ? std::move(*list) : std::vector<std::string>{};
}

std::optional<std::string> field_reader::optional_text(std::string_view key, text_limits limits) {
  const json* v = lookup(key, true);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    fail(error_code::invalid_field, "must be a string", key);
    return std::nullopt;
  }
  const auto& s = v->get_ref<const std::string&>();
  // The JSON parser has already refused ill-formed UTF-8; this guards documents built elsewhere.
  if (!valid_utf8(s)) {
    fail(error_code::bad_message, "invalid UTF-8", key);
    return std::nullopt;
  }
  const std::size_t length = code_points(s);
  if (length > limits.max_code_points) {
    fail(error_code::too_large,
         "longer than " + std::to_string(limits.max_code_points) + " characters", key);
    return std::nullopt;
  }
  if (length < limits.min_code_points) {
    fail(error_code::invalid_field, "must not be empty", key);
    return std::nullopt;
  }
  const bool has_forbidden_control = std::any_of(s.begin(), s.end(), [&](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7F) return false;
    return !(limits.multiline && (c == '\t' || c == '\n' || c == '\r'));
  });
  if (has_forbidden_control) {
    fail(error_code::invalid_field, "contains control characters", key);
    return std::nullopt;
  }
  return s;
}

std::string field_reader::text(std::string_view key, text_limits limits) {
  if (failed()) return {};
  auto s = optional_text(key, limits);
  if (!s && !failed()) fail(error_code::invalid_field, "missing", key);
  return s ? std::move(*s) : std::string{};
}

std::optional<std::int64_t> field_reader::optional_integer(std::string_view key, std::int64_t min,
                                                           std::int64_t max) {
  const json* v = lookup(key, true);
  if (!v) return std::nullopt;
  // Fractions, exponents and integers beyond 64 bits all arrive as floating point: refused.
  if (!v->is_number_integer()) {
    fail(error_code::invalid_field, "must be an integer", key);
    return std::nullopt;
  }
  std::int64_t value = 0;
  if (v->is_number_unsigned()) {
    const auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      fail(error_code::invalid_field, "out of range", key);
      return std::nullopt;
    }
    value = static_cast<std::int64_t>(u);
  } else {
    value = v->get<std::int64_t>();
  }
  if (value < min || value > max) {
    fail(error_code::invalid_field,
         "must be between " + std::to_string(min) + " and " + std::to_string(max), key);
    return std::nullopt;
  }
  return value;
}

std::int64_t field_reader::integer(std::string_view key, std::int64_t min, std::int64_t max) {
  if (failed()) return 0;
  const auto value = optional_integer(key, min, max);
  if (!value && !failed()) fail(error_code::invalid_field, "missing", key);
  return value.value_or(0);
}

std::optional<bool> field_reader::optional_boolean(std::string_view key) {
  const json* v = lookup(key, true);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    fail(error_code::invalid_field, "must be true or false", key);
    return std::nullopt;
  }
  return v->get<bool>();
}

bool field_reader::boolean(std::string_view key) {
  if (failed()) return false;
  const auto value = optional_boolean(key);
  if (!value && !failed()) fail(error_code::invalid_field, "missing", key);
  return value.value_or(false);
}

std::optional<time_ms> field_reader::optional_timestamp(std::string_view key) {
  const auto s = nullable_string(key);
  if (!s) return std::nullopt;
  const auto t = parse_timestamp(*s);
  if (!t) fail(error_code::invalid_field, "must be an RFC 3339 UTC timestamp with milliseconds", key);
  return t;
}

time_ms field_reader::timestamp(std::string_view key) {
  if (failed()) return 0;
  const auto t = optional_timestamp(key);
  if (!t && !failed()) fail(error_code::invalid_field, "missing", key);
  return t.value_or(0);
}

}  // namespace kelisim::protocol::detail
