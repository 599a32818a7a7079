// Encoding of every protocol v1 message, and the canonical transcript form of events.
// Wire messages keep the documented field order ("type" first) for readable logs; the canonical
// form sorts keys so that the same event always has the same bytes (and the same hash).
#include "protocol/codec.hpp"

#include <array>
#include <stdexcept>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "protocol/field_reader.hpp"
#include "protocol/json_text.hpp"

namespace kelisim::protocol {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// The decoder admits no ill-formed UTF-8; should a string built elsewhere carry some, encoding
// substitutes U+FFFD instead of throwing in the middle of a fan-out.
template <typename Json>
std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string name(std::string_view s) { return std::string(s); }

template <typename Json>
Json nullable(const std::optional<std::string>& s) {
  return s ? Json(*s) : Json(nullptr);
}

constexpr std::array audience_scope_names{"everyone", "admitted", "mediators", "caucus"};

std::optional<audience_scope> audience_scope_from_string(std::string_view s) noexcept {
  for (std::size_t i = 0; i < audience_scope_names.size(); ++i)
    if (s == audience_scope_names[i]) return static_cast<audience_scope>(i);
  return std::nullopt;
}

// ---- event bodies: the kind's fields, flat beside seq/ts/kind/actor ----

struct event_fields {
  detail::json_object_text& out;

  void operator()(const ev::room_created& e) const {
    out["title"] = e.title;
    out["language"] = e.language;
    out["mode"] = name(to_string(e.mode));
    out["turn_seconds"] = e.turn_seconds;
    out["rules"] = e.rules;
  }
  void operator()(const ev::joined_lobby& e) const {
    out["participant"] = e.participant;
    out["name"] = e.name;
    out["role"] = name(to_string(e.as));
    out["side"] = e.side;
  }
  void operator()(const ev::rules_accepted& e) const { out["participant"] = e.participant; }
  void operator()(const ev::admitted& e) const { out["participant"] = e.participant; }
  void operator()(const ev::denied& e) const { out["participant"] = e.participant; }
  void operator()(const ev::message& e) const {
    out["channel"] = e.channel;
    out["text"] = e.text;
    out["shareable"] = e.shareable;
    if (e.translates) out["translates"] = *e.translates;
  }
  void operator()(const ev::hand_raised& e) const { out["participant"] = e.participant; }
  void operator()(const ev::hand_lowered& e) const { out["participant"] = e.participant; }
  void operator()(const ev::floor_granted& e) const {
    out["participant"] = e.participant;
    if (e.deadline) out["deadline"] = format_timestamp(*e.deadline);
  }
  void operator()(const ev::floor_released& e) const {
    out["participant"] = e.participant;
    out["reason"] = name(to_string(e.reason));
  }
  void operator()(const ev::turn_mode_changed& e) const {
    out["mode"] = name(to_string(e.mode));
    out["turn_seconds"] = e.turn_seconds;
    out["order"] = e.order;
  }
  void operator()(const ev::caucus_opened& e) const {
    out["caucus"] = e.caucus;
    out["members"] = e.members;
    out["title"] = e.title;
  }
  void operator()(const ev::caucus_closed& e) const { out["caucus"] = e.caucus; }
  void operator()(const ev::caucus_joined& e) const {
    out["caucus"] = e.caucus;
    out["participant"] = e.participant;
  }
  void operator()(const ev::caucus_left& e) const {
    out["caucus"] = e.caucus;
    out["participant"] = e.participant;
  }
  void operator()(const ev::mediator_signalled& e) const { out["text"] = e.text; }
  void operator()(const ev::muted& e) const { out["participant"] = e.participant; }
  void operator()(const ev::unmuted& e) const { out["participant"] = e.participant; }
  void operator()(const ev::removed& e) const {
    out["participant"] = e.participant;
    out["reason"] = e.reason;
  }
  void operator()(const ev::paused&) const {}
  void operator()(const ev::resumed&) const {}
  void operator()(const ev::session_ended&) const {}
  void operator()(const ev::agreement_drafted& e) const {
    out["version"] = e.version;
    out["text"] = e.text;
  }
  void operator()(const ev::agreement_signed& e) const {
    out["version"] = e.version;
    out["participant"] = e.participant;
  }
  void operator()(const ev::agreement_voided& e) const {
    out["version"] = e.version;
    out["participant"] = e.participant;
  }
};

void put_event_header(detail::json_object_text& out, const event& e) {
  out["seq"] = e.seq;
  out["ts"] = format_timestamp(e.ts);
  out["kind"] = event_kind(e.body);
  out["actor"] = e.actor;
}

// ---- canonical event bodies, read back (the transcript's own output: types checked) ----

using detail::field_reader;
constexpr std::int64_t int_max = std::numeric_limits<int>::max();
constexpr std::int64_t seq_max = std::numeric_limits<seq_t>::max();

template <typename T>
using as = std::type_identity<T>;

ev::room_created read(field_reader& r, as<ev::room_created>) {
  ev::room_created e;
  e.title = r.string("title");
  e.language = r.string("language");
  e.mode = r.enumerated("mode", &turn_mode_from_string);
  e.turn_seconds = static_cast<int>(r.integer("turn_seconds", 0, int_max));
  e.rules = r.string("rules");
  return e;
}
ev::joined_lobby read(field_reader& r, as<ev::joined_lobby>) {
  ev::joined_lobby e;
  e.participant = r.string("participant");
  e.name = r.string("name");
  e.as = r.enumerated("role", &role_from_string);
  e.side = r.nullable_string("side");
  return e;
}
template <typename T>
T read_participant(field_reader& r) {
  T e;
  e.participant = r.string("participant");
  return e;
}
ev::rules_accepted read(field_reader& r, as<ev::rules_accepted>) {
  return read_participant<ev::rules_accepted>(r);
}
ev::admitted read(field_reader& r, as<ev::admitted>) { return read_participant<ev::admitted>(r); }
ev::denied read(field_reader& r, as<ev::denied>) { return read_participant<ev::denied>(r); }
ev::message read(field_reader& r, as<ev::message>) {
  ev::message e;
  e.channel = r.string("channel");
  e.text = r.string("text");
  e.shareable = r.boolean("shareable");
  e.translates = r.optional_integer("translates", 1, seq_max);
  return e;
}
ev::hand_raised read(field_reader& r, as<ev::hand_raised>) {
  return read_participant<ev::hand_raised>(r);
}
ev::hand_lowered read(field_reader& r, as<ev::hand_lowered>) {
  return read_participant<ev::hand_lowered>(r);
}
ev::floor_granted read(field_reader& r, as<ev::floor_granted>) {
  ev::floor_granted e;
  e.participant = r.string("participant");
  e.deadline = r.optional_timestamp("deadline");
  return e;
}
ev::floor_released read(field_reader& r, as<ev::floor_released>) {
  ev::floor_released e;
  e.participant = r.string("participant");
  e.reason = r.enumerated("reason", &floor_release_reason_from_string);
  return e;
}
ev::turn_mode_changed read(field_reader& r, as<ev::turn_mode_changed>) {
  ev::turn_mode_changed e;
  e.mode = r.enumerated("mode", &turn_mode_from_string);
  e.turn_seconds = static_cast<int>(r.integer("turn_seconds", 0, int_max));
  e.order = r.string_list("order");
  return e;
}
ev::caucus_opened read(field_reader& r, as<ev::caucus_opened>) {
  ev::caucus_opened e;
  e.caucus = r.string("caucus");
  e.members = r.string_list("members");
  e.title = r.string("title");
  return e;
}
ev::caucus_closed read(field_reader& r, as<ev::caucus_closed>) {
  ev::caucus_closed e;
  e.caucus = r.string("caucus");
  return e;
}
template <typename T>
T read_caucus_participant(field_reader& r) {
  T e;
  e.caucus = r.string("caucus");
  e.participant = r.string("participant");
  return e;
}
ev::caucus_joined read(field_reader& r, as<ev::caucus_joined>) {
  return read_caucus_participant<ev::caucus_joined>(r);
}
ev::caucus_left read(field_reader& r, as<ev::caucus_left>) {
  return read_caucus_participant<ev::caucus_left>(r);
}
ev::mediator_signalled read(field_reader& r, as<ev::mediator_signalled>) {
  ev::mediator_signalled e;
  e.text = r.string("text");
  return e;
}
ev::muted read(field_reader& r, as<ev::muted>) { return read_participant<ev::muted>(r); }
ev::unmuted read(field_reader& r, as<ev::unmuted>) { return read_participant<ev::unmuted>(r); }
ev::removed read(field_reader& r, as<ev::removed>) {
  ev::removed e;
  e.participant = r.string("participant");
  e.reason = r.string("reason");
  return e;
}
ev::paused read(field_reader&, as<ev::paused>) { return {}; }
ev::resumed read(field_reader&, as<ev::resumed>) { return {}; }
ev::session_ended read(field_reader&, as<ev::session_ended>) { return {}; }
ev::agreement_drafted read(field_reader& r, as<ev::agreement_drafted>) {
  ev::agreement_drafted e;
  e.version = static_cast<int>(r.integer("version", 1, int_max));
  e.text = r.string("text");
  return e;
}
template <typename T>
T read_signature(field_reader& r) {
  T e;
  e.version = static_cast<int>(r.integer("version", 1, int_max));
  e.participant = r.string("participant");
  return e;
}
ev::agreement_signed read(field_reader& r, as<ev::agreement_signed>) {
  return read_signature<ev::agreement_signed>(r);
}
ev::agreement_voided read(field_reader& r, as<ev::agreement_voided>) {
  return read_signature<ev::agreement_voided>(r);
}

// Finds the variant alternative whose kind name is `kind` and reads its fields.
template <std::size_t I = 0>
std::optional<event_body> read_body(std::string_view kind, field_reader& r) {
  if constexpr (I == std::variant_size_v<event_body>) {
    return std::nullopt;
  } else {
    using body_type = std::variant_alternative_t<I, event_body>;
    if (event_kind(event_body{std::in_place_index<I>}) == kind)
      return event_body{std::in_place_index<I>, read(r, as<body_type>{})};
    return read_body<I + 1>(kind, r);
  }
}

decode_error canonical_error(error_code code, std::string message,
                             std::optional<std::string> field = std::nullopt) {
  decode_error e;
  e.code = code;
  e.message = std::move(message);
  e.field = std::move(field);
  return e;
}

// ---- client commands, encoded (tools and tests; the server only decodes them) ----

struct command_fields {
  ordered_json& out;

  void operator()(const cmd::say& c) const {
    out["channel"] = c.channel;
    out["text"] = c.text;
    if (c.shareable) out["shareable"] = true;
    if (c.translates) out["translates"] = *c.translates;
  }
  void operator()(const cmd::signal_mediator& c) const {
    if (!c.text.empty()) out["text"] = c.text;
  }
  void operator()(const cmd::admit& c) const { out["participant"] = c.participant; }
  void operator()(const cmd::deny& c) const { out["participant"] = c.participant; }
  void operator()(const cmd::grant_floor& c) const { out["participant"] = c.participant; }
  void operator()(const cmd::set_turn_mode& c) const {
    out["mode"] = name(to_string(c.mode));
    out["turn_seconds"] = c.turn_seconds;
    if (c.order) out["order"] = *c.order;
  }
  void operator()(const cmd::open_caucus& c) const {
    out["members"] = c.members;
    if (!c.title.empty()) out["title"] = c.title;
  }
  void operator()(const cmd::close_caucus& c) const { out["caucus"] = c.caucus; }
  void operator()(const cmd::join_caucus& c) const { out["caucus"] = c.caucus; }
  void operator()(const cmd::leave_caucus& c) const { out["caucus"] = c.caucus; }
  void operator()(const cmd::mute& c) const { out["participant"] = c.participant; }
  void operator()(const cmd::unmute& c) const { out["participant"] = c.participant; }
  void operator()(const cmd::remove& c) const {
    out["participant"] = c.participant;
    if (!c.reason.empty()) out["reason"] = c.reason;
  }
  void operator()(const cmd::draft_agreement& c) const { out["text"] = c.text; }
  void operator()(const cmd::sign_agreement& c) const { out["version"] = c.version; }
  // Commands that carry only their type and id (accept_rules, raise_hand, pause, ...). A command
  // with fields and no overload above does not compile.
  template <typename T>
    requires std::is_empty_v<T>
  void operator()(const T&) const {}
  // Internal commands: encode() refuses them before visiting.
  void operator()(const cmd::create_room&) const {}
  void operator()(const cmd::join&) const {}
  void operator()(const cmd::revoke_participant&) const {}
};

// ---- welcome ----

ordered_json talk_json(const talk_time& t) {
  ordered_json j;
  j["floor_ms"] = t.floor_ms;
  j["messages"] = t.messages;
  j["characters"] = t.characters;
  return j;
}

ordered_json room_json(const room_snapshot& room) {
  ordered_json j;
  j["id"] = room.id;
  j["title"] = room.title;
  j["language"] = room.language;
  j["rules"] = room.rules;
  j["state"] = name(to_string(room.phase));
  auto participants = ordered_json::array();
  for (const participant_view& p : room.participants) {
    ordered_json pj;
    pj["id"] = p.id;
    pj["name"] = p.name;
    pj["role"] = name(to_string(p.as));
    pj["side"] = nullable<ordered_json>(p.side);
    pj["state"] = name(to_string(p.state));
    pj["online"] = p.online;
    pj["rules_accepted"] = p.rules_accepted;
    pj["muted"] = p.muted;
    participants.push_back(std::move(pj));
  }
  j["participants"] = std::move(participants);
  j["turn_mode"] = name(to_string(room.mode));
  j["turn_seconds"] = room.turn_seconds;
  j["order"] = room.order;
  j["floor_holder"] = nullable<ordered_json>(room.floor_holder);
  j["floor_deadline"] =
      room.floor_deadline ? ordered_json(format_timestamp(*room.floor_deadline)) : ordered_json();
  j["hand_queue"] = room.hand_queue;
  auto caucuses = ordered_json::array();
  for (const caucus_view& c : room.caucuses) {
    ordered_json cj;
    cj["id"] = c.id;
    cj["title"] = c.title;
    cj["members"] = c.members;
    cj["attending"] = c.attending;
    caucuses.push_back(std::move(cj));
  }
  j["caucuses"] = std::move(caucuses);
  ordered_json agreement;
  agreement["version"] = room.agreement.version;
  agreement["text"] = room.agreement.text;
  auto signatures = ordered_json::array();
  for (const signature_view& s : room.agreement.signatures) {
    ordered_json sj;
    sj["participant"] = s.participant;
    sj["version"] = s.version;
    sj["at"] = format_timestamp(s.at);
    signatures.push_back(std::move(sj));
  }
  agreement["signatures"] = std::move(signatures);
  j["agreement"] = std::move(agreement);
  // Fairness figures are the mediators' instrument; the engine fills them for mediators only.
  if (room.talk_by_participant || room.talk_by_side) {
    ordered_json talk;
    auto by_participant = ordered_json::object();
    if (room.talk_by_participant)
      for (const auto& [id, t] : *room.talk_by_participant) by_participant[id] = talk_json(t);
    auto by_side = ordered_json::object();
    if (room.talk_by_side)
      for (const auto& [side, t] : *room.talk_by_side)
        if (!side.empty()) by_side[side] = talk_json(t);
    talk["participants"] = std::move(by_participant);
    talk["sides"] = std::move(by_side);
    j["talk_time"] = std::move(talk);
  }
  return j;
}

}  // namespace

// ---- server -> client ----

std::string encode(const welcome& m) {
  ordered_json j;
  j["type"] = "welcome";
  ordered_json you;
  you["id"] = m.you.id;
  you["name"] = m.you.name;
  you["role"] = name(to_string(m.you.as));
  you["side"] = nullable<ordered_json>(m.you.side);
  j["you"] = std::move(you);
  j["room"] = room_json(m.room);
  j["seq"] = m.seq;
  j["server_time"] = format_timestamp(m.server_time);
  return dump(j);
}

std::string encode(const event_message& m) {
  if (!m.e) throw std::invalid_argument("event_message without an event");
  detail::json_object_text j;
  j["type"] = "event";
  put_event_header(j, *m.e);
  std::visit(event_fields{j}, m.e->body);
  if (m.replay) j["replay"] = true;
  return j.text(detail::json_object_text::order::as_added);
}

std::string encode(const ack& m) {
  ordered_json j;
  j["type"] = "ack";
  j["id"] = m.id;
  j["seq"] = m.seq;
  return dump(j);
}

std::string encode(const error& m) {
  ordered_json j;
  j["type"] = "error";
  if (m.id) j["id"] = *m.id;
  j["code"] = name(to_string(m.code));
  j["message"] = m.message;
  if (m.field) j["field"] = *m.field;
  return dump(j);
}

std::string encode(const presence& m) {
  ordered_json j;
  j["type"] = "presence";
  j["participant"] = m.participant;
  j["online"] = m.online;
  return dump(j);
}

// ---- client -> server ----

std::string encode(const hello& m) {
  ordered_json j;
  j["type"] = "hello";
  j["v"] = m.v;
  j["token"] = m.token;
  if (m.resume_after) j["resume_after"] = *m.resume_after;
  return dump(j);
}

std::string encode(const command_message& m) {
  const std::string_view type = command_name(m.body);
  if (type.empty()) throw std::invalid_argument("internal commands have no wire form");
  ordered_json j;
  j["type"] = name(type);
  j["id"] = m.id;
  std::visit(command_fields{j}, m.body);
  return dump(j);
}

// ---- transcript ----

std::string canonical_event(const event& e) {
  using detail::json_object_text;
  json_object_text audience;
  audience["scope"] = audience_scope_names[static_cast<std::size_t>(e.to.scope)];
  if (!e.to.caucus.empty()) audience["caucus"] = e.to.caucus;
  if (!e.to.members.empty()) audience["members"] = e.to.members;
  if (!e.to.subject.empty()) audience["subject"] = e.to.subject;
  json_object_text j;
  put_event_header(j, e);
  j["audience"] = detail::json_raw{audience.text(json_object_text::order::sorted)};
  std::visit(event_fields{j}, e.body);
  return j.text(json_object_text::order::sorted);
}

std::variant<event, decode_error> decode_canonical_event(std::string_view text) noexcept {
  json j;
  try {
    j = json::parse(text, nullptr, false);
  } catch (...) {
    return canonical_error(error_code::bad_message, "not JSON");
  }
  if (j.is_discarded()) return canonical_error(error_code::bad_message, "not JSON");
  if (!j.is_object()) return canonical_error(error_code::bad_message, "not a JSON object");

  field_reader r{j};
  event e;
  e.seq = r.integer("seq", 1, seq_max);
  e.ts = r.timestamp("ts");
  e.actor = r.string("actor");
  const std::string kind = r.string("kind");
  if (r.failed()) return r.take_error();

  const auto audience_it = j.find("audience");
  if (audience_it == j.end() || !audience_it->is_object())
    return canonical_error(error_code::invalid_field, "audience: missing", "audience");
  field_reader ar{*audience_it};
  e.to.scope = ar.enumerated("scope", &audience_scope_from_string);
  e.to.caucus = ar.nullable_string("caucus").value_or("");
  e.to.members = ar.string_list("members");
  e.to.subject = ar.nullable_string("subject").value_or("");
  if (ar.failed()) {
    decode_error err = ar.take_error();
    err.field = "audience." + err.field.value_or("");
    return err;
  }

  auto body = read_body(kind, r);
  if (r.failed()) return r.take_error();
  if (!body) return canonical_error(error_code::unknown_type, "unknown kind \"" + kind + "\"", "kind");
  e.body = std::move(*body);
  return e;
}

}  // namespace kelisim::protocol
