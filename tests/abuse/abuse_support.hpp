#pragma once
// What the abuse tests share: the server binary and its defaults, a room with invites, the
// liveness probe (GET /healthz and a normal client's hello -> welcome), and raw frame builders.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/admin_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/ws_client.hpp"

namespace kelisim::abuse {

using json = nlohmann::json;
using test::server_process;
using test::ws_client;
using namespace std::chrono_literals;

// $KELISIM_BINARY, else the binary CMake built.
std::filesystem::path server_binary();
// The binary, the source tree's web client, warnings-only logs.
test::server_options server_defaults();

struct invite {
  std::string id;
  std::string token;
};
// POST /api/rooms/{room}/invites; fails the test (throws) if the server refuses.
invite issue(const server_process& server, const std::string& room, const std::string& role,
             const std::string& name, std::optional<std::string> side = std::nullopt);

// GET /healthz answers 200, and a client holding `token` gets a welcome. Returns why not, or "".
std::string probe(const server_process& server, const std::string& token);

// A client frame with explicit header bits (RFC 6455 §5.2): for frames the normal client
// would never write (reserved bits, unmasked, lying lengths).
struct frame_bits {
  bool fin = true;
  std::uint8_t rsv = 0;        // 0..7 -> RSV1..RSV3
  std::uint8_t opcode = 1;
  bool masked = true;
  std::optional<std::uint64_t> declared_length;  // the length field; default the payload's size
  int length_form = 0;         // 0: minimal, 16 or 64: force that extended form

  frame_bits& more() { fin = false; return *this; }
  frame_bits& op(std::uint8_t o) { opcode = o; return *this; }
  frame_bits& reserved(std::uint8_t r) { rsv = r; return *this; }
  frame_bits& unmasked() { masked = false; return *this; }
  frame_bits& length(std::uint64_t n) { declared_length = n; return *this; }
  frame_bits& form(int bits) { length_form = bits; return *this; }
};
inline frame_bits bits() { return {}; }
std::string raw_frame(const frame_bits& bits, std::string_view payload);

// The number of rows in the data dir's audit table with this action (read with SQLite directly,
// read-only, while the server runs: WAL lets a reader in).
std::int64_t audit_count(const std::filesystem::path& data_dir, const std::string& action,
                         const std::string& detail_prefix = {});

}  // namespace kelisim::abuse

namespace kelisim::abuse {

// The seq of a frame (event, ack or welcome); -1 when it has none.
std::int64_t seq_of(const json& frame);
// The last seq a client has seen on this connection: its welcome's, then its events'.
std::int64_t last_seq(const ws_client& client);

// Someone in a room with a live connection.
struct member {
  std::string label;
  invite pass;
  std::unique_ptr<ws_client> ws;
  std::vector<std::unique_ptr<ws_client>> past;  // every earlier connection, for scans
  std::int64_t seen = 0;                           // last seq seen over all connections

  ws_client& operator*() { return *ws; }
  ws_client* operator->() { return ws.get(); }
  // A new connection with hello (resume_after = seen when `resume`); returns the welcome.
  json connect(const server_process& server, bool resume);
};

// Invites, connects and (for all but mediators) consents and is admitted by `mediator`.
member enter(const server_process& server, const std::string& room, const std::string& label,
             const std::string& role, std::optional<std::string> side, member* mediator);

}  // namespace kelisim::abuse
