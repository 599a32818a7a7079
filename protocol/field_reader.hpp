#pragma once
// Internal to the codec (not part of the protocol library's interface).
// Reads the fields of one parsed JSON object with the spec's rules and keeps the first failure
// as a decode_error naming the field, so a decoder reads straight down and checks once at the end.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/messages.hpp"

namespace kelisim::protocol::detail {

// What a free-text field may hold, in Unicode code points.
struct text_limits {
  std::size_t min_code_points = 0;
  std::size_t max_code_points = max_text_code_points;
  bool multiline = true;  // allows TAB, LF and CR; other control characters never pass
};

// 1..64 printable ASCII characters (0x21-0x7E): command ids, participant and caucus ids, channels.
bool is_identifier(std::string_view s) noexcept;

class field_reader {
 public:
  explicit field_reader(const nlohmann::json& object) noexcept : object_(object) {}

  bool failed() const noexcept { return error_.has_value(); }
  decode_error take_error() { return std::move(*error_); }
  void fail(error_code code, std::string message, std::string_view field);

  // --- untrusted client fields: syntax and limits of the spec ---
  std::string identifier(std::string_view key);
  std::vector<std::string> identifier_list(std::string_view key, std::size_t max_entries);
  std::optional<std::vector<std::string>> optional_identifier_list(std::string_view key,
                                                                   std::size_t max_entries);
  std::string text(std::string_view key, text_limits limits);
  std::optional<std::string> optional_text(std::string_view key, text_limits limits);

  // --- any content, types checked (the transcript's own output) ---
  std::string string(std::string_view key);
  std::optional<std::string> nullable_string(std::string_view key);  // absent or null -> nullopt
  std::vector<std::string> string_list(std::string_view key);        // absent -> empty
  std::optional<time_ms> optional_timestamp(std::string_view key);
  time_ms timestamp(std::string_view key);

  // --- shared ---
  // JSON integer literals only (no fraction, no exponent), within [min, max].
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min,
                                               std::int64_t max);
  bool boolean(std::string_view key);
  std::optional<bool> optional_boolean(std::string_view key);

  // A string naming one value of an enum; `parse` is the enum's *_from_string.
  template <typename Enum>
  Enum enumerated(std::string_view key, std::optional<Enum> (*parse)(std::string_view) noexcept) {
    const std::string name = string(key);
    if (failed()) return Enum{};
    if (const auto value = parse(name)) return *value;
    fail(error_code::invalid_field, "unknown value \"" + name + "\"", key);
    return Enum{};
  }

 private:
  // The value under `key`; reports a missing field unless `optional`. Null counts as absent
  // for optional fields only. nullptr after any failure, so later reads are no-ops.
  const nlohmann::json* lookup(std::string_view key, bool optional);

  const nlohmann::json& object_;
  std::optional<decode_error> error_;
};

}  // namespace kelisim::protocol::detail
