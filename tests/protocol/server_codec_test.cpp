// Server frames: exact JSON for welcome, ack, error and presence (events: canonical_event_test).
#include <gtest/gtest.h>

#include "protocol/codec.hpp"

namespace kelisim::protocol {
namespace {

constexpr time_ms noon = 1'795'669'346'123;  // 2026-11-26T05:02:26.123Z

room_snapshot sample_room() {
  room_snapshot r;
  r.id = "r_7f3a";
  r.title = "Көршілер дауы";
  r.language = "kk";
  r.rules = "Бір-бірімізді тыңдаймыз.";
  r.phase = room_phase::in_session;
  r.participants = {
      {"inv_m1", "Мира", role::mediator, std::nullopt, presence_state::admitted, true, true, false},
      {"inv_a1", "Айгүл", role::party, "A", presence_state::admitted, true, true, false},
      {"inv_b1", "Борис", role::party, "B", presence_state::lobby, false, false, true},
  };
  r.mode = turn_mode::moderated;
  r.turn_seconds = 120;
  r.order = {};
  r.floor_holder = "inv_a1";
  r.floor_deadline = noon + 120'000;
  r.hand_queue = {"inv_b1"};
  r.caucuses = {{"c1", "A тарапы", {"inv_a1", "inv_m1"}, {"inv_m1"}}};
  r.agreement = {2, "1. Қоршау...", {{"inv_a1", 2, noon}}};
  return r;
}

TEST(ServerCodec, WelcomeForAParty) {
  welcome w;
  w.you = {"inv_a1", "Айгүл", role::party, "A"};
  w.room = sample_room();
  w.seq = 57;
  w.server_time = noon;
  EXPECT_EQ(encode(w),
            R"({"type":"welcome","you":{"id":"inv_a1","name":"Айгүл","role":"party","side":"A"},)"
            R"("room":{"id":"r_7f3a","title":"Көршілер дауы","language":"kk","rules":"Бір-бірімізді тыңдаймыз.","state":"in_session",)"
            R"("participants":[)"
            R"({"id":"inv_m1","name":"Мира","role":"mediator","side":null,"state":"admitted","online":true,"rules_accepted":true,"muted":false},)"
            R"({"id":"inv_a1","name":"Айгүл","role":"party","side":"A","state":"admitted","online":true,"rules_accepted":true,"muted":false},)"
            R"({"id":"inv_b1","name":"Борис","role":"party","side":"B","state":"lobby","online":false,"rules_accepted":false,"muted":true}],)"
            R"("turn_mode":"moderated","turn_seconds":120,"order":[],"floor_holder":"inv_a1","floor_deadline":"2026-11-26T05:04:26.123Z",)"
            R"("hand_queue":["inv_b1"],"caucuses":[{"id":"c1","title":"A тарапы","members":["inv_a1","inv_m1"],"attending":["inv_m1"]}],)"
            R"("agreement":{"version":2,"text":"1. Қоршау...","signatures":[{"participant":"inv_a1","version":2,"at":"2026-11-26T05:02:26.123Z"}]}},)"
            R"("seq":57,"server_time":"2026-11-26T05:02:26.123Z"})");
}

TEST(ServerCodec, WelcomeForAMediatorCarriesTalkTime) {
  welcome w;
  w.you = {"inv_m1", "Мира", role::mediator, std::nullopt};
  w.room.id = "r1";
  w.room.title = "t";
  w.room.language = "ru";
  w.room.phase = room_phase::lobby;
  w.room.talk_by_participant = std::map<participant_id, talk_time>{
      {"inv_a1", {60'000, 3, 120}}, {"inv_m1", {0, 1, 10}}};
  // The no-side bucket ("") stays out of the wire form.
  w.room.talk_by_side = std::map<std::string, talk_time>{{"", {0, 1, 10}}, {"A", {60'000, 3, 120}}};
  w.seq = 3;
  w.server_time = 0;
  EXPECT_EQ(encode(w),
            R"({"type":"welcome","you":{"id":"inv_m1","name":"Мира","role":"mediator","side":null},)"
            R"("room":{"id":"r1","title":"t","language":"ru","rules":"","state":"lobby","participants":[],)"
            R"("turn_mode":"open","turn_seconds":0,"order":[],"floor_holder":null,"floor_deadline":null,)"
            R"("hand_queue":[],"caucuses":[],"agreement":{"version":0,"text":"","signatures":[]},)"
            R"("talk_time":{"participants":{"inv_a1":{"floor_ms":60000,"messages":3,"characters":120},)"
            R"("inv_m1":{"floor_ms":0,"messages":1,"characters":10}},)"
            R"("sides":{"A":{"floor_ms":60000,"messages":3,"characters":120}}}},)"
            R"("seq":3,"server_time":"1970-01-01T00:00:00.000Z"})");
}

TEST(ServerCodec, Ack) {
  EXPECT_EQ(encode(ack{"c-17", 58}), R"({"type":"ack","id":"c-17","seq":58})");
}

TEST(ServerCodec, ErrorWithAndWithoutIdAndField) {
  EXPECT_EQ(encode(error{"c-18", error_code::too_large, "text: longer than 8000 characters", "text"}),
            R"({"type":"error","id":"c-18","code":"too_large","message":"text: longer than 8000 characters","field":"text"})");
  EXPECT_EQ(encode(error{std::nullopt, error_code::unauthorized, "invalid token", std::nullopt}),
            R"({"type":"error","code":"unauthorized","message":"invalid token"})");
}

TEST(ServerCodec, EveryErrorCodeHasAStableName) {
  for (int i = 0; i <= static_cast<int>(error_code::not_found); ++i) {
    const auto code = static_cast<error_code>(i);
    EXPECT_EQ(error_code_from_string(to_string(code)), code);
  }
}

TEST(ServerCodec, Presence) {
  EXPECT_EQ(encode(presence{"inv_b1", true}), R"({"type":"presence","participant":"inv_b1","online":true})");
  EXPECT_EQ(encode(presence{"inv_b1", false}), R"({"type":"presence","participant":"inv_b1","online":false})");
}

TEST(ServerCodec, IllFormedUtf8IsReplacedNotThrown) {
  // The decoder never admits it; encoding must still not throw if a string built elsewhere does.
  EXPECT_EQ(encode(presence{"a\xFF", true}), "{\"type\":\"presence\",\"participant\":\"a\xEF\xBF\xBD\",\"online\":true}");
}

}  // namespace
}  // namespace kelisim::protocol
