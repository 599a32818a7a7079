// Crash recovery under load: 24 rounds of SIGKILL at a random moment while three clients have
// messages in flight; after each restart on the same data dir the clients resume from the last
// seq they saw and re-send, with the same ids, whatever was not acknowledged. In the end every
// acknowledged message is in the transcript exactly once, at the seq its ack named, every
// message sent is there exactly once, and `kelisim verify` accepts the exported hash chain.
#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "abuse_support.hpp"

namespace kelisim::abuse {
namespace {

constexpr int rounds = 24;
constexpr int per_round = 8;  // per writer; in flight at once (well under the rate limit burst)

struct writer {
  member* who = nullptr;
  std::map<std::string, std::string> text_of_id;
  std::set<std::string> unanswered;           // sent on the current connection, no answer yet
  std::map<std::string, std::int64_t> acked;  // id -> seq

  void send(const std::string& id) {
    unanswered.insert(id);
    (*who)->send_command("say", {{"channel", "joint"}, {"text", text_of_id.at(id)}}, id);
  }
  // Reads the answers that arrived on the current connection.
  void read_answers() {
    (*who)->poll();
    for (const auto& f : (*who)->frames()) {
      const auto type = test::text_of(f, "type");
      if (type != "ack" && type != "error") continue;
      const auto id = test::text_of(f, "id");
      if (!unanswered.erase(id)) continue;
      if (type == "ack") acked[id] = seq_of(f);
      else ADD_FAILURE() << who->label << ": " << id << " refused: " << f.dump();
    }
  }
};

TEST(CrashRecovery, TwentyFourKillsUnderLoadLoseNothingAcknowledgedAndTheChainVerifies) {
  server_process server(server_defaults());
  const std::string room = server.admin().create_room("Crash room").at("id").get<std::string>();
  member med = enter(server, room, "mediator", "mediator", std::nullopt, nullptr);
  member pa = enter(server, room, "party A", "party", "A", &med);
  member pb = enter(server, room, "party B", "party", "B", &med);
  std::vector<writer> writers(3);
  writers[0].who = &med;
  writers[1].who = &pa;
  writers[2].who = &pb;
  const std::string nonce = test::random_hex(4);
  const auto seed = std::random_device{}();
  std::mt19937 random(seed);
  int resent = 0;               // commands unanswered when the server died, sent again
  int rounds_with_in_flight = 0;

  for (int round = 0; round < rounds; ++round) {
    for (std::size_t w = 0; w < writers.size(); ++w) {
      for (int i = 0; i < per_round; ++i) {
        const std::string id = "w" + std::to_string(w) + "-r" + std::to_string(round) + "-" + std::to_string(i);
        writers[w].text_of_id[id] = "crash " + nonce + " " + id;
        writers[w].send(id);
      }
    }
    // SIGKILL at once in every other round (the last commands cannot be committed yet: each
    // needs an fsync), otherwise at a random moment: during or after the commits of this round.
    if (round % 2 == 1) std::this_thread::sleep_for(std::chrono::microseconds(random() % 15'000));
    const auto killed = server.kill9();
    ASSERT_EQ(killed.signal, SIGKILL) << killed.describe();
    for (auto& w : writers) {
      (*w.who)->wait_closed(10s);
      w.read_answers();
    }
    server.restart();
    int in_flight = 0;
    for (const auto& w : writers) in_flight += static_cast<int>(w.unanswered.size());
    resent += in_flight;
    if (in_flight > 0) ++rounds_with_in_flight;
    for (auto& w : writers) {
      // Resume from the last seq seen; re-send everything unanswered with its original id.
      w.who->connect(server, true);
      const auto again = std::vector<std::string>(w.unanswered.begin(), w.unanswered.end());
      w.unanswered.clear();
      for (const auto& id : again) w.send(id);
    }
    for (auto& w : writers) {
      for (const auto& id : std::vector<std::string>(w.unanswered.begin(), w.unanswered.end())) {
        const json answer = (*w.who)->wait_answer(id);
        ASSERT_EQ(test::text_of(answer, "type"), "ack") << w.who->label << ": " << answer.dump();
      }
      w.read_answers();
      ASSERT_TRUE(w.unanswered.empty()) << w.who->label;
    }
  }

  std::cout << "crash recovery (seed " << seed << "): " << rounds << " kills, " << rounds_with_in_flight
            << " with commands in flight, " << resent << " commands re-sent\n";
  // The kill must have caught commands in flight often enough for the test to mean something.
  EXPECT_GE(rounds_with_in_flight, rounds / 4);

  // The transcript: every message exactly once, each at the seq of its ack.
  const auto exported = server.admin().transcript(room, "json", "all");
  ASSERT_EQ(exported.status, 200) << exported.describe();
  const json doc = exported.json_body();
  ASSERT_TRUE(doc.contains("events")) << exported.describe();
  std::map<std::string, std::vector<std::int64_t>> seqs_of_text;
  std::int64_t expected_seq = 1;
  for (const auto& e : doc["events"]) {
    EXPECT_EQ(seq_of(e), expected_seq++) << "no gap, no duplicate in the transcript";
    if (test::text_of(e, "kind") == "message") seqs_of_text[test::text_of(e, "text")].push_back(seq_of(e));
  }
  std::size_t messages = 0;
  for (auto& w : writers) {
    EXPECT_EQ(w.acked.size(), w.text_of_id.size()) << w.who->label;
    for (const auto& [id, text] : w.text_of_id) {
      ++messages;
      ASSERT_EQ(seqs_of_text[text].size(), 1u) << "'" << text << "' must be there exactly once";
      EXPECT_EQ(seqs_of_text[text].front(), w.acked[id]) << id << ": the ack named another seq";
    }
  }
  EXPECT_EQ(messages, static_cast<std::size_t>(3 * rounds * per_round));

  // Each client's timeline across its resumed connections: no seq delivered twice.
  for (auto& w : writers) {
    std::set<std::int64_t> delivered;
    std::vector<const ws_client*> connections;
    for (const auto& old : w.who->past) connections.push_back(old.get());
    connections.push_back(w.who->ws.get());
    for (const auto* c : connections)
      for (const auto& e : c->events())
        EXPECT_TRUE(delivered.insert(seq_of(e)).second) << w.who->label << ": seq " << seq_of(e) << " twice";
  }

  // The tamper-evident chain survives 20 kills: the offline verifier accepts the export.
  const auto file = server.data_dir().parent_path() / "crash-export.json";
  std::ofstream(file) << exported.body;
  const auto verified = test::run_program(server.binary(), {"verify", file.string()});
  EXPECT_TRUE(verified.status.exited && verified.status.code == 0)
      << verified.status.describe() << "\n" << verified.output;
}

}  // namespace
}  // namespace kelisim::abuse
