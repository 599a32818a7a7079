#include "protocol/json_text.hpp"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "protocol/text.hpp"

namespace kelisim::protocol::detail {

void append_json_string(std::string& out, std::string_view s) {
  if (!valid_utf8(s)) {
    // Rare enough to leave to nlohmann, whose way of replacing bad sequences we must match.
    out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  constexpr std::string_view hex = "0123456789abcdef";
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  std::size_t plain_from = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s, plain_from, i - plain_from);
    plain_from = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xF];
    }
  }
  out.append(s, plain_from);
  out += '"';
}

void json_object_text::put(const std::vector<std::string>& list) {
  values_ += '[';
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i > 0) values_ += ',';
    append_json_string(values_, list[i]);
  }
  values_ += ']';
}

void json_object_text::put_integer(std::int64_t n) {
  char digits[24];
  const auto written = std::to_chars(digits, digits + sizeof digits, n);
  values_.append(digits, written.ptr);
}

std::string json_object_text::text(order o) const {
  std::string out;
  out.reserve(values_.size() + members_.size() * 16 + 2);
  const auto write = [&](const std::vector<span>& members) {
    out += '{';
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i > 0) out += ',';
      append_json_string(out, members[i].key);
      out += ':';
      out.append(values_, members[i].begin, members[i].end - members[i].begin);
    }
    out += '}';
  };
  if (o == order::as_added) {
    write(members_);
    return out;
  }
  auto sorted = members_;
  std::sort(sorted.begin(), sorted.end(), [](const span& a, const span& b) { return a.key < b.key; });
  write(sorted);
  return out;
}

}  // namespace kelisim::protocol::detail
