#pragma once
// Shared by the integration tests: a server per test (the real binary on port 0, TLS), rooms,
// invites, participants with their live connections, and checks over what each one received.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/admin_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/ws_client.hpp"

namespace kelisim::itest {

using json = nlohmann::json;
using test::admin_client;
using test::server_process;
using test::text_of;
using test::ws_client;
using namespace std::chrono_literals;

// The server binary under test: $KELISIM_BINARY, else the one CMake built.
std::filesystem::path server_binary();
// Options every test starts from (binary, web root).
test::server_options server_defaults();

// One participant: the invite it holds and its current connection.
struct person {
  std::string label;  // for messages: "mediator", "party A", ...
  std::string role;
  std::optional<std::string> side;
  std::string name;
  json invite;        // the admin API's answer
  std::string id;     // participant id = invite id
  std::string token;
  std::unique_ptr<ws_client> ws;  // current connection
  json welcome;                   // first welcome of the current connection
  // Every connection this person had, oldest first (kept for confidentiality scans).
  std::vector<std::unique_ptr<ws_client>> past;

  ws_client& operator*() { return *ws; }
  ws_client* operator->() { return ws.get(); }
};

class server_test : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts the server (SetUp does it with the defaults; call again after stopping it).
  void start_server(test::server_options options);
  server_process& server() { return *server_; }
  admin_client admin() const { return server_->admin(); }

  std::unique_ptr<server_process> server_;
};

class room_test : public server_test {
 protected:
  // Creates the room (title, language en) and remembers its id in room_.
  json open_room(json extra = json::object(), const std::string& title = "Integration room");
  person invite(const std::string& label, const std::string& role, const std::string& name,
                std::optional<std::string> side = std::nullopt);
  // A new connection (the previous one moves to `past`), hello (+resume_after), waits for the
  // welcome and checks it is the first frame. Returns the welcome.
  json connect(person& p, std::optional<std::int64_t> resume_after = std::nullopt);
  // The lobby route: accept_rules, admitted by `mediator`, and waits until `p` knows it.
  void admit(person& p, person& mediator);
  // invite + connect + (for non-mediators) admit.
  person enter(const std::string& label, const std::string& role, const std::string& name,
               std::optional<std::string> side, person* mediator);

  std::string room_;
};

// ---- reading frames ----
std::int64_t seq_of(const json& frame);  // -1 when absent
// The highest seq a connection has applied: its welcomes' and events' seqs.
std::int64_t last_seq(const ws_client& c);
// True when the frame shows `participant` admitted: an `admitted` event about them, or a welcome
// listing them as admitted.
bool shows_admitted(const json& frame, const std::string& participant);
// `e` without "replay" (to compare an event's live and replayed forms).
json without_replay(json e);
// Do any of the frames this connection received contain `needle` (raw bytes)?
bool any_frame_contains(const ws_client& c, const std::string& needle);

// What one connection received, checked against the events it should have received, in order:
// every expected event arrives exactly once and identical to `expected` (the mediator's copy),
// nothing else arrives, seqs strictly increase. An expected event may be absent only when a
// welcome received at that point already covers it (welcome.seq >= its seq). Presence, acks and
// errors are not events and are ignored. Live connections only: a `replay` flag is an error.
::testing::AssertionResult received_exactly(const ws_client& c, const std::vector<json>& expected);

// Every command id answered exactly once (one ack or one error) on this connection.
::testing::AssertionResult each_command_answered_once(const ws_client& c);

// Collects the mediator's view of the room step by step: `take(seq)` waits until the mediator's
// connection has the event with that seq and returns the events since the last take (they must be
// contiguous: a mediator sees every event).
class event_recorder {
 public:
  event_recorder(ws_client& mediator, std::int64_t after) : mediator_(&mediator), recorded_(after) {}
  std::vector<json> take(std::int64_t up_to);
  // Waits on the mediator's connection for an event matching `pred` (kind and more), then takes
  // everything up to it.
  std::vector<json> take_until(const std::string& kind, const std::function<bool(const json&)>& also = nullptr);
  std::int64_t recorded() const { return recorded_; }
  const std::vector<json>& all() const { return all_; }
  void rebind(ws_client& mediator) { mediator_ = &mediator; }

 private:
  ws_client* mediator_;
  std::int64_t recorded_;
  std::vector<json> all_;
};

// Joint-channel or caucus message texts in an event list, in order.
std::vector<std::string> message_texts(const std::vector<json>& events, const std::string& channel = "joint");

}  // namespace kelisim::itest
