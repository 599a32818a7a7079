#pragma once
// One event of every kind (some kinds twice, for optional fields), with its exact canonical JSON.
#include <string>
#include <vector>

#include "protocol/events.hpp"

namespace kelisim::protocol::samples {

struct event_sample {
  event e;
  std::string canonical;
};

// 2026-11-26T05:02:26.123Z
inline constexpr time_ms sample_ts = 1'795'669'346'123;

inline event make(seq_t seq, participant_id actor, audience to, event_body body) {
  return event{seq, sample_ts, std::move(actor), std::move(to), std::move(body)};
}

inline audience everyone() { return {audience_scope::everyone, {}, {}, {}}; }
inline audience admitted(participant_id subject = {}) {
  return {audience_scope::admitted, {}, {}, std::move(subject)};
}
inline audience mediators(participant_id subject = {}) {
  return {audience_scope::mediators, {}, {}, std::move(subject)};
}
inline audience caucus(caucus_id c, std::vector<participant_id> members) {
  return {audience_scope::caucus, std::move(c), std::move(members), {}};
}

inline std::vector<event_sample> every_event_kind() {
  const std::string head_ts = R"("ts":"2026-11-26T05:02:26.123Z")";
  return {
      {make(1, "admin", admitted(),
            ev::room_created{"Көршілер дауы", "kk", turn_mode::moderated, 120, "Бір-бірімізді тыңдаймыз."}),
       R"({"actor":"admin","audience":{"scope":"admitted"},"kind":"room_created","language":"kk","mode":"moderated","rules":"Бір-бірімізді тыңдаймыз.","seq":1,"title":"Көршілер дауы",)" +
           head_ts + R"(,"turn_seconds":120})"},
      {make(2, "inv_a1", admitted("inv_a1"), ev::joined_lobby{"inv_a1", "Айгүл", role::party, "A"}),
       R"({"actor":"inv_a1","audience":{"scope":"admitted","subject":"inv_a1"},"kind":"joined_lobby","name":"Айгүл","participant":"inv_a1","role":"party","seq":2,"side":"A",)" +
           head_ts + "}"},
      {make(3, "inv_m1", admitted("inv_m1"), ev::joined_lobby{"inv_m1", "Мира", role::mediator, std::nullopt}),
       R"({"actor":"inv_m1","audience":{"scope":"admitted","subject":"inv_m1"},"kind":"joined_lobby","name":"Мира","participant":"inv_m1","role":"mediator","seq":3,"side":null,)" +
           head_ts + "}"},
      {make(4, "inv_a1", mediators("inv_a1"), ev::rules_accepted{"inv_a1"}),
       R"({"actor":"inv_a1","audience":{"scope":"mediators","subject":"inv_a1"},"kind":"rules_accepted","participant":"inv_a1","seq":4,)" +
           head_ts + "}"},
      {make(5, "inv_m1", admitted("inv_a1"), ev::admitted{"inv_a1"}),
       R"({"actor":"inv_m1","audience":{"scope":"admitted","subject":"inv_a1"},"kind":"admitted","participant":"inv_a1","seq":5,)" +
           head_ts + "}"},
      {make(6, "inv_m1", mediators("inv_x9"), ev::denied{"inv_x9"}),
       R"({"actor":"inv_m1","audience":{"scope":"mediators","subject":"inv_x9"},"kind":"denied","participant":"inv_x9","seq":6,)" +
           head_ts + "}"},
      {make(7, "inv_a1", admitted(), ev::message{"joint", "Сәлем, \"көрші\"!\n", false, std::nullopt}),
       R"({"actor":"inv_a1","audience":{"scope":"admitted"},"channel":"joint","kind":"message","seq":7,"shareable":false,"text":"Сәлем, \"көрші\"!\n",)" +
           head_ts + "}"},
      {make(8, "inv_a1", caucus("c1", {"inv_a1", "inv_m1"}), ev::message{"c1", "Private", true, std::nullopt}),
       R"({"actor":"inv_a1","audience":{"caucus":"c1","members":["inv_a1","inv_m1"],"scope":"caucus"},"channel":"c1","kind":"message","seq":8,"shareable":true,"text":"Private",)" +
           head_ts + "}"},
      {make(9, "inv_i1", admitted(), ev::message{"joint", "Hello, neighbour!", false, 7}),
       R"({"actor":"inv_i1","audience":{"scope":"admitted"},"channel":"joint","kind":"message","seq":9,"shareable":false,"text":"Hello, neighbour!","translates":7,)" +
           head_ts + "}"},
      {make(10, "inv_b1", admitted(), ev::hand_raised{"inv_b1"}),
       R"({"actor":"inv_b1","audience":{"scope":"admitted"},"kind":"hand_raised","participant":"inv_b1","seq":10,)" +
           head_ts + "}"},
      {make(11, "inv_b1", admitted(), ev::hand_lowered{"inv_b1"}),
       R"({"actor":"inv_b1","audience":{"scope":"admitted"},"kind":"hand_lowered","participant":"inv_b1","seq":11,)" +
           head_ts + "}"},
      {make(12, "inv_m1", admitted(), ev::floor_granted{"inv_b1", sample_ts + 120'000}),
       R"({"actor":"inv_m1","audience":{"scope":"admitted"},"deadline":"2026-11-26T05:04:26.123Z","kind":"floor_granted","participant":"inv_b1","seq":12,)" +
           head_ts + "}"},
      {make(13, "inv_m1", admitted(), ev::floor_granted{"inv_b1", std::nullopt}),
       R"({"actor":"inv_m1","audience":{"scope":"admitted"},"kind":"floor_granted","participant":"inv_b1","seq":13,)" +
           head_ts + "}"},
      {make(14, "system", admitted(), ev::floor_released{"inv_b1", floor_release_reason::expired}),
       R"({"actor":"system","audience":{"scope":"admitted"},"kind":"floor_released","participant":"inv_b1","reason":"expired","seq":14,)" +
           head_ts + "}"},
      {make(15, "inv_m1", admitted(), ev::turn_mode_changed{turn_mode::round, 90, {"inv_a1", "inv_b1"}}),
       R"({"actor":"inv_m1","audience":{"scope":"admitted"},"kind":"turn_mode_changed","mode":"round","order":["inv_a1","inv_b1"],"seq":15,)" +
           head_ts + R"(,"turn_seconds":90})"},
      {make(16, "inv_m1", admitted(), ev::turn_mode_changed{turn_mode::open, 0, {}}),
       R"({"actor":"inv_m1","audience":{"scope":"admitted"},"kind":"turn_mode_changed","mode":"open","order":[],"seq":16,)" +
           head_ts + R"(,"turn_seconds":0})"},
      {make(17, "inv_m1", caucus("c1", {"inv_a1", "inv_m1"}), ev::caucus_opened{"c1", {"inv_a1", "inv_m1"}, "A тарапы"}),
       R"({"actor":"inv_m1","audience":{"caucus":"c1","members":["inv_a1","inv_m1"],"scope":"caucus"},"caucus":"c1","kind":"caucus_opened","members":["inv_a1","inv_m1"],"seq":17,"title":"A тарапы",)" +
           head_ts + "}"},
      {make(18, "inv_m1", caucus("c1", {"inv_a1", "inv_m1"}), ev::caucus_closed{"c1"}),
       R"({"actor":"inv_m1","audience":{"caucus":"c1","members":["inv_a1","inv_m1"],"scope":"caucus"},"caucus":"c1","kind":"caucus_closed","seq":18,)" +
           head_ts + "}"},
      {make(19, "inv_m2", caucus("c1", {"inv_a1", "inv_m1"}), ev::caucus_joined{"c1", "inv_m2"}),
       R"({"actor":"inv_m2","audience":{"caucus":"c1","members":["inv_a1","inv_m1"],"scope":"caucus"},"caucus":"c1","kind":"caucus_joined","participant":"inv_m2","seq":19,)" +
           head_ts + "}"},
      {make(20, "inv_m2", caucus("c1", {"inv_a1", "inv_m1"}), ev::caucus_left{"c1", "inv_m2"}),
       R"({"actor":"inv_m2","audience":{"caucus":"c1","members":["inv_a1","inv_m1"],"scope":"caucus"},"caucus":"c1","kind":"caucus_left","participant":"inv_m2","seq":20,)" +
           head_ts + "}"},
      {make(21, "inv_b1", mediators(), ev::mediator_signalled{"Маған үзіліс керек"}),
       R"({"actor":"inv_b1","audience":{"scope":"mediators"},"kind":"mediator_signalled","seq":21,"text":"Маған үзіліс керек",)" +
           head_ts + "}"},
      {make(22, "inv_m1", admitted(), ev::muted{"inv_b1"}),
       R"({"actor":"inv_m1","audience":{"scope":"admitted"},"kind":"muted","participant":"inv_b1","seq":22,)" +
           head_ts + "}"},
      {make(23, "inv_m1", admitted(), ev::unmuted{"inv_b1"}),
       R"({"actor":"inv_m1","audience":{"scope":"admitted"},"kind":"unmuted","participant":"inv_b1","seq":23,)" +
           head_ts + "}"},
      {make(24, "inv_m1", admitted("inv_b1"), ev::removed{"inv_b1", "threats"}),
       R"({"actor":"inv_m1","audience":{"scope":"admitted","subject":"inv_b1"},"kind":"removed","participant":"inv_b1","reason":"threats","seq":24,)" +
           head_ts + "}"},
      {make(25, "inv_m1", everyone(), ev::paused{}),
       R"({"actor":"inv_m1","audience":{"scope":"everyone"},"kind":"paused","seq":25,)" + head_ts + "}"},
      {make(26, "inv_m1", everyone(), ev::resumed{}),
       R"({"actor":"inv_m1","audience":{"scope":"everyone"},"kind":"resumed","seq":26,)" + head_ts + "}"},
      {make(27, "admin", everyone(), ev::session_ended{}),
       R"({"actor":"admin","audience":{"scope":"everyone"},"kind":"session_ended","seq":27,)" + head_ts + "}"},
      {make(28, "inv_m1", admitted(), ev::agreement_drafted{2, "1. Қоршау..."}),
       R"({"actor":"inv_m1","audience":{"scope":"admitted"},"kind":"agreement_drafted","seq":28,"text":"1. Қоршау...",)" +
           head_ts + R"(,"version":2})"},
      {make(29, "inv_a1", admitted(), ev::agreement_signed{2, "inv_a1"}),
       R"({"actor":"inv_a1","audience":{"scope":"admitted"},"kind":"agreement_signed","participant":"inv_a1","seq":29,)" +
           head_ts + R"(,"version":2})"},
      {make(30, "inv_m1", admitted(), ev::agreement_voided{1, "inv_a1"}),
       R"({"actor":"inv_m1","audience":{"scope":"admitted"},"kind":"agreement_voided","participant":"inv_a1","seq":30,)" +
           head_ts + R"(,"version":1})"},
  };
}

}  // namespace kelisim::protocol::samples
