// Whole mediations, driven step by step: a mediator, parties on sides A and B with advisors,
// an interpreter and an observer. Every scenario ends by replaying its log into an empty room.
#include "room_harness.hpp"

namespace kelisim::engine::testing {
namespace {

using protocol::floor_release_reason;
using protocol::room_phase;
using protocol::turn_mode;
using strings = std::vector<std::string>;

class Mediation : public ::testing::Test {
 protected:
  room_harness h;

  void TearDown() override {
    EXPECT_EQ(replay(h.log), h.state) << "replaying the transcript must rebuild the room";
  }

  void open_room(turn_mode mode = turn_mode::open, int turn_seconds = 0) {
    h.ok(administrator(), cmd::create_room{"Fence dispute", "kk", mode, turn_seconds, "Respect"});
    h.bring_in("med", role::mediator, std::nullopt, "med");
    h.bring_in("pa", role::party, "A", "med");
    h.bring_in("pb", role::party, "B", "med");
    h.bring_in("aa", role::advisor, "A", "med");
    h.bring_in("ab", role::advisor, "B", "med");
  }
  std::vector<protocol::event> say(const participant_id& who, const std::string& channel,
                                   const std::string& text) {
    return h.ok(who, cmd::say{channel, text, false, std::nullopt});
  }
};

TEST_F(Mediation, ArrivalConsentAndAdmission) {
  auto created = h.ok(administrator(), cmd::create_room{"Room", "ru", turn_mode::open, 0, "Rules"});
  EXPECT_EQ(created.front().to.scope, protocol::audience_scope::everyone);
  EXPECT_EQ(h.state.phase, room_phase::scheduled);

  auto med = h.ok("med", cmd::join{"Aigerim", role::mediator, std::nullopt});
  EXPECT_EQ(kinds(med), (strings{"joined_lobby", "admitted"}));
  EXPECT_EQ(h.state.phase, room_phase::lobby) << "a mediator alone does not start the session";

  auto pa = h.ok("pa", cmd::join{"Nurlan", role::party, "A"});
  EXPECT_EQ(kinds(pa), strings{"joined_lobby"});
  const auto& joined = body_of<ev::joined_lobby>(pa[0]);
  EXPECT_EQ(joined.participant, "pa");
  EXPECT_EQ(joined.side, "A");
  EXPECT_EQ(pa[0].to.subject, "pa");
  EXPECT_TRUE(h.sees("pa", pa[0]));
  EXPECT_TRUE(h.sees("med", pa[0]));

  EXPECT_EQ(h.no("med", cmd::admit{"pa"}).code, error_code::conflict) << "consent comes first";
  EXPECT_EQ(h.no("pa", cmd::say{"joint", "hi", false, std::nullopt}).code, error_code::not_admitted);
  h.ok("pa", cmd::accept_rules{});
  EXPECT_EQ(h.no("pa", cmd::accept_rules{}).code, error_code::conflict);
  auto admitted = h.ok("med", cmd::admit{"pa"});
  EXPECT_EQ(admitted[0].to.subject, "pa");
  EXPECT_EQ(h.state.phase, room_phase::in_session);
  EXPECT_EQ(h.no("med", cmd::admit{"pa"}).code, error_code::conflict);
  EXPECT_EQ(h.no("med", cmd::admit{"ghost"}).field, "participant");

  h.ok("pb", cmd::join{"Sergei", role::party, "B"});
  auto denied = h.ok("med", cmd::deny{"pb"});
  EXPECT_EQ(kinds(denied), strings{"denied"});
  EXPECT_TRUE(h.sees("pb", denied[0])) << "the denied person learns it";
  EXPECT_EQ(h.no("pb", cmd::join{"Sergei", role::party, "B"}).code, error_code::forbidden);
  EXPECT_EQ(h.no("pb", cmd::accept_rules{}).code, error_code::forbidden);
  EXPECT_EQ(h.no("pa", cmd::join{"Nurlan", role::party, "A"}).code, error_code::conflict);
}

TEST_F(Mediation, AWholeMediationFromOpeningToSignedAgreement) {
  open_room();
  h.bring_in("obs", role::observer, std::nullopt, "med");

  // Opening statements in open mode: everyone admitted hears them; talk time counts them.
  auto opening = say("med", "joint", "Welcome");
  EXPECT_EQ(opening[0].to.scope, protocol::audience_scope::admitted);
  say("pa", "joint", "Сәлем");  // 5 Kazakh/Cyrillic letters, 10 bytes
  EXPECT_EQ(talk_of(h.state, "pa").characters, 5);
  EXPECT_TRUE(h.sees("obs", opening[0]));

  // The mediator moderates: hands, floor, yield.
  h.ok("med", cmd::set_turn_mode{turn_mode::moderated, 0, std::nullopt});
  h.ok("pb", cmd::raise_hand{});
  h.ok("pa", cmd::raise_hand{});
  EXPECT_EQ(h.no("pa", cmd::raise_hand{}).code, error_code::conflict);
  EXPECT_EQ(h.state.hand_queue, (std::vector<participant_id>{"pb", "pa"}));
  auto granted = h.ok("med", cmd::grant_floor{"pb"});
  EXPECT_EQ(kinds(granted), (strings{"hand_lowered", "floor_granted"}));
  EXPECT_EQ(h.state.hand_queue, std::vector<participant_id>{"pa"});
  EXPECT_EQ(h.no("pa", cmd::say{"joint", "but!", false, std::nullopt}).code,
            error_code::not_your_turn);
  EXPECT_EQ(h.no("pa", cmd::yield_floor{}).code, error_code::not_your_turn);
  say("pb", "joint", "The fence is on my land");
  say("med", "joint", "Thank you");  // mediators may always speak
  h.advance(30'000);
  auto yielded = h.ok("pb", cmd::yield_floor{});
  EXPECT_EQ(body_of<ev::floor_released>(yielded[0]).reason, floor_release_reason::yielded);
  EXPECT_EQ(talk_of(h.state, "pb").floor_ms, 30'000);
  EXPECT_FALSE(h.state.floor_holder);

  // Granting over a holder revokes them first.
  h.ok("med", cmd::grant_floor{"pa"});
  auto regrant = h.ok("med", cmd::grant_floor{"aa"});
  EXPECT_EQ(kinds(regrant), (strings{"floor_released", "floor_granted"}));
  EXPECT_EQ(body_of<ev::floor_released>(regrant[0]).reason, floor_release_reason::revoked);
  h.ok("med", cmd::revoke_floor{});
  EXPECT_EQ(h.no("med", cmd::revoke_floor{}).code, error_code::conflict);

  // A caucus with side A: side B, the observer and B's advisor never see any of it.
  auto opened = h.ok("med", cmd::open_caucus{{"pa", "aa"}, "Side A"});
  const auto& caucus = body_of<ev::caucus_opened>(opened[0]);
  EXPECT_EQ(caucus.caucus, "c1");
  EXPECT_EQ(caucus.members, (std::vector<participant_id>{"pa", "aa", "med"}));
  auto confided = h.ok("pa", cmd::say{"c1", "I could accept a hedge", true, std::nullopt});
  EXPECT_EQ(confided[0].to.scope, protocol::audience_scope::caucus);
  EXPECT_EQ(talk_of(h.state, "pa").messages, 1) << "caucus words are not joint talk time";
  EXPECT_EQ(h.no("pb", cmd::say{"c1", "let me in", false, std::nullopt}).code,
            error_code::not_a_member);
  EXPECT_EQ(h.no("pb", cmd::say{"c9", "probe", false, std::nullopt}).code,
            error_code::not_a_member)
      << "a non-member cannot tell an unknown caucus from someone else's";
  EXPECT_EQ(h.no("med", cmd::say{"c9", "typo", false, std::nullopt}).field, "channel");
  EXPECT_EQ(h.no("med", cmd::say{"c1", "note", true, std::nullopt}).code, error_code::forbidden);
  EXPECT_EQ(h.no("pa", cmd::say{"joint", "x", true, std::nullopt}).field, "shareable");
  auto closed = h.ok("med", cmd::close_caucus{"c1"});
  for (const auto* batch : {&opened, &confided, &closed}) {
    for (const auto& e : *batch) {
      EXPECT_TRUE(h.sees("pa", e));
      EXPECT_TRUE(h.sees("aa", e));
      EXPECT_TRUE(h.sees("med", e));
      EXPECT_FALSE(h.sees("pb", e));
      EXPECT_FALSE(h.sees("ab", e));
      EXPECT_FALSE(h.sees("obs", e));
    }
  }
  EXPECT_EQ(h.no("pa", cmd::say{"c1", "still there?", false, std::nullopt}).code,
            error_code::conflict);

  // Agreement: v1 signed by A, redrafted (A's signature voided), both sign v2.
  EXPECT_EQ(h.no("pa", cmd::sign_agreement{1}).code, error_code::conflict) << "nothing drafted";
  auto v1 = h.ok("med", cmd::draft_agreement{"A hedge instead of a fence."});
  EXPECT_EQ(body_of<ev::agreement_drafted>(v1[0]).version, 1);
  h.ok("pa", cmd::sign_agreement{1});
  EXPECT_EQ(h.no("pa", cmd::sign_agreement{1}).code, error_code::conflict);
  EXPECT_EQ(h.no("aa", cmd::sign_agreement{1}).code, error_code::forbidden);
  auto v2 = h.ok("med", cmd::draft_agreement{"A hedge, planted by both."});
  EXPECT_EQ(kinds(v2), (strings{"agreement_drafted", "agreement_voided"}));
  EXPECT_EQ(body_of<ev::agreement_voided>(v2[1]).participant, "pa");
  EXPECT_EQ(body_of<ev::agreement_voided>(v2[1]).version, 1);
  EXPECT_TRUE(h.state.agreement.signatures.empty());
  EXPECT_EQ(h.no("pb", cmd::sign_agreement{1}).code, error_code::conflict) << "stale version";
  EXPECT_EQ(h.no("pb", cmd::sign_agreement{3}).code, error_code::conflict) << "future version";
  h.ok("pa", cmd::sign_agreement{2});
  h.ok("pb", cmd::sign_agreement{2});
  const auto mediator_view = view_for(h.state, "med");
  EXPECT_EQ(mediator_view.agreement.version, 2);
  ASSERT_EQ(mediator_view.agreement.signatures.size(), 2u);
  EXPECT_EQ(mediator_view.agreement.signatures[1].participant, "pb");

  auto ended = h.ok("med", cmd::end_session{});
  EXPECT_EQ(ended.back().to.scope, protocol::audience_scope::everyone);
  EXPECT_EQ(h.state.phase, room_phase::ended);
  EXPECT_EQ(h.no("pa", cmd::say{"joint", "wait", false, std::nullopt}).code, error_code::room_ended);
}

TEST_F(Mediation, RoundModePassesThePieceAlternatingSides) {
  open_room();
  h.bring_in("pa2", role::party, "A", "med");
  auto round = h.ok("med", cmd::set_turn_mode{turn_mode::round, 60, std::nullopt});
  EXPECT_EQ(kinds(round), (strings{"turn_mode_changed", "floor_granted"}));
  EXPECT_EQ(body_of<ev::turn_mode_changed>(round[0]).order,
            (std::vector<participant_id>{"pa", "pb", "pa2"}));
  EXPECT_EQ(body_of<ev::floor_granted>(round[1]).deadline, h.now + 60'000);
  EXPECT_EQ(next_deadline(h.state), h.now + 60'000);

  EXPECT_EQ(h.no(timer(), cmd::tick{}).code, error_code::conflict) << "not yet due";
  h.advance(60'000);
  auto expired = h.ok(timer(), cmd::tick{});
  EXPECT_EQ(kinds(expired), (strings{"floor_released", "floor_granted"}));
  EXPECT_EQ(body_of<ev::floor_released>(expired[0]).reason, floor_release_reason::expired);
  EXPECT_EQ(expired[0].actor, protocol::system_actor);
  EXPECT_EQ(h.state.floor_holder, "pb");
  EXPECT_EQ(talk_of(h.state, "pa").floor_ms, 60'000);

  h.advance(10'000);
  h.ok("pb", cmd::yield_floor{});
  EXPECT_EQ(h.state.floor_holder, "pa2");
  // Removing the next speaker: the round skips them and loops back to the top.
  h.ok("med", cmd::remove{"pa2", "left the building"});
  EXPECT_EQ(h.state.floor_holder, "pa");
  h.ok("pa", cmd::yield_floor{});
  EXPECT_EQ(h.state.floor_holder, "pb");

  // Explicit orders are validated.
  EXPECT_EQ(h.no("med", cmd::set_turn_mode{turn_mode::round, 0, order_of({"pa", "pa"})}).field, "order");
  EXPECT_EQ(h.no("med", cmd::set_turn_mode{turn_mode::round, 0, order_of({"med"})}).field, "order");
  EXPECT_EQ(h.no("med", cmd::set_turn_mode{turn_mode::round, 0, order_of({"pa2"})}).field, "order");
  EXPECT_EQ(h.no("med", cmd::set_turn_mode{turn_mode::round, 0, order_of({})}).field, "order");
  EXPECT_EQ(h.no("med", cmd::set_turn_mode{turn_mode::moderated, 0, order_of({"pa"})}).field, "order");
  EXPECT_EQ(h.no("med", cmd::set_turn_mode{turn_mode::round, 3601, std::nullopt}).field,
            "turn_seconds");
  auto custom = h.ok("med", cmd::set_turn_mode{turn_mode::round, 0, order_of({"ab", "pa"})});
  EXPECT_EQ(kinds(custom), (strings{"floor_released", "turn_mode_changed", "floor_granted"}));
  EXPECT_EQ(h.state.floor_holder, "ab");
  EXPECT_FALSE(h.state.floor_deadline) << "untimed turns have no deadline";
  EXPECT_FALSE(next_deadline(h.state));
}

TEST_F(Mediation, ChangingModeLeavesNoOrphans) {
  open_room();
  h.ok("med", cmd::set_turn_mode{turn_mode::moderated, 0, std::nullopt});
  h.ok("pa", cmd::raise_hand{});
  h.ok("aa", cmd::raise_hand{});
  h.ok("med", cmd::grant_floor{"pb"});
  auto change = h.ok("med", cmd::set_turn_mode{turn_mode::open, 0, std::nullopt});
  EXPECT_EQ(kinds(change),
            (strings{"floor_released", "hand_lowered", "hand_lowered", "turn_mode_changed"}));
  EXPECT_FALSE(h.state.floor_holder);
  EXPECT_TRUE(h.state.hand_queue.empty());
  EXPECT_EQ(h.no("med", cmd::grant_floor{"pa"}).code, error_code::conflict) << "open mode";
}

TEST_F(Mediation, PauseStopsTheClockAndResumeGivesAFreshTurn) {
  open_room(turn_mode::moderated, 30);
  h.ok("med", cmd::grant_floor{"pa"});
  h.advance(10'000);
  h.ok("med", cmd::pause{});
  EXPECT_FALSE(next_deadline(h.state)) << "turns do not run out while paused";
  h.advance(120'000);
  EXPECT_EQ(h.no(timer(), cmd::tick{}).code, error_code::conflict);
  EXPECT_EQ(h.no("pa", cmd::say{"joint", "hello?", false, std::nullopt}).code,
            error_code::room_paused);
  h.ok("pa", cmd::signal_mediator{"I need a minute"});
  auto resumed = h.ok("med", cmd::resume{});
  EXPECT_EQ(kinds(resumed), (strings{"resumed", "floor_granted"}));
  EXPECT_EQ(body_of<ev::floor_granted>(resumed[1]).deadline, h.now + 30'000);
  h.advance(30'000);
  h.ok(timer(), cmd::tick{});
  EXPECT_EQ(talk_of(h.state, "pa").floor_ms, 40'000) << "10 s before the pause + 30 s after it";
  EXPECT_FALSE(h.state.floor_holder);
}

TEST_F(Mediation, MuteAndRemoveTakePeopleOutOfTurn) {
  open_room(turn_mode::moderated);
  h.ok("pa", cmd::raise_hand{});
  h.ok("med", cmd::grant_floor{"pb"});
  h.ok("aa", cmd::raise_hand{});
  auto muted = h.ok("med", cmd::mute{"pb"});
  EXPECT_EQ(kinds(muted), (strings{"floor_released", "muted"}));
  EXPECT_EQ(muted[1].to.subject, "pb");
  EXPECT_EQ(h.no("pb", cmd::say{"joint", "hey", false, std::nullopt}).code, error_code::muted);
  EXPECT_EQ(h.no("pb", cmd::raise_hand{}).code, error_code::muted);
  auto signal = h.ok("pb", cmd::signal_mediator{"please"});
  EXPECT_FALSE(h.sees("pa", signal[0]));
  EXPECT_FALSE(h.sees("ab", signal[0])) << "not even the signaller's own side";
  EXPECT_TRUE(h.sees("med", signal[0]));
  EXPECT_EQ(h.no("med", cmd::grant_floor{"pb"}).code, error_code::conflict);
  EXPECT_EQ(h.no("med", cmd::mute{"pb"}).code, error_code::conflict);
  EXPECT_EQ(h.no("med", cmd::mute{"med"}).field, "participant");
  h.ok("med", cmd::unmute{"pb"});
  EXPECT_EQ(h.no("med", cmd::unmute{"pb"}).code, error_code::conflict);

  auto removed = h.ok("med", cmd::remove{"pa", "threats"});
  EXPECT_EQ(kinds(removed), (strings{"hand_lowered", "removed"}));
  EXPECT_EQ(h.state.hand_queue, std::vector<participant_id>{"aa"});
  EXPECT_TRUE(h.sees("pa", removed[1])) << "the removed person is told";
  EXPECT_EQ(h.no("pa", cmd::lower_hand{}).code, error_code::forbidden);
  EXPECT_EQ(h.no("med", cmd::remove{"pa", ""}).code, error_code::conflict);
  EXPECT_FALSE(viewer_of(h.state, "pa")->admitted);
}

TEST_F(Mediation, InterpreterRendersWhatItMayHear) {
  open_room(turn_mode::moderated);
  h.bring_in("int", role::interpreter, std::nullopt, "med");
  const auto welcome = say("med", "joint", "Қош келдіңіз");
  const auto opened = h.ok("med", cmd::open_caucus{{"pb"}, "B"});
  const auto secret = say("pb", "c1", "Секрет");
  const auto joint_seq = welcome[0].seq;

  // Not the holder, but rendering the mediator's words is not taking a turn.
  auto rendered = h.ok("int", cmd::say{"joint", "Welcome", false, joint_seq});
  EXPECT_EQ(body_of<ev::message>(rendered[0]).translates, joint_seq);
  EXPECT_EQ(h.no("int", cmd::say{"joint", "my own view", false, std::nullopt}).code,
            error_code::not_your_turn);
  EXPECT_EQ(h.no("int", cmd::say{"joint", "?", false, seq_t{9999}}).field, "translates");
  EXPECT_EQ(h.no("int", cmd::say{"joint", "?", false, opened[0].seq}).field, "translates")
      << "not a message";
  EXPECT_EQ(h.no("int", cmd::say{"joint", "?", false, secret[0].seq}).field, "translates")
      << "a caucus the interpreter is not in";
  EXPECT_EQ(h.no("pa", cmd::say{"joint", "?", false, joint_seq}).code, error_code::forbidden);

  // Inside a caucus: renders there, but never carries the words into the joint channel.
  h.ok("med", cmd::open_caucus{{"pb", "int"}, "B with interpreter"});
  const auto inner = say("pb", "c2", "Мен келісемін");
  h.ok("int", cmd::say{"c2", "I agree", false, inner[0].seq});
  EXPECT_EQ(h.no("int", cmd::say{"joint", "I agree", false, inner[0].seq}).field, "translates");
}

TEST_F(Mediation, CoMediatorsShareRightsAndAttendCaucuses) {
  open_room();
  h.bring_in("med2", role::mediator, std::nullopt, "med");
  auto opened = h.ok("med2", cmd::open_caucus{{"pb", "ab"}, ""});
  EXPECT_EQ(h.state.caucuses[0].attending, std::vector<participant_id>{"med2"});
  EXPECT_TRUE(h.sees("med", opened[0])) << "mediators see every caucus";
  h.ok("med", cmd::join_caucus{"c1"});
  EXPECT_EQ(h.no("med", cmd::join_caucus{"c1"}).code, error_code::conflict);
  h.ok("med2", cmd::leave_caucus{"c1"});
  EXPECT_EQ(h.no("med2", cmd::leave_caucus{"c1"}).code, error_code::conflict);
  EXPECT_EQ(h.no("med", cmd::join_caucus{"c7"}).field, "caucus");
  EXPECT_EQ(h.no("med", cmd::open_caucus{{}, ""}).field, "members");
  EXPECT_EQ(h.no("med", cmd::open_caucus{{"med2"}, ""}).field, "members");
  EXPECT_EQ(h.no("med", cmd::open_caucus{{"pa", "pa"}, ""}).field, "members");
  EXPECT_EQ(h.no("med", cmd::open_caucus{{"ghost"}, ""}).field, "members");
  EXPECT_EQ(h.no("med", cmd::remove{"med2", ""}).field, "participant");
  auto second = h.ok("med", cmd::open_caucus{{"pa"}, ""});
  EXPECT_EQ(body_of<ev::caucus_opened>(second[0]).caucus, "c2");
  h.ok("med", cmd::close_caucus{"c1"});
  EXPECT_EQ(h.no("med", cmd::close_caucus{"c1"}).code, error_code::conflict);
  EXPECT_EQ(body_of<ev::caucus_opened>(h.ok("med", cmd::open_caucus{{"pb"}, ""})[0]).caucus, "c3")
      << "ids are never reused";
}

TEST_F(Mediation, TextLimitsAreCodePoints) {
  open_room();
  std::string kazakh;
  for (int i = 0; i < 8000; ++i) kazakh += "ә";
  say("pa", "joint", kazakh);
  EXPECT_EQ(h.no("pa", cmd::say{"joint", kazakh + "a", false, std::nullopt}).code,
            error_code::too_large);
  EXPECT_EQ(h.no("pa", cmd::say{"joint", "", false, std::nullopt}).field, "text");
  EXPECT_EQ(h.no("pa", cmd::say{"joint", "\xC3\x28", false, std::nullopt}).field, "text");
  EXPECT_EQ(h.no("med", cmd::draft_agreement{""}).field, "text");
}

TEST_F(Mediation, WhatEachPersonSeesOfTheRoom) {
  open_room(turn_mode::moderated);
  h.bring_in("obs", role::observer, std::nullopt, "med");
  h.ok("late", cmd::join{"Late", role::party, "B"});
  h.ok("med", cmd::open_caucus{{"pa", "aa"}, "A"});
  h.ok("med", cmd::open_caucus{{"pb"}, "B"});
  h.ok("med", cmd::grant_floor{"pa"});
  h.advance(5'000);
  h.ok("pa", cmd::say{"joint", "abc", false, std::nullopt});
  h.ok("pa", cmd::yield_floor{});
  say("med", "joint", "ok");

  const auto lobby = view_for(h.state, "late");
  ASSERT_EQ(lobby.participants.size(), 2u) << "themselves and the mediator";
  EXPECT_TRUE(lobby.caucuses.empty());
  EXPECT_FALSE(lobby.talk_by_participant);
  EXPECT_EQ(lobby.rules, "Respect");

  const auto party_a = view_for(h.state, "pa");
  EXPECT_EQ(party_a.participants.size(), 7u);
  ASSERT_EQ(party_a.caucuses.size(), 1u);
  EXPECT_EQ(party_a.caucuses[0].id, "c1");
  EXPECT_FALSE(party_a.talk_by_side) << "fairness figures are the mediator's";
  EXPECT_TRUE(view_for(h.state, "obs").caucuses.empty());

  const auto mediator = view_for(h.state, "med");
  EXPECT_EQ(mediator.caucuses.size(), 2u);
  ASSERT_TRUE(mediator.talk_by_side);
  EXPECT_EQ(mediator.talk_by_side->at("A").floor_ms, 5'000);
  EXPECT_EQ(mediator.talk_by_side->at("A").characters, 3);
  EXPECT_EQ(mediator.talk_by_side->at("B").messages, 0);
  EXPECT_EQ(mediator.talk_by_side->at("").messages, 1) << "the mediator has no side";
  EXPECT_EQ(mediator.talk_by_participant->at("pa").messages, 1);
  EXPECT_EQ(viewer_of(h.state, "late")->admitted, false);
  EXPECT_FALSE(viewer_of(h.state, "nobody"));
}

}  // namespace
}  // namespace kelisim::engine::testing
