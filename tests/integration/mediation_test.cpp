// A whole mediation over real TLS WebSockets: a mediator, two parties (sides A and B), an advisor
// of side A and an observer, from the lobby to a signed agreement. The mediator sees every event,
// so its connection is the record; each participant must have received exactly the events meant
// for them, identical to the mediator's copy, in order.
#include "integration_fixture.hpp"

namespace kelisim::itest {
namespace {

using people = std::vector<person*>;

class WholeMediation : public room_test {
 protected:
  std::map<const person*, std::vector<json>> expected_;

  void deliver(const std::vector<json>& events, const people& to) {
    for (const auto* p : to) expected_[p].insert(expected_[p].end(), events.begin(), events.end());
  }
};

std::vector<std::string> kinds(const std::vector<json>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(text_of(e, "kind"));
  return out;
}
using strings = std::vector<std::string>;

TEST_F(WholeMediation, FromLobbyToSignedAgreementEveryoneReceivesExactlyTheirEvents) {
  open_room({{"rules", "Listen to each other."}}, "Fence dispute");
  person med = invite("mediator", "mediator", "Aigerim");
  person pa = invite("party A", "party", "Nurlan", "A");
  person pb = invite("party B", "party", "Sergei", "B");
  person aa = invite("advisor A", "advisor", "Dana", "A");
  person obs = invite("observer", "observer", "Olga");

  // --- arrival: the mediator hosts, the others wait in the lobby, consent, and are admitted ---
  const json med_welcome = connect(med);
  EXPECT_EQ(med_welcome["you"]["id"], med.id);
  EXPECT_EQ(med_welcome["you"]["role"], "mediator");
  EXPECT_EQ(med_welcome["you"]["side"], nullptr);
  EXPECT_EQ(med_welcome["room"]["title"], "Fence dispute");
  event_recorder record(*med, seq_of(med_welcome));
  // The mediator's own arrival is in the welcome, or follows it as events only the mediator sees.
  if (!shows_admitted(med_welcome, med.id)) deliver(record.take_until("admitted"), {&med});

  people admitted = {&med};
  auto arrive = [&](person& p) {
    const json welcome = connect(p);
    EXPECT_EQ(welcome["you"]["id"], p.id) << p.label;
    EXPECT_EQ(welcome["you"]["name"], p.name) << p.label;
    EXPECT_EQ(welcome["you"]["role"], p.role) << p.label;
    EXPECT_EQ(welcome["you"]["side"], p.side ? json(*p.side) : json(nullptr)) << p.label;
    EXPECT_EQ(welcome["room"]["rules"], "Listen to each other.") << p.label;
    EXPECT_FALSE(shows_admitted(welcome, p.id)) << p.label << " must start in the lobby";

    auto with_subject = admitted;
    with_subject.push_back(&p);
    auto joined = record.take_until("joined_lobby", [&](const json& e) { return e["participant"] == p.id; });
    ASSERT_EQ(kinds(joined), strings{"joined_lobby"});
    EXPECT_EQ(joined[0]["actor"], p.id);
    EXPECT_EQ(joined[0]["name"], p.name);
    EXPECT_EQ(joined[0]["role"], p.role);
    deliver(joined, with_subject);

    // The role is checked before the lobby: an observer never speaks, the others must wait.
    EXPECT_EQ(p->refused("say", {{"channel", "joint"}, {"text", "hello?"}})["code"],
              p.role == "observer" ? "forbidden" : "not_admitted")
        << p.label;
    auto consent = record.take(p->ok("accept_rules"));
    ASSERT_EQ(kinds(consent), strings{"rules_accepted"});
    deliver(consent, with_subject);

    auto admission = record.take(med->ok("admit", {{"participant", p.id}}));
    ASSERT_EQ(kinds(admission), strings{"admitted"});
    EXPECT_EQ(admission[0]["participant"], p.id);
    deliver(admission, with_subject);
    p->wait_for([&](const json& f) { return shows_admitted(f, p.id); });
    admitted.push_back(&p);
  };
  arrive(pa);
  arrive(pb);
  arrive(aa);
  arrive(obs);
  const people everyone = {&med, &pa, &pb, &aa, &obs};
  const people side_a = {&med, &pa, &aa};
  const people side_b = {&med, &pb};

  // --- opening statements in open mode ---
  auto opening = record.take(med->ok("say", {{"channel", "joint"}, {"text", "Welcome, everyone."}}));
  ASSERT_EQ(kinds(opening), strings{"message"});
  EXPECT_EQ(opening[0]["actor"], med.id);
  EXPECT_EQ(opening[0]["channel"], "joint");
  EXPECT_EQ(opening[0]["text"], "Welcome, everyone.");
  EXPECT_EQ(opening[0]["shareable"], false);
  deliver(opening, everyone);
  auto statement = record.take(pa->ok("say", {{"channel", "joint"}, {"text", "Сәлем. The fence is on my land."}}));
  EXPECT_EQ(statement[0]["text"], "Сәлем. The fence is on my land.");
  deliver(statement, everyone);
  EXPECT_EQ(obs->refused("say", {{"channel", "joint"}, {"text", "may I?"}})["code"], "forbidden");

  // --- moderated floor with one-second turns: a hand, a grant, and the server expiring the turn ---
  auto moderated = record.take(med->ok("set_turn_mode", {{"mode", "moderated"}, {"turn_seconds", 1}}));
  ASSERT_EQ(kinds(moderated), strings{"turn_mode_changed"});
  EXPECT_EQ(moderated[0]["mode"], "moderated");
  EXPECT_EQ(moderated[0]["turn_seconds"], 1);
  EXPECT_EQ(moderated[0]["order"], json::array());
  deliver(moderated, everyone);
  EXPECT_EQ(pb->refused("say", {{"channel", "joint"}, {"text", "But!"}})["code"], "not_your_turn");

  auto hand_a = record.take(pa->ok("raise_hand"));
  ASSERT_EQ(kinds(hand_a), strings{"hand_raised"});
  EXPECT_EQ(hand_a[0]["participant"], pa.id);
  deliver(hand_a, everyone);
  auto hand_aa = record.take(aa->ok("raise_hand"));
  deliver(hand_aa, everyone);

  auto grant = record.take(med->ok("grant_floor", {{"participant", pa.id}}));
  ASSERT_EQ(kinds(grant), (strings{"hand_lowered", "floor_granted"}));
  EXPECT_EQ(grant[0]["participant"], pa.id);
  EXPECT_EQ(grant[1]["participant"], pa.id);
  ASSERT_TRUE(grant[1].contains("deadline")) << "a timed turn carries its deadline: " << grant[1].dump();
  deliver(grant, everyone);
  EXPECT_EQ(pb->refused("say", {{"channel", "joint"}, {"text", "Let me speak"}})["code"], "not_your_turn");

  // The server, not a client, ends the turn: awaited, not slept for.
  auto expired = record.take_until("floor_released");
  ASSERT_EQ(kinds(expired), strings{"floor_released"});
  EXPECT_EQ(expired[0]["participant"], pa.id);
  EXPECT_EQ(expired[0]["reason"], "expired");
  EXPECT_EQ(expired[0]["actor"], "system");
  deliver(expired, everyone);

  // Back to open mode: the advisor's raised hand is lowered by the switch.
  auto open_again = record.take(med->ok("set_turn_mode", {{"mode", "open"}, {"turn_seconds", 0}}));
  ASSERT_EQ(kinds(open_again), (strings{"hand_lowered", "turn_mode_changed"}));
  EXPECT_EQ(open_again[0]["participant"], aa.id);
  EXPECT_EQ(open_again[1]["mode"], "open");
  deliver(open_again, everyone);

  // --- a caucus with each side ---
  auto caucus_a = record.take(med->ok("open_caucus", {{"members", {pa.id, aa.id}}, {"title", "Side A"}}));
  ASSERT_EQ(kinds(caucus_a), strings{"caucus_opened"});
  const std::string c_a = caucus_a[0]["caucus"].get<std::string>();
  EXPECT_EQ(caucus_a[0]["title"], "Side A");
  EXPECT_EQ(caucus_a[0]["members"], (json{pa.id, aa.id, med.id}));
  deliver(caucus_a, side_a);
  auto confided = record.take(pa->ok("say", {{"channel", c_a}, {"text", "I could accept a hedge."}, {"shareable", true}}));
  EXPECT_EQ(confided[0]["channel"], c_a);
  EXPECT_EQ(confided[0]["shareable"], true);
  deliver(confided, side_a);
  deliver(record.take(aa->ok("say", {{"channel", c_a}, {"text", "Only if it is low."}})), side_a);
  deliver(record.take(med->ok("say", {{"channel", c_a}, {"text", "Noted; may I share it?"}})), side_a);
  EXPECT_EQ(pb->refused("say", {{"channel", c_a}, {"text", "let me in"}})["code"], "not_a_member");

  auto caucus_b = record.take(med->ok("open_caucus", {{"members", {pb.id}}, {"title", "Side B"}}));
  const std::string c_b = caucus_b[0]["caucus"].get<std::string>();
  EXPECT_NE(c_a, c_b);
  deliver(caucus_b, side_b);
  deliver(record.take(pb->ok("say", {{"channel", c_b}, {"text", "A hedge would do."}})), side_b);
  EXPECT_EQ(pa->refused("say", {{"channel", c_b}, {"text", "what are they saying?"}})["code"], "not_a_member");
  auto closed_a = record.take(med->ok("close_caucus", {{"caucus", c_a}}));
  ASSERT_EQ(kinds(closed_a), strings{"caucus_closed"});
  deliver(closed_a, side_a);
  deliver(record.take(med->ok("close_caucus", {{"caucus", c_b}})), side_b);
  deliver(record.take(med->ok("say", {{"channel", "joint"}, {"text", "Back together."}})), everyone);

  // --- the agreement: drafted, signed, redrafted (voids the signature), signed by both ---
  auto v1 = record.take(med->ok("draft_agreement", {{"text", "A hedge instead of a fence."}}));
  ASSERT_EQ(kinds(v1), strings{"agreement_drafted"});
  EXPECT_EQ(v1[0]["version"], 1);
  EXPECT_EQ(v1[0]["text"], "A hedge instead of a fence.");
  deliver(v1, everyone);
  auto signed_a1 = record.take(pa->ok("sign_agreement", {{"version", 1}}));
  ASSERT_EQ(kinds(signed_a1), strings{"agreement_signed"});
  EXPECT_EQ(signed_a1[0]["participant"], pa.id);
  deliver(signed_a1, everyone);
  EXPECT_EQ(aa->refused("sign_agreement", {{"version", 1}})["code"], "forbidden") << "advisors do not sign";
  EXPECT_EQ(pa->refused("sign_agreement", {{"version", 1}})["code"], "conflict") << "signing twice";

  auto v2 = record.take(med->ok("draft_agreement", {{"text", "A hedge, planted by both."}}));
  ASSERT_EQ(kinds(v2), (strings{"agreement_drafted", "agreement_voided"}));
  EXPECT_EQ(v2[0]["version"], 2);
  EXPECT_EQ(v2[1]["version"], 1);
  EXPECT_EQ(v2[1]["participant"], pa.id);
  deliver(v2, everyone);
  EXPECT_EQ(pb->refused("sign_agreement", {{"version", 1}})["code"], "conflict") << "a voided version";
  auto signed_a2 = record.take(pa->ok("sign_agreement", {{"version", 2}}));
  deliver(signed_a2, everyone);
  auto signed_b2 = record.take(pb->ok("sign_agreement", {{"version", 2}}));
  EXPECT_EQ(signed_b2[0]["participant"], pb.id);
  EXPECT_EQ(signed_b2[0]["version"], 2);
  deliver(signed_b2, everyone);

  // --- the end: everyone learns it, nothing more is accepted ---
  auto ended = record.take(med->ok("end_session"));
  ASSERT_EQ(kinds(ended), strings{"session_ended"});
  deliver(ended, everyone);
  for (person* p : everyone) (*p)->wait_event("session_ended");
  EXPECT_EQ(pa->refused("say", {{"channel", "joint"}, {"text", "wait"}})["code"], "room_ended");
  EXPECT_EQ(med->refused("say", {{"channel", "joint"}, {"text", "one more"}})["code"], "room_ended");

  // The mediator's record of the session, kind by kind.
  std::vector<std::string> session_kinds;
  for (const auto& e : record.all()) session_kinds.push_back(text_of(e, "kind"));
  EXPECT_EQ(std::count(session_kinds.begin(), session_kinds.end(), "message"), 7);
  EXPECT_EQ(session_kinds.back(), "session_ended");

  // What each participant received, message by message.
  for (person* p : everyone) {
    EXPECT_TRUE(received_exactly(**p, expected_[p])) << p->label;
    EXPECT_TRUE(each_command_answered_once(**p)) << p->label;
  }

  // After the end, a new connection still gets a read-only welcome.
  const json late = connect(obs);
  EXPECT_EQ(late["room"]["state"], "ended");
  EXPECT_EQ(obs->refused("raise_hand")["code"], "room_ended");
}

}  // namespace
}  // namespace kelisim::itest
