// Crash recovery over the wire: clients keep several commands in flight, the server is killed
// with SIGKILL mid-stream (several rounds), restarted on the same data dir; clients resume and
// re-send what was not acknowledged, with the same ids. Every acknowledged message must be there
// exactly once — in each client's resumed timeline and in the JSON transcript export.
#include <csignal>
#include <map>
#include <thread>

#include "integration_fixture.hpp"

namespace kelisim::itest {
namespace {

// One participant sending numbered joint messages with a window of commands in flight.
struct writer {
  person* who = nullptr;
  std::map<std::string, std::string> text_of_id;    // every command ever queued
  std::vector<std::string> queue;                   // not yet sent (or to be sent again)
  std::map<std::string, std::size_t> in_flight;     // id -> log index it was sent at
  std::map<std::string, std::int64_t> acked;        // id -> ack seq
  std::size_t scanned = 0;                          // log frames already looked at
  // After a rate_limited answer the writer holds off a little: the server asked it to.
  std::chrono::steady_clock::time_point hold_until{};

  ws_client& ws() { return **who; }
  void send_some(std::size_t window) {
    if (std::chrono::steady_clock::now() < hold_until) return;
    while (in_flight.size() < window && !queue.empty()) {
      const auto id = queue.front();
      queue.erase(queue.begin());
      in_flight[id] = ws().frame_count();
      ws().send_command("say", {{"channel", "joint"}, {"text", text_of_id.at(id)}}, id);
    }
  }
  // Reads new answers. Returns the number of new acks.
  int read_answers() {
    int acks = 0;
    const auto& log = ws().log();
    for (; scanned < log.size(); ++scanned) {
      const auto& f = log[scanned].parsed;
      const auto type = text_of(f, "type");
      if (type != "ack" && type != "error") continue;
      const auto id = text_of(f, "id");
      if (in_flight.erase(id) == 0) continue;
      if (type == "ack") {
        acked[id] = seq_of(f);
        ++acks;
      } else if (text_of(f, "code") == "rate_limited") {
        queue.push_back(id);  // refused: not done, the same id may be sent again
        hold_until = std::chrono::steady_clock::now() + 250ms;
      } else {
        ADD_FAILURE() << who->label << ": command " << id << " refused: " << f.dump();
      }
    }
    return acks;
  }
};

class CrashRecovery : public room_test {};

TEST_F(CrashRecovery, EveryAcknowledgedMessageSurvivesKill9ExactlyOnce) {
  open_room();
  person med = enter("mediator", "mediator", "Mira", std::nullopt, nullptr);
  person pa = enter("party A", "party", "Aigul", "A", &med);
  person pb = enter("party B", "party", "Boris", "B", &med);
  std::vector<writer> writers(3);
  writers[0].who = &med;
  writers[1].who = &pa;
  writers[2].who = &pb;
  const std::string nonce = test::random_hex(4);

  constexpr int rounds = 3;
  constexpr int per_round = 10;
  constexpr std::size_t window = 4;
  constexpr int acks_before_kill = 12;

  std::size_t in_flight_at_kills = 0;
  for (int round = 0; round < rounds; ++round) {
    for (auto& w : writers) {
      w.scanned = w.ws().frame_count();
      for (int i = 0; i < per_round; ++i) {
        const std::string id = w.who->id.substr(0, 20) + "-r" + std::to_string(round) + "-" + std::to_string(i);
        w.text_of_id[id] = "crash " + nonce + " " + w.who->label + " round " + std::to_string(round) + " #" + std::to_string(i);
        w.queue.push_back(id);
      }
    }
    // Send with commands in flight until enough acks arrived, then kill the server mid-stream.
    int acks = 0;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (acks < acks_before_kill) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the server stopped acknowledging";
      for (auto& w : writers) {
        w.send_some(window);
        w.ws().await_frame_count(w.ws().frame_count() + 1, 5ms);
        acks += w.read_answers();
      }
    }
    for (auto& w : writers) w.send_some(window);  // keep the pipe full at the moment of the kill
    const auto killed = server().kill9();
    for (auto& w : writers) in_flight_at_kills += w.in_flight.size();
    EXPECT_EQ(killed.signal, SIGKILL) << killed.describe();
    for (auto& w : writers) {
      EXPECT_TRUE(w.ws().wait_closed(10s).closed) << w.who->label << ": the connection outlived the server";
      w.read_answers();  // answers that arrived before the connection died
    }

    server().restart();
    // Resume from the last seq each client applied, on any of its connections; then re-send,
    // with the same ids, everything not acknowledged.
    for (auto& w : writers) {
      std::int64_t seen = last_seq(w.ws());
      for (const auto& old : w.who->past) seen = std::max(seen, last_seq(*old));
      connect(*w.who, seen);
      w.scanned = w.ws().frame_count();
      for (const auto& [id, at] : w.in_flight) w.queue.insert(w.queue.begin(), id);
      w.in_flight.clear();
    }
    // Finish this round's queue one by one before the next round.
    for (auto& w : writers) {
      while (!w.queue.empty()) {
        w.send_some(1);
        if (w.in_flight.empty()) {
          // Holding off after rate_limited: a back-off the server asked for, not a wait for an event.
          std::this_thread::sleep_until(w.hold_until);
          continue;
        }
        const auto id = w.in_flight.begin()->first;
        w.ws().wait_answer(id, w.in_flight.begin()->second);
        w.read_answers();
      }
    }
  }

  EXPECT_GT(in_flight_at_kills, 0u) << "the kills must land while commands are unacknowledged";
  // Everything queued was acknowledged in the end.
  for (auto& w : writers) EXPECT_EQ(w.acked.size(), w.text_of_id.size()) << w.who->label;

  // The transcript: each message exactly once, at the seq its ack named.
  const auto exported = admin().transcript(room_, "json", "all");
  ASSERT_EQ(exported.status, 200) << exported.describe();
  const json doc = exported.json_body();
  ASSERT_TRUE(doc.contains("events")) << exported.describe();
  std::map<std::string, std::vector<std::int64_t>> seqs_of_text;
  std::map<std::int64_t, json> by_seq;
  std::int64_t expected_seq = 1;
  for (const auto& e : doc["events"]) {
    EXPECT_EQ(seq_of(e), expected_seq++) << "no gap, no duplicate seq in the transcript";
    by_seq[seq_of(e)] = e;
    if (text_of(e, "kind") == "message") seqs_of_text[text_of(e, "text")].push_back(seq_of(e));
  }
  std::size_t total = 0;
  for (auto& w : writers) {
    for (const auto& [id, text] : w.text_of_id) {
      ++total;
      EXPECT_EQ(seqs_of_text[text].size(), 1u) << "'" << text << "' must be in the transcript exactly once";
      if (!w.acked.count(id)) continue;
      const auto& e = by_seq[w.acked[id]];
      EXPECT_EQ(text_of(e, "text"), text) << "the ack of " << id << " names seq " << w.acked[id];
      EXPECT_EQ(text_of(e, "actor"), w.who->id);
    }
  }
  EXPECT_EQ(total, static_cast<std::size_t>(3 * rounds * per_round));

  // Each client's timeline over all its connections: every message once, nothing lost, no
  // duplicate seq across the resumes. The transcript's last event is a joint message: once a
  // client has it, it has everything before it.
  const auto head = seq_of(doc["events"].back());
  for (auto& w : writers) w.ws().wait_event("message", 0, [&](const json& e) { return seq_of(e) == head; });
  for (auto& w : writers) {
    std::map<std::int64_t, json> timeline;
    std::vector<const ws_client*> connections;
    for (const auto& old : w.who->past) connections.push_back(old.get());
    connections.push_back(w.who->ws.get());
    for (const auto* c : connections) {
      std::int64_t last = 0;
      for (const auto& e : c->events()) {
        EXPECT_GT(seq_of(e), last) << w.who->label << ": seq not increasing on one connection\n" << c->dump();
        last = seq_of(e);
        EXPECT_TRUE(timeline.emplace(seq_of(e), without_replay(e)).second)
            << w.who->label << ": seq " << seq_of(e) << " delivered on two connections (a resume duplicated it)";
      }
      EXPECT_TRUE(each_command_answered_once(*c)) << w.who->label;
    }
    for (const auto& [text, seqs] : seqs_of_text) {
      if (text.find(nonce) == std::string::npos || seqs.empty()) continue;
      const auto it = timeline.find(seqs.front());
      ASSERT_NE(it, timeline.end()) << w.who->label << " never received '" << text << "' (seq " << seqs.front() << ")";
      EXPECT_EQ(text_of(it->second, "text"), text);
    }
  }
}

}  // namespace
}  // namespace kelisim::itest
