// decode_client: untrusted frames from browsers and tools. Never throws, never crashes on input,
// and refuses with the most precise error it can (code + field + the command id when readable).
#include <limits>
#include <set>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "protocol/codec.hpp"
#include "protocol/field_reader.hpp"
#include "protocol/text.hpp"

namespace kelisim::protocol {
namespace {

using nlohmann::json;
using detail::field_reader;
using detail::text_limits;

constexpr std::int64_t int_min = std::numeric_limits<int>::min();
constexpr std::int64_t int_max = std::numeric_limits<int>::max();
constexpr std::int64_t seq_max = std::numeric_limits<seq_t>::max();

constexpr text_limits message_text{1, max_text_code_points, true};
constexpr text_limits signal_text{0, max_text_code_points, true};
constexpr text_limits caucus_title{0, max_title_code_points, false};
constexpr text_limits removal_reason{0, max_reason_code_points, true};

decode_error refuse(error_code code, std::string message,
                    std::optional<std::string> field = std::nullopt) {
  decode_error e;
  e.code = code;
  e.message = std::move(message);
  e.field = std::move(field);
  return e;
}

// Counts bracket depth outside strings before the parser sees the text, so a frame of 100,000
// '[' is refused in one linear pass without building anything.
bool nesting_within(std::string_view text, int max_depth) noexcept {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '{':
      case '[':
        if (++depth > max_depth) return false;
        break;
      case '}':
      case ']': --depth; break;
      default: break;
    }
  }
  return true;
}

// Parses without exceptions and refuses duplicate keys: {"type":"say","type":"admit"} would
// otherwise mean whatever the last parser in the chain decides it means.
std::optional<json> parse_object_text(std::string_view text, std::string& why) noexcept {
  try {
    std::vector<std::set<std::string>> keys_per_object;
    bool duplicate = false;
    auto watch_keys = [&](int, json::parse_event_t event, json& parsed) {
      switch (event) {
        case json::parse_event_t::object_start: keys_per_object.emplace_back(); break;
        case json::parse_event_t::object_end:
          if (!keys_per_object.empty()) keys_per_object.pop_back();
          break;
        case json::parse_event_t::key:
          if (!keys_per_object.empty() && parsed.is_string() &&
              !keys_per_object.back().insert(parsed.get<std::string>()).second)
            duplicate = true;
          break;
        default: break;
      }
      return true;
    };
    json j = json::parse(text, watch_keys, false);
    if (j.is_discarded()) {
      why = "not valid JSON";
      return std::nullopt;
    }
    if (duplicate) {
      why = "duplicate key in an object";
      return std::nullopt;
    }
    return j;
  } catch (...) {
    // parse() reports through is_discarded(); only resource exhaustion lands here.
    why = "could not parse";
    return std::nullopt;
  }
}

// ---- one reader per client command: the fields of PROTOCOL.md, nothing else ----

template <typename T>
using as = std::type_identity<T>;

cmd::accept_rules read(field_reader&, as<cmd::accept_rules>) { return {}; }
cmd::say read(field_reader& r, as<cmd::say>) {
  cmd::say c;
  c.channel = r.identifier("channel");
  c.text = r.text("text", message_text);
  c.shareable = r.optional_boolean("shareable").value_or(false);
  c.translates = r.optional_integer("translates", 1, seq_max);
  return c;
}
cmd::raise_hand read(field_reader&, as<cmd::raise_hand>) { return {}; }
cmd::lower_hand read(field_reader&, as<cmd::lower_hand>) { return {}; }
cmd::yield_floor read(field_reader&, as<cmd::yield_floor>) { return {}; }
cmd::signal_mediator read(field_reader& r, as<cmd::signal_mediator>) {
  cmd::signal_mediator c;
  c.text = r.optional_text("text", signal_text).value_or("");
  return c;
}
template <typename T>
T read_participant(field_reader& r) {
  T c;
  c.participant = r.identifier("participant");
  return c;
}
cmd::admit read(field_reader& r, as<cmd::admit>) { return read_participant<cmd::admit>(r); }
cmd::deny read(field_reader& r, as<cmd::deny>) { return read_participant<cmd::deny>(r); }
cmd::grant_floor read(field_reader& r, as<cmd::grant_floor>) {
  return read_participant<cmd::grant_floor>(r);
}
cmd::revoke_floor read(field_reader&, as<cmd::revoke_floor>) { return {}; }
cmd::set_turn_mode read(field_reader& r, as<cmd::set_turn_mode>) {
  cmd::set_turn_mode c;
  c.mode = r.enumerated("mode", &turn_mode_from_string);
  c.turn_seconds = static_cast<int>(r.integer("turn_seconds", 0, max_turn_seconds));
  c.order = r.optional_identifier_list("order", max_turn_order_length);
  return c;
}
cmd::open_caucus read(field_reader& r, as<cmd::open_caucus>) {
  cmd::open_caucus c;
  c.members = r.identifier_list("members", max_caucus_members);
  c.title = r.optional_text("title", caucus_title).value_or("");
  return c;
}
template <typename T>
T read_caucus(field_reader& r) {
  T c;
  c.caucus = r.identifier("caucus");
  return c;
}
cmd::close_caucus read(field_reader& r, as<cmd::close_caucus>) {
  return read_caucus<cmd::close_caucus>(r);
}
cmd::join_caucus read(field_reader& r, as<cmd::join_caucus>) {
  return read_caucus<cmd::join_caucus>(r);
}
cmd::leave_caucus read(field_reader& r, as<cmd::leave_caucus>) {
  return read_caucus<cmd::leave_caucus>(r);
}
cmd::mute read(field_reader& r, as<cmd::mute>) { return read_participant<cmd::mute>(r); }
cmd::unmute read(field_reader& r, as<cmd::unmute>) { return read_participant<cmd::unmute>(r); }
cmd::remove read(field_reader& r, as<cmd::remove>) {
  cmd::remove c;
  c.participant = r.identifier("participant");
  c.reason = r.optional_text("reason", removal_reason).value_or("");
  return c;
}
cmd::pause read(field_reader&, as<cmd::pause>) { return {}; }
cmd::resume read(field_reader&, as<cmd::resume>) { return {}; }
cmd::end_session read(field_reader&, as<cmd::end_session>) { return {}; }
cmd::draft_agreement read(field_reader& r, as<cmd::draft_agreement>) {
  cmd::draft_agreement c;
  c.text = r.text("text", message_text);
  return c;
}
cmd::sign_agreement read(field_reader& r, as<cmd::sign_agreement>) {
  cmd::sign_agreement c;
  c.version = static_cast<int>(r.integer("version", 1, int_max));
  return c;
}

// The client commands are the alternatives before the first internal one; the loop below never
// reaches internal commands, so no frame can produce one.
template <typename T, typename Variant, std::size_t I = 0>
constexpr std::size_t index_in() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, Variant>, T>) return I;
  else return index_in<T, Variant, I + 1>();
}
constexpr std::size_t client_command_count = index_in<cmd::create_room, command>();

// The command whose wire name is `type`, read from `r`; nullopt when no client command has it.
template <std::size_t I = 0>
std::optional<command> read_command(std::string_view type, field_reader& r) {
  if constexpr (I == client_command_count) {
    return std::nullopt;
  } else {
    using command_type = std::variant_alternative_t<I, command>;
    if (command_name(command{std::in_place_index<I>}) == type)
      return command{std::in_place_index<I>, read(r, as<command_type>{})};
    return read_command<I + 1>(type, r);
  }
}

hello read_hello(field_reader& r) {
  hello h;
  // Any integer is a version; the server, not the decoder, answers unsupported_version.
  h.v = static_cast<int>(r.integer("v", int_min, int_max));
  // Any string: judging a token (garbage -> unauthorized) is the authenticator's job.
  h.token = r.string("token");
  h.resume_after = r.optional_integer("resume_after", 0, seq_max);
  return h;
}

std::variant<client_message, decode_error> decode_object(const json& j) {
  if (!j.is_object()) return refuse(error_code::bad_message, "a frame must be a JSON object");
  const auto type_it = j.find("type");
  if (type_it == j.end() || !type_it->is_string())
    return refuse(error_code::bad_message, "type: missing or not a string", "type");
  const auto& type = type_it->get_ref<const std::string&>();

  field_reader r{j};
  if (type == "hello") {
    hello h = read_hello(r);
    if (r.failed()) return r.take_error();
    return client_message{std::move(h)};
  }

  // Read the id first so that every later refusal can answer the command it refuses.
  std::optional<std::string> id;
  if (const auto id_it = j.find("id");
      id_it != j.end() && id_it->is_string() &&
      detail::is_identifier(id_it->get_ref<const std::string&>()))
    id = id_it->get_ref<const std::string&>();

  std::optional<command> body;
  if (!type.empty()) body = read_command(type, r);
  if (!body && !r.failed()) {
    decode_error e = refuse(error_code::unknown_type, "unknown message type", "type");
    e.id = std::move(id);
    return e;
  }
  if (!id) {
    return refuse(error_code::invalid_field, "id: missing or not 1-64 printable ASCII characters",
                  "id");
  }
  if (r.failed()) {
    decode_error e = r.take_error();
    e.id = std::move(id);
    return e;
  }
  return client_message{command_message{std::move(*id), std::move(*body)}};
}

}  // namespace

std::variant<client_message, decode_error> decode_client(std::string_view frame) noexcept {
  if (frame.size() > max_frame_bytes)
    return refuse(error_code::too_large,
                  "frame larger than " + std::to_string(max_frame_bytes) + " bytes");
  if (frame.empty()) return refuse(error_code::bad_message, "empty frame");
  if (!valid_utf8(frame)) return refuse(error_code::bad_message, "frame is not valid UTF-8");
  if (!nesting_within(frame, max_json_depth))
    return refuse(error_code::bad_message,
                  "JSON nested deeper than " + std::to_string(max_json_depth) + " levels");
  std::string why;
  const auto parsed = parse_object_text(frame, why);
  if (!parsed) return refuse(error_code::bad_message, why);
  return decode_object(*parsed);
}

}  // namespace kelisim::protocol
