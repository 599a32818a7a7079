// Presence and tabs: several connections with one invite are one participant — each tab gets
// everything, the sender's tab alone gets the ack — and presence turns offline only when the
// participant's last connection closes.
#include "integration_fixture.hpp"

namespace kelisim::itest {
namespace {

class Presence : public room_test {
 protected:
  // presence frames about `who` on `c` from log index `from`
  static std::vector<json> presence_of(const ws_client& c, const std::string& who, std::size_t from) {
    std::vector<json> out;
    for (const auto& f : c.frames(from))
      if (text_of(f, "type") == "presence" && text_of(f, "participant") == who) out.push_back(f);
    return out;
  }
  // A command by the mediator whose event everyone admitted receives: everything sent to the
  // mediator before it has arrived once its event has.
  void barrier(person& med, const std::vector<ws_client*>& also) {
    const auto seq = med->ok("say", {{"channel", "joint"}, {"text", "barrier " + test::random_hex(3)}});
    for (auto* c : also) c->wait_event("message", 0, [&](const json& e) { return seq_of(e) == seq; });
    med->wait_event("message", 0, [&](const json& e) { return seq_of(e) == seq; });
  }
};

TEST_F(Presence, TabsShareEverythingAndOfflineComesWithTheLastTab) {
  open_room();
  person med = enter("mediator", "mediator", "Mira", std::nullopt, nullptr);
  person pa = enter("party A", "party", "Aigul", "A", &med);
  person pb = enter("party B", "party", "Boris", "B", &med);
  // The mediator saw A come online.
  med->wait_for([&](const json& f) { return text_of(f, "type") == "presence" && text_of(f, "participant") == pa.id && f["online"] == true; });

  // A second tab of party A: not a new arrival.
  std::size_t mark = med->frame_count();
  person tab;
  tab.label = "party A (second tab)";
  tab.id = pa.id;
  tab.token = pa.token;
  const json welcome = connect(tab);
  EXPECT_EQ(welcome["you"]["id"], pa.id);
  EXPECT_TRUE(shows_admitted(welcome, pa.id)) << "the second tab is already admitted";
  barrier(med, {&*pa, &*tab});
  EXPECT_TRUE(presence_of(*med, pa.id, mark).empty()) << "a second tab is not a new presence\n" << med->dump(mark);

  // Both tabs receive the same events; only the sending tab gets the ack.
  const auto pa_mark = pa->frame_count();
  const auto tab_mark = tab->frame_count();
  const auto said = tab->ok("say", {{"channel", "joint"}, {"text", "from the second tab"}}, "tab-1");
  const json on_first = pa->wait_event("message", pa_mark, [&](const json& e) { return seq_of(e) == said; });
  const json on_second = tab->wait_event("message", tab_mark, [&](const json& e) { return seq_of(e) == said; });
  EXPECT_EQ(on_first, on_second);
  EXPECT_EQ(on_first["actor"], pa.id);
  barrier(med, {&*pa, &*tab});
  for (const auto& f : pa->frames(pa_mark)) EXPECT_NE(text_of(f, "id"), "tab-1") << "the ack went to the other tab: " << f.dump();

  // Closing one tab: still online.
  mark = med->frame_count();
  std::size_t pb_mark = pb->frame_count();
  pa->close();
  barrier(med, {&*tab, &*pb});
  EXPECT_TRUE(presence_of(*med, pa.id, mark).empty()) << "offline only with the last tab\n" << med->dump(mark);
  EXPECT_TRUE(presence_of(*pb, pa.id, pb_mark).empty());

  // Closing the last one: offline, for the mediator and the other party.
  mark = med->frame_count();
  pb_mark = pb->frame_count();
  tab->close();
  const json offline = med->wait_for([&](const json& f) { return text_of(f, "type") == "presence" && text_of(f, "participant") == pa.id; }, mark);
  EXPECT_EQ(offline["online"], false);
  EXPECT_FALSE(offline.contains("seq")) << "presence is not an event";
  EXPECT_EQ(pb->wait_for([&](const json& f) { return text_of(f, "type") == "presence" && text_of(f, "participant") == pa.id; }, pb_mark)["online"], false);
  // Back online.
  mark = med->frame_count();
  connect(pa, last_seq(*tab));
  EXPECT_EQ(med->wait_for([&](const json& f) { return text_of(f, "type") == "presence" && text_of(f, "participant") == pa.id; }, mark)["online"], true);

  // Never part of the transcript.
  const json doc = admin().transcript(room_).json_body();
  for (const auto& e : doc["events"]) EXPECT_NE(text_of(e, "kind"), "presence");
}

}  // namespace
}  // namespace kelisim::itest
