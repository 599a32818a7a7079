#pragma once
// Whole wire messages: what a client sends (hello, commands) and what the server sends.
#include <optional>
#include <string>
#include <variant>

#include "protocol/commands.hpp"
#include "protocol/error_code.hpp"
#include "protocol/events.hpp"
#include "protocol/snapshot.hpp"

namespace kelisim::protocol {

// ---- client -> server ----
struct hello {
  int v = 0;
  std::string token;
  std::optional<seq_t> resume_after;
};
struct command_message {
  std::string id;  // 1-64 printable ASCII, unique per participant
  command body;
};
using client_message = std::variant<hello, command_message>;

// ---- server -> client ----
struct you_view {
  participant_id id;
  std::string name;
  role as = role::party;
  std::optional<std::string> side;
};
struct welcome {
  you_view you;
  room_snapshot room;
  seq_t seq = 0;           // the snapshot's position
  time_ms server_time = 0;
};
struct event_message {
  const event* e = nullptr;  // not owned; encoding only
  bool replay = false;
};
struct ack {
  std::string id;
  seq_t seq = 0;
};
struct error {
  std::optional<std::string> id;  // the command's id, when the error answers a command
  error_code code = error_code::internal;
  std::string message;            // for humans
  std::optional<std::string> field;
};
struct presence {
  participant_id participant;
  bool online = false;
};

// A refusal to decode: code + the offending field (if any) + a human reason.
// `id` is filled when the command's id could be read, so the error can answer it.
struct decode_error {
  error_code code = error_code::bad_message;
  std::string message;
  std::optional<std::string> field;
  std::optional<std::string> id;
};

}  // namespace kelisim::protocol
