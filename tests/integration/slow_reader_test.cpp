// A reader that falls too far behind is closed (policy, 1008) without stalling the room, and
// loses nothing: it resumes and receives exactly what it missed.
#include "integration_fixture.hpp"

namespace kelisim::itest {
namespace {

class SlowReader : public room_test {};

TEST_F(SlowReader, IsClosedWithoutStallingTheRoomAndResumesWithoutLoss) {
  open_room();
  person med = enter("mediator", "mediator", "Mira", std::nullopt, nullptr);
  person pa = enter("party A", "party", "Aigul", "A", &med);

  // Party B reads through a tiny socket buffer, and then stops reading altogether.
  person pb = invite("party B", "party", "Boris", "B");
  test::ws_options tiny;
  tiny.receive_buffer_bytes = 4096;
  pb.ws = std::make_unique<ws_client>(server().client(tiny));
  pb->connect();
  pb.welcome = pb->join(pb.token);
  admit(pb, med);
  const auto pb_seen_before = last_seq(*pb);

  // Several mediator tabs talk at once (the rate limit, 30 commands/s, is per connection), each
  // paced under it: ~12 MB of joint words, far beyond a send queue (4 MiB) plus the kernel's
  // buffers. Everyone else keeps reading.
  std::vector<person> tabs(16);
  for (auto& tab : tabs) {
    tab.label = "mediator tab";
    tab.id = med.id;
    tab.token = med.token;
    connect(tab);
  }
  const std::string words(7900, 'w');
  constexpr int messages = 1500;
  constexpr auto pace = 50ms;  // 20 commands/s per tab
  std::vector<std::vector<std::string>> queue(tabs.size());
  for (int i = 0; i < messages; ++i) queue[static_cast<std::size_t>(i) % tabs.size()].push_back("slow-" + std::to_string(i));
  std::vector<std::set<std::string>> pending(tabs.size());
  std::vector<std::size_t> scanned(tabs.size(), 0);
  std::vector<std::chrono::steady_clock::time_point> next_send(tabs.size(), std::chrono::steady_clock::now());
  std::int64_t last_ack = 0;
  int acked = 0;
  // Generous: 7 s in a normal build, 55 s under TSan on an idle 2-core machine.
  const auto deadline = std::chrono::steady_clock::now() + 180s;
  while (acked < messages) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the room stalled: " << acked << " of " << messages << " acknowledged";
    for (std::size_t t = 0; t < tabs.size(); ++t) {
      auto& c = *tabs[t];
      const auto now = std::chrono::steady_clock::now();
      if (!queue[t].empty() && pending[t].size() < 4 && now >= next_send[t]) {
        const auto id = queue[t].back();
        queue[t].pop_back();
        c.send_command("say", {{"channel", "joint"}, {"text", id + " " + words}}, id);
        pending[t].insert(id);
        next_send[t] = now + pace;
      }
      c.await_frame_count(c.frame_count() + 1, 1ms);
      for (; scanned[t] < c.log().size(); ++scanned[t]) {
        const auto& f = c.log()[scanned[t]].parsed;
        const auto type = text_of(f, "type");
        const auto id = text_of(f, "id");
        if ((type != "ack" && type != "error") || !pending[t].erase(id)) continue;
        if (type == "error" && text_of(f, "code") == "rate_limited") {
          queue[t].push_back(id);  // not done; again, later
          next_send[t] = std::chrono::steady_clock::now() + 500ms;
          continue;
        }
        ASSERT_EQ(type, "ack") << f.dump();
        last_ack = std::max(last_ack, seq_of(f));
        ++acked;
      }
    }
    pa->poll();
    med->poll();
  }
  // The room went on while B did not read: the others have everything.
  pa->wait_event("message", 0, [&](const json& e) { return seq_of(e) == last_ack; }, 30s);

  // B reads again: what was on the wire, then the end of the connection.
  const auto how = pb->wait_closed(30s);
  ASSERT_TRUE(how.closed) << "a reader " << messages << " messages behind was never closed";
  // The close frame waits behind data B never read; if the server tore the socket down first,
  // there is no code to see — but if there is one, it is the policy code.
  if (how.code != 0) {
    EXPECT_EQ(how.code, 1008) << how.reason;
  }
  EXPECT_LT(last_seq(*pb), last_ack) << "B must have fallen behind";

  // Resume: exactly the rest, nothing lost, nothing twice.
  const auto seen = std::max(pb_seen_before, last_seq(*pb));
  connect(pb, seen);
  pb->wait_event("message", 0, [&](const json& e) { return seq_of(e) == last_ack; }, 60s);
  std::set<std::string> texts;
  std::int64_t previous = 0;
  std::size_t count = 0;
  for (const auto* c : {pb.past.front().get(), pb.ws.get()}) {
    for (const auto& e : c->events()) {
      if (text_of(e, "kind") != "message") continue;
      EXPECT_GT(seq_of(e), previous) << "a duplicate or out-of-order message across the resume";
      previous = seq_of(e);
      const auto text = text_of(e, "text");
      texts.insert(text.substr(0, text.find(' ')));
      ++count;
    }
  }
  EXPECT_EQ(count, static_cast<std::size_t>(messages));
  EXPECT_EQ(texts.size(), static_cast<std::size_t>(messages));

  // It was the send queue that closed B (not a timeout or an error).
  const auto metrics = admin().send("GET", "/metrics").body;
  const std::string name = "\nkelisim_send_queue_drops_total ";
  const auto at = metrics.find(name);
  ASSERT_NE(at, std::string::npos) << metrics;
  EXPECT_GE(std::stod(metrics.substr(at + name.size())), 1.0) << metrics.substr(at, 80);
}

}  // namespace
}  // namespace kelisim::itest
