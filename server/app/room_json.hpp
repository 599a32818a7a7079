#pragma once
// JSON views of a room for the administrator: the full room (as the protocol encodes a mediator's
// snapshot) and the short entry of the room list.
#include <nlohmann/json.hpp>

#include "app/room_host.hpp"

namespace kelisim::app {

nlohmann::json room_json(const room_summary& summary);       // {id, title, ..., participants, last_seq}
nlohmann::json room_list_json(const room_summary& summary);  // {id, title, language, state, counts}

}  // namespace kelisim::app
