// Resume and exactly-once over the wire: a client that reconnects with resume_after gets exactly
// the visible events it missed (replay:true, in order, no duplicates), then the live stream; a
// command re-sent with the same id gets the original ack and causes nothing new.
#include <algorithm>

#include "integration_fixture.hpp"

namespace kelisim::itest {
namespace {

class Resume : public room_test {};

// The events of a connection after its welcome, split into the replayed and the live ones; fails
// if a replayed event follows a live one or seqs do not increase.
struct resumed_stream {
  json welcome;
  std::vector<json> replayed;
  std::vector<json> live;
};
resumed_stream split(const ws_client& c) {
  resumed_stream out;
  std::int64_t last = 0;
  for (const auto& f : c.frames()) {
    const auto type = text_of(f, "type");
    if (type == "welcome") {
      if (!out.welcome.is_null()) ADD_FAILURE() << "a second welcome on a resumed connection: " << f.dump();
      out.welcome = f;
      continue;
    }
    if (type != "event") continue;
    if (out.welcome.is_null()) ADD_FAILURE() << "an event before the welcome: " << f.dump();
    if (seq_of(f) <= last) ADD_FAILURE() << "seq not increasing (duplicate or out of order): " << f.dump();
    last = seq_of(f);
    if (f.value("replay", false)) {
      if (!out.live.empty()) ADD_FAILURE() << "a replayed event after live ones: " << f.dump();
      out.replayed.push_back(f);
    } else {
      out.live.push_back(f);
    }
  }
  return out;
}

TEST_F(Resume, AReconnectingClientGetsExactlyTheVisibleEventsItMissedThenLive) {
  open_room();
  person med = enter("mediator", "mediator", "Mira", std::nullopt, nullptr);
  person pa = enter("party A", "party", "Aigul", "A", &med);
  person pb = enter("party B", "party", "Boris", "B", &med);

  pa->ok("say", {{"channel", "joint"}, {"text", "before the drop"}});
  const auto before = med->ok("say", {{"channel", "joint"}, {"text", "heard by all"}});
  pa->wait_event("message", 0, [&](const json& e) { return seq_of(e) == before; });
  const auto seen = last_seq(*pa);
  pa->drop();

  // While A is away: joint words, a caucus with B (invisible to A), floor changes.
  med->ok("say", {{"channel", "joint"}, {"text", "missed 1"}});
  pb->ok("say", {{"channel", "joint"}, {"text", "missed 2"}});
  const auto opened = med->ok("open_caucus", {{"members", {pb.id}}, {"title", "B only"}});
  const std::string c_b = med->wait_event("caucus_opened", 0, [&](const json& e) { return seq_of(e) == opened; })["caucus"].get<std::string>();
  pb->ok("say", {{"channel", c_b}, {"text", "B's secret"}});
  med->ok("set_turn_mode", {{"mode", "moderated"}, {"turn_seconds", 0}});
  pb->ok("raise_hand");
  const auto last_missed = med->ok("say", {{"channel", "joint"}, {"text", "missed 3"}});

  // The mediator's record of what happened while A was away, minus B's caucus.
  const auto med_events = med->events();
  std::vector<json> missed_visible;
  for (const auto& e : med_events) {
    if (seq_of(e) <= seen || seq_of(e) > last_missed) continue;
    const bool in_caucus = text_of(e, "caucus") == c_b || text_of(e, "channel") == c_b;
    if (!in_caucus) missed_visible.push_back(e);
  }
  ASSERT_EQ(missed_visible.size(), 5u) << "3 messages, turn_mode_changed, hand_raised";

  const json welcome = connect(pa, seen);
  EXPECT_GE(seq_of(welcome), last_missed);
  // A live event after the resume.
  const auto live = med->ok("say", {{"channel", "joint"}, {"text", "live again"}});
  pa->wait_event("message", 0, [&](const json& e) { return seq_of(e) == live; });

  const auto stream = split(*pa);
  std::vector<json> replayed;
  for (const auto& e : stream.replayed) replayed.push_back(without_replay(e));
  EXPECT_EQ(replayed, missed_visible) << pa->dump();
  for (const auto& e : stream.replayed) EXPECT_LE(seq_of(e), seq_of(stream.welcome)) << "replay covers (resume_after, welcome.seq]";
  ASSERT_EQ(stream.live.size(), 1u) << pa->dump();
  EXPECT_EQ(stream.live[0]["text"], "live again");
  EXPECT_FALSE(stream.live[0].contains("replay"));
  EXPECT_FALSE(any_frame_contains(*pa, "B's secret"));
  // The welcome is the current state: B's raised hand, the moderated mode.
  EXPECT_EQ(welcome["room"]["turn_mode"], "moderated");
  EXPECT_EQ(welcome["room"]["hand_queue"], json::array({pb.id}));

  // Resuming at the head replays nothing.
  const auto head = last_seq(*pa);
  connect(pa, head);
  const auto at_head = med->ok("say", {{"channel", "joint"}, {"text", "after head"}});
  pa->wait_event("message", 0, [&](const json& e) { return seq_of(e) == at_head; });
  const auto head_stream = split(*pa);
  EXPECT_TRUE(head_stream.replayed.empty()) << pa->dump();
  ASSERT_EQ(head_stream.live.size(), 1u) << pa->dump();

  // Resuming from 0 rebuilds the whole visible timeline: everything a mediator tab resumed from 0
  // gets, minus B's caucus.
  person med_tab;
  med_tab.label = "mediator (second tab)";
  med_tab.id = med.id;
  med_tab.token = med.token;
  connect(med_tab, std::int64_t{0});
  connect(pa, std::int64_t{0});
  // The last event (a joint message) is replayed last: then the replay is complete.
  for (person* p : {&med_tab, &pa})
    (*p)->wait_event("message", 0, [&](const json& e) { return seq_of(e) == at_head; });
  const auto everything = split(*med_tab);
  const auto pa_everything = split(*pa);
  ASSERT_EQ(seq_of(everything.welcome), seq_of(pa_everything.welcome)) << "nothing happened in between";
  ASSERT_EQ(static_cast<std::int64_t>(everything.replayed.size()), seq_of(everything.welcome))
      << "a mediator resumed from 0 replays every event 1..seq\n" << med_tab->dump();
  std::vector<json> expected_for_pa;
  for (const auto& e : everything.replayed) {
    const bool in_caucus = text_of(e, "caucus") == c_b || text_of(e, "channel") == c_b;
    if (!in_caucus) expected_for_pa.push_back(e);
  }
  EXPECT_EQ(pa_everything.replayed, expected_for_pa) << pa->dump();
}

// Rooms with more traffic at once than a send queue holds (1,024 frames), over plain WebSocket:
// a connection moves to its room's io thread after the hello, so the room and its connections
// share one thread, and nothing is written while the room is busy.
class Burst : public Resume {
 protected:
  void SetUp() override {
    auto options = server_defaults();
    options.tls = false;
    start_server(options);
    open_room();
    med = enter("mediator", "mediator", "Mira", std::nullopt, nullptr);
  }

  // 1,500 messages from 30 mediator tabs, 50 each (within each tab's burst of the rate limit),
  // sent back to back: they are committed in a few large batches. Only `reader` reads meanwhile,
  // as fast as it can; the tabs do not read, and the server closes them as slow readers, which
  // does not undo what they sent. Returns once `reader` has every message (or it ended).
  void burst(ws_client& reader) {
    std::vector<person> tabs(burst_tabs);
    for (auto& tab : tabs) {
      tab.label = "mediator tab";
      tab.id = med.id;
      tab.token = med.token;
      connect(tab);
    }
    for (auto& tab : tabs)
      for (int i = 0; i < per_tab; ++i) tab->send_command("say", {{"channel", "joint"}, {"text", "burst " + std::to_string(i)}});
    // Generous: 2–3 s in a normal build, 20–35 s under TSan on an idle 2-core machine.
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (reader.is_open() && messages_in(reader.events()) < burst_messages && std::chrono::steady_clock::now() < deadline)
      reader.await_frame_count(reader.frame_count() + 1, 100ms);
  }

  static std::size_t messages_in(const std::vector<json>& events) {
    return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [](const json& e) {
      return text_of(e, "kind") == "message" && text_of(e, "text").starts_with("burst ");
    }));
  }

  static constexpr int per_tab = 50;
  static constexpr std::size_t burst_tabs = 30;
  static constexpr std::size_t burst_messages = burst_tabs * per_tab;
  person med;
};

// A long run of durable events is fanned out in slices, each written before the next: all at
// once, it would fill the send queue of every reader in the room, however fast, and close them.
TEST_F(Burst, MoreAtOnceThanASendQueueHoldsReachesAReaderThatKeepsUp) {
  person pa = enter("party A", "party", "Aigul", "A", &med);
  burst(*pa);
  EXPECT_TRUE(pa->is_open()) << "closed: " << pa->closed().code << " " << pa->closed().reason;
  EXPECT_EQ(messages_in(pa->events()), burst_messages);
}

// More missed than a send queue holds: the replay goes out in pieces as the socket takes them, so
// a long absence is not mistaken for a slow reader.
TEST_F(Burst, MoreMissedThanASendQueueHoldsArrivesWhole) {
  person pa = enter("party A", "party", "Aigul", "A", &med);
  const auto seen = last_seq(*pa);
  pa->drop();
  burst(*med);
  ASSERT_EQ(messages_in(med->events()), burst_messages);
  const auto last_missed = last_seq(*med);

  const json welcome = connect(pa, seen);
  pa->wait_event("message", 0, [&](const json& e) { return seq_of(e) == last_missed; }, 60s);  // TSan is slow
  const auto live = med->ok("say", {{"channel", "joint"}, {"text", "live again"}});
  pa->wait_event("message", 0, [&](const json& e) { return seq_of(e) == live; });

  EXPECT_TRUE(pa->is_open()) << "closed: " << pa->closed().code << " " << pa->closed().reason;
  const auto stream = split(*pa);
  for (const auto& e : stream.replayed) EXPECT_LE(seq_of(e), seq_of(welcome));
  EXPECT_EQ(messages_in(stream.replayed), burst_messages);
  ASSERT_EQ(stream.live.size(), 1u);
  EXPECT_EQ(stream.live[0]["text"], "live again");
}

class ExactlyOnce : public room_test {};

TEST_F(ExactlyOnce, AReSentCommandGetsTheOriginalAckAndCausesNothingNew) {
  open_room();
  person med = enter("mediator", "mediator", "Mira", std::nullopt, nullptr);
  person pa = enter("party A", "party", "Aigul", "A", &med);
  person pb = enter("party B", "party", "Boris", "B", &med);
  const auto start = pa->frame_count();

  const auto first = pa->ok("say", {{"channel", "joint"}, {"text", "only once"}}, "dup-1");
  const auto again = pa->request("say", {{"channel", "joint"}, {"text", "only once"}}, "dup-1");
  EXPECT_EQ(again["type"], "ack") << again.dump();
  EXPECT_EQ(seq_of(again), first);
  // Same id, different content: still the original ack (the id identifies the command).
  const auto altered = pa->request("say", {{"channel", "joint"}, {"text", "something else"}}, "dup-1");
  EXPECT_EQ(altered["type"], "ack") << altered.dump();
  EXPECT_EQ(seq_of(altered), first);
  // A barrier: the next command's event is the very next seq, so the retries made none.
  const auto barrier = pa->ok("say", {{"channel", "joint"}, {"text", "barrier"}}, "dup-2");
  EXPECT_EQ(barrier, first + 1) << "a retried command must not create an event";

  // After a reconnect, the retry still gets the original ack.
  pa->drop();
  connect(pa, first - 1);
  const auto after_reconnect = pa->request("say", {{"channel", "joint"}, {"text", "only once"}}, "dup-1");
  EXPECT_EQ(after_reconnect["type"], "ack");
  EXPECT_EQ(seq_of(after_reconnect), first);

  // Another participant may use the same id: that is a different command.
  const auto other = pb->ok("say", {{"channel", "joint"}, {"text", "mine"}}, "dup-1");
  EXPECT_EQ(other, barrier + 1);

  // A refused command did not happen: its id may be used again.
  EXPECT_EQ(pa->refused("sign_agreement", {{"version", 1}}, "sign-1")["code"], "conflict");
  med->ok("draft_agreement", {{"text", "Terms"}});
  const auto signed_seq = pa->ok("sign_agreement", {{"version", 1}}, "sign-1");
  EXPECT_GT(signed_seq, other);

  // Everyone saw "only once" exactly once, the mediator included.
  const auto end = med->ok("say", {{"channel", "joint"}, {"text", "end"}});
  for (person* p : {&med, &pb}) {
    (*p)->wait_event("message", 0, [&](const json& e) { return seq_of(e) == end; });
    const auto texts = message_texts((*p)->events());
    EXPECT_EQ(std::count(texts.begin(), texts.end(), "only once"), 1) << p->label;
    EXPECT_EQ(std::count(texts.begin(), texts.end(), "something else"), 0) << p->label;
  }
  // The first connection of A saw its message once too, and each command was answered once.
  const auto& first_connection = *pa.past.front();
  const auto texts = message_texts(first_connection.events(start));
  EXPECT_EQ(std::count(texts.begin(), texts.end(), "only once"), 1);
  std::int64_t answers = 0;
  for (const auto& f : first_connection.frames(start))
    if (text_of(f, "type") == "ack" && f["id"] == "dup-1") ++answers;
  EXPECT_EQ(answers, 3) << "each send of dup-1 is answered, each time with the same ack";

  // Sent twice in one write: the server reads both copies at once, so the second is handled
  // while the first is still being committed; it waits for it and gets the same ack.
  const auto from = pa->frame_count();
  const auto copy = ws_client::masked_frame(
      test::ws_opcode::text, json{{"type", "say"}, {"id", "dup-3"}, {"channel", "joint"}, {"text", "twice at once"}}.dump());
  ASSERT_FALSE(pa->send_raw(copy + copy));
  const auto next = pa->ok("say", {{"channel", "joint"}, {"text", "after the pair"}}, "dup-4");
  std::vector<std::int64_t> pair_acks;
  for (const auto& f : pa->frames(from))
    if (text_of(f, "type") == "ack" && f["id"] == "dup-3") pair_acks.push_back(seq_of(f));
  ASSERT_EQ(pair_acks.size(), 2u);
  EXPECT_EQ(pair_acks[0], pair_acks[1]);
  EXPECT_EQ(next, pair_acks[0] + 1) << "the second copy must not create an event";
}

}  // namespace
}  // namespace kelisim::itest
