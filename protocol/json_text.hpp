#pragma once
// A flat JSON object written straight to text, for the events every delivery and every stored
// message pass through: building an nlohmann document first (a node and a string per member) was
// about 6 % of the server's CPU in the benchmark. The output is byte for byte what nlohmann's
// dump(-1, ' ', false, replace) writes for the same members, sorted or in insertion order; the
// codec's tests hold it to that.
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kelisim::protocol::detail {

// Appends `s` as a JSON string: quoted, with nlohmann's escapes. Ill-formed UTF-8 (which the
// decoder admits nowhere) is written with U+FFFD, as nlohmann's replace handler does.
void append_json_string(std::string& out, std::string_view s);

// Member text already encoded as JSON (a nested object).
struct json_raw {
  std::string text;
};

class json_object_text {
 public:
  // out["key"] = value; keys are string literals that outlive the object.
  class member {
   public:
    template <typename T>
    void operator=(const T& value) {
      owner_.begin_member(key_);
      owner_.put(value);
      owner_.end_member();
    }

   private:
    friend class json_object_text;
    member(json_object_text& owner, std::string_view key) : owner_(owner), key_(key) {}
    json_object_text& owner_;
    std::string_view key_;
  };

  member operator[](std::string_view key) { return member(*this, key); }

  enum class order { as_added, sorted };
  // The whole object, "{...}". Sorted means by key, bytewise, as std::map orders them.
  std::string text(order o) const;

 private:
  struct span {
    std::string_view key;
    std::size_t begin = 0;
    std::size_t end = 0;
  };

  void begin_member(std::string_view key) { members_.push_back({key, values_.size(), 0}); }
  void end_member() { members_.back().end = values_.size(); }

  void put(std::string_view s) { append_json_string(values_, s); }
  void put(const std::string& s) { append_json_string(values_, s); }
  void put(const char* s) { append_json_string(values_, s); }
  void put(bool b) { values_ += b ? "true" : "false"; }
  void put(std::nullptr_t) { values_ += "null"; }
  void put(const json_raw& raw) { values_ += raw.text; }
  template <std::integral T>
    requires(!std::same_as<T, bool> && !std::same_as<T, char>)
  void put(T n) {
    put_integer(static_cast<std::int64_t>(n));
  }
  void put(const std::optional<std::string>& s) {
    if (s) put(*s);
    else put(nullptr);
  }
  void put(const std::vector<std::string>& list);
  void put_integer(std::int64_t n);

  std::vector<span> members_;
  std::string values_;
};

}  // namespace kelisim::protocol::detail
