#include "app/room_json.hpp"

#include "protocol/codec.hpp"

namespace kelisim::app {

using nlohmann::json;

nlohmann::json room_json(const room_summary& summary) {
  // The protocol codec owns the snapshot's JSON shape; reuse it through a welcome frame so the
  // admin API and the WebSocket never disagree on a field name.
  protocol::welcome frame;
  frame.room = summary.snapshot;
  auto encoded = json::parse(protocol::encode(frame), nullptr, false);
  json room = encoded.is_object() && encoded.contains("room") ? encoded["room"] : json::object();
  room["id"] = summary.id;
  room["created_at"] = protocol::format_timestamp(summary.created_at);
  room["last_seq"] = summary.last_seq;
  // The participant id is the invite id it joined with.
  if (room.contains("participants"))
    for (auto& p : room["participants"]) p["invite_id"] = p.value("id", "");
  return room;
}

nlohmann::json room_list_json(const room_summary& summary) {
  const auto& snapshot = summary.snapshot;
  std::size_t in_lobby = 0, admitted = 0, online = 0;
  for (const auto& p : snapshot.participants) {
    if (p.state == protocol::presence_state::lobby) ++in_lobby;
    if (p.state == protocol::presence_state::admitted) ++admitted;
    if (p.online) ++online;
  }
  return {{"id", summary.id},
          {"title", snapshot.title},
          {"language", snapshot.language},
          {"created_at", protocol::format_timestamp(summary.created_at)},
          {"state", protocol::to_string(snapshot.phase)},
          {"turn_mode", protocol::to_string(snapshot.mode)},
          {"participants", snapshot.participants.size()},
          {"in_lobby", in_lobby},
          {"admitted", admitted},
          {"online", online},
          {"events", summary.last_seq}};
}

}  // namespace kelisim::app
