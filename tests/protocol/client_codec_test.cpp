// Client frames: every command round-trips through its exact JSON, and every malformed frame
// maps to one error code (+ field, + the command id when it was readable).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "protocol/codec.hpp"

namespace kelisim::protocol {
namespace {

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Variant indices of the commands that have a wire name (the client commands).
template <std::size_t... I>
std::vector<std::size_t> client_command_indices(std::index_sequence<I...>) {
  std::vector<std::size_t> out;
  ((command_name(command{std::in_place_index<I>}).empty() ? void() : out.push_back(I)), ...);
  return out;
}

struct command_case {
  command body;
  std::string json;  // exactly what encode() writes for it, with id "c-1"
};

std::vector<command_case> every_client_command() {
  return {
      {cmd::accept_rules{}, R"({"type":"accept_rules","id":"c-1"})"},
      {cmd::say{"joint", "Сәлеметсіз бе", false, std::nullopt},
       R"({"type":"say","id":"c-1","channel":"joint","text":"Сәлеметсіз бе"})"},
      {cmd::say{"c2", "line 1\nline 2", true, 17},
       R"({"type":"say","id":"c-1","channel":"c2","text":"line 1\nline 2","shareable":true,"translates":17})"},
      {cmd::raise_hand{}, R"({"type":"raise_hand","id":"c-1"})"},
      {cmd::lower_hand{}, R"({"type":"lower_hand","id":"c-1"})"},
      {cmd::yield_floor{}, R"({"type":"yield_floor","id":"c-1"})"},
      {cmd::signal_mediator{}, R"({"type":"signal_mediator","id":"c-1"})"},
      {cmd::signal_mediator{"Маған үзіліс керек"},
       R"({"type":"signal_mediator","id":"c-1","text":"Маған үзіліс керек"})"},
      {cmd::admit{"inv_a1"}, R"({"type":"admit","id":"c-1","participant":"inv_a1"})"},
      {cmd::deny{"inv_a1"}, R"({"type":"deny","id":"c-1","participant":"inv_a1"})"},
      {cmd::grant_floor{"inv_b2"}, R"({"type":"grant_floor","id":"c-1","participant":"inv_b2"})"},
      {cmd::revoke_floor{}, R"({"type":"revoke_floor","id":"c-1"})"},
      {cmd::set_turn_mode{turn_mode::moderated, 120, std::nullopt},
       R"({"type":"set_turn_mode","id":"c-1","mode":"moderated","turn_seconds":120})"},
      {cmd::set_turn_mode{turn_mode::round, 0, std::vector<participant_id>{"inv_a1", "inv_b2"}},
       R"({"type":"set_turn_mode","id":"c-1","mode":"round","turn_seconds":0,"order":["inv_a1","inv_b2"]})"},
      {cmd::open_caucus{{"inv_a1"}, ""},
       R"({"type":"open_caucus","id":"c-1","members":["inv_a1"]})"},
      {cmd::open_caucus{{"inv_a1", "inv_a2"}, "A тарапы"},
       R"({"type":"open_caucus","id":"c-1","members":["inv_a1","inv_a2"],"title":"A тарапы"})"},
      {cmd::close_caucus{"c1"}, R"({"type":"close_caucus","id":"c-1","caucus":"c1"})"},
      {cmd::join_caucus{"c1"}, R"({"type":"join_caucus","id":"c-1","caucus":"c1"})"},
      {cmd::leave_caucus{"c1"}, R"({"type":"leave_caucus","id":"c-1","caucus":"c1"})"},
      {cmd::mute{"inv_b2"}, R"({"type":"mute","id":"c-1","participant":"inv_b2"})"},
      {cmd::unmute{"inv_b2"}, R"({"type":"unmute","id":"c-1","participant":"inv_b2"})"},
      {cmd::remove{"inv_b2", ""}, R"({"type":"remove","id":"c-1","participant":"inv_b2"})"},
      {cmd::remove{"inv_b2", "threats"},
       R"({"type":"remove","id":"c-1","participant":"inv_b2","reason":"threats"})"},
      {cmd::pause{}, R"({"type":"pause","id":"c-1"})"},
      {cmd::resume{}, R"({"type":"resume","id":"c-1"})"},
      {cmd::end_session{}, R"({"type":"end_session","id":"c-1"})"},
      {cmd::draft_agreement{"1. Шекара қоршауы..."},
       R"({"type":"draft_agreement","id":"c-1","text":"1. Шекара қоршауы..."})"},
      {cmd::sign_agreement{3}, R"({"type":"sign_agreement","id":"c-1","version":3})"},
  };
}

TEST(ClientCodec, EveryCommandEncodesToItsExactJson) {
  for (const auto& c : every_client_command())
    EXPECT_EQ(encode(command_message{"c-1", c.body}), c.json);
}

TEST(ClientCodec, EveryCommandRoundTrips) {
  std::set<std::size_t> covered;
  for (const auto& c : every_client_command()) {
    SCOPED_TRACE(c.json);
    const auto decoded = decode_client(c.json);
    ASSERT_TRUE(std::holds_alternative<client_message>(decoded))
        << std::get<decode_error>(decoded).message;
    const auto& message = std::get<client_message>(decoded);
    ASSERT_TRUE(std::holds_alternative<command_message>(message));
    const auto& command = std::get<command_message>(message);
    EXPECT_EQ(command.id, "c-1");
    EXPECT_EQ(command.body.index(), c.body.index());
    EXPECT_EQ(encode(command), c.json);
    covered.insert(c.body.index());
  }
  // Every command that has a wire name is in the table.
  const auto client_commands =
      client_command_indices(std::make_index_sequence<std::variant_size_v<command>>{});
  for (const std::size_t index : client_commands)
    EXPECT_TRUE(covered.count(index)) << "command alternative " << index << " has no case";
  EXPECT_EQ(covered.size(), client_commands.size());
}

TEST(ClientCodec, DecodedFieldsAreTheOnesSent) {
  const auto decoded = decode_client(
      R"({"type":"say","id":"m1","channel":"c2","text":"Иә","shareable":true,"translates":41})");
  const auto& say = std::get<cmd::say>(std::get<command_message>(std::get<client_message>(decoded)).body);
  EXPECT_EQ(say.channel, "c2");
  EXPECT_EQ(say.text, "Иә");
  EXPECT_TRUE(say.shareable);
  EXPECT_EQ(say.translates, 41);

  const auto mode = decode_client(
      R"({"type":"set_turn_mode","id":"m2","mode":"round","turn_seconds":3600,"order":["a","b"]})");
  const auto& set = std::get<cmd::set_turn_mode>(
      std::get<command_message>(std::get<client_message>(mode)).body);
  EXPECT_EQ(set.mode, turn_mode::round);
  EXPECT_EQ(set.turn_seconds, 3600);
  EXPECT_EQ(set.order, (std::vector<participant_id>{"a", "b"}));
}

TEST(ClientCodec, HelloRoundTrips) {
  for (const hello& h : {hello{1, "eyJhbGciOiJIUzI1NiJ9.e30.sig", std::nullopt},
                         hello{1, "tok", 0}, hello{1, "tok", 12}, hello{2, "", std::nullopt},
                         hello{-7, "tok", 9'007'199'254'740'993}}) {
    const std::string frame = encode(h);
    const auto decoded = decode_client(frame);
    ASSERT_TRUE(std::holds_alternative<client_message>(decoded)) << frame;
    const auto& back = std::get<hello>(std::get<client_message>(decoded));
    EXPECT_EQ(back.v, h.v);
    EXPECT_EQ(back.token, h.token);
    EXPECT_EQ(back.resume_after, h.resume_after);
    EXPECT_EQ(encode(back), frame);
  }
  EXPECT_EQ(encode(hello{1, "tok", 12}), R"({"type":"hello","v":1,"token":"tok","resume_after":12})");
}

TEST(ClientCodec, UnknownFieldsAndNullOptionalsAreAccepted) {
  const auto decoded = decode_client(
      R"({"type":"say","id":"x","channel":"joint","text":"hi","shareable":null,"translates":null,)"
      R"("client_hint":{"a":[1,2,{"b":null}]}})");
  ASSERT_TRUE(std::holds_alternative<client_message>(decoded));
  const auto& say = std::get<cmd::say>(std::get<command_message>(std::get<client_message>(decoded)).body);
  EXPECT_FALSE(say.shareable);
  EXPECT_FALSE(say.translates);
}

TEST(ClientCodec, KazakhTextIsCountedInCodePoints) {
  const std::string letters = repeat("қ", max_text_code_points);  // 2 bytes each
  const auto ok = decode_client(encode(command_message{"k", cmd::say{"joint", letters, false, {}}}));
  ASSERT_TRUE(std::holds_alternative<client_message>(ok));
  EXPECT_EQ(std::get<cmd::say>(std::get<command_message>(std::get<client_message>(ok)).body).text,
            letters);
}

TEST(ClientCodec, InternalCommandsHaveNoWireForm) {
  EXPECT_THROW(encode(command_message{"x", cmd::tick{}}), std::invalid_argument);
  EXPECT_THROW(encode(command_message{"x", cmd::create_room{}}), std::invalid_argument);
}

// ---- the malformed-input table ----

struct malformed_case {
  std::string name;
  std::string frame;
  error_code code;
  std::optional<std::string> field;
  std::optional<std::string> id;  // the command id the error should answer
};

std::vector<malformed_case> malformed_inputs() {
  const std::string say_prefix = R"({"type":"say","id":"s1","channel":"joint","text":")";
  std::vector<malformed_case> cases = {
      // framing
      {"empty frame", "", error_code::bad_message, {}, {}},
      {"whitespace only", "  \n", error_code::bad_message, {}, {}},
      {"not JSON", "hello", error_code::bad_message, {}, {}},
      {"truncated JSON", R"({"type":"raise_hand","id":"r1")", error_code::bad_message, {}, {}},
      {"trailing garbage", R"({"type":"raise_hand","id":"r1"} x)", error_code::bad_message, {}, {}},
      {"array", R"([{"type":"raise_hand","id":"r1"}])", error_code::bad_message, {}, {}},
      {"string", R"("raise_hand")", error_code::bad_message, {}, {}},
      {"number", "42", error_code::bad_message, {}, {}},
      {"null", "null", error_code::bad_message, {}, {}},
      {"invalid UTF-8 byte", say_prefix + "\xC3\x28\"}", error_code::bad_message, {}, {}},
      {"overlong UTF-8", say_prefix + "\xC0\xAF\"}", error_code::bad_message, {}, {}},
      {"UTF-16 surrogate in UTF-8", say_prefix + "\xED\xA0\x80\"}", error_code::bad_message, {}, {}},
      {"lone surrogate escape", say_prefix + "\\uD800\"}", error_code::bad_message, {}, {}},
      {"duplicate key", R"({"type":"raise_hand","id":"r1","type":"pause"})",
       error_code::bad_message, {}, {}},
      {"frame over 64 KiB", say_prefix + repeat("a", max_frame_bytes) + "\"}",
       error_code::too_large, {}, {}},
      {"100000-deep nesting (over the frame limit)", repeat("[", 100000) + repeat("]", 100000),
       error_code::too_large, {}, {}},
      {"30000-deep nesting (within the frame limit)", repeat("[", 30000) + repeat("]", 30000), error_code::bad_message, {}, {}},
      {"9 levels inside a command",
       R"({"type":"raise_hand","id":"r1","x":[[[[[[[[]]]]]]]]})", error_code::bad_message, {}, {}},
      // type
      {"no type", R"({"id":"r1"})", error_code::bad_message, "type", {}},
      {"type not a string", R"({"type":7,"id":"r1"})", error_code::bad_message, "type", {}},
      {"unknown type", R"({"type":"fly","id":"r1"})", error_code::unknown_type, "type", "r1"},
      {"unknown type, unreadable id", R"({"type":"fly","id":""})", error_code::unknown_type,
       "type", {}},
      {"empty type", R"({"type":"","id":"r1"})", error_code::unknown_type, "type", "r1"},
      {"internal command name", R"({"type":"tick","id":"r1"})", error_code::unknown_type, "type",
       "r1"},
      {"server message type", R"({"type":"ack","id":"r1","seq":1})", error_code::unknown_type,
       "type", "r1"},
      // id
      {"no id", R"({"type":"raise_hand"})", error_code::invalid_field, "id", {}},
      {"empty id", R"({"type":"raise_hand","id":""})", error_code::invalid_field, "id", {}},
      {"id of 65 characters", R"({"type":"raise_hand","id":")" + repeat("x", 65) + "\"}",
       error_code::invalid_field, "id", {}},
      {"id with a space", R"({"type":"raise_hand","id":"a b"})", error_code::invalid_field, "id", {}},
      {"id with non-ASCII", R"({"type":"raise_hand","id":"қ1"})", error_code::invalid_field, "id", {}},
      {"id a number", R"({"type":"raise_hand","id":17})", error_code::invalid_field, "id", {}},
      // hello
      {"hello without v", R"({"type":"hello","token":"t"})", error_code::invalid_field, "v", {}},
      {"hello v a string", R"({"type":"hello","v":"1","token":"t"})", error_code::invalid_field, "v", {}},
      {"hello v a float", R"({"type":"hello","v":1.5,"token":"t"})", error_code::invalid_field, "v", {}},
      {"hello v 1.0", R"({"type":"hello","v":1.0,"token":"t"})", error_code::invalid_field, "v", {}},
      {"hello v beyond int", R"({"type":"hello","v":4294967296,"token":"t"})",
       error_code::invalid_field, "v", {}},
      {"hello without token", R"({"type":"hello","v":1})", error_code::invalid_field, "token", {}},
      {"hello token not a string", R"({"type":"hello","v":1,"token":{}})",
       error_code::invalid_field, "token", {}},
      {"hello negative resume_after", R"({"type":"hello","v":1,"token":"t","resume_after":-1})",
       error_code::invalid_field, "resume_after", {}},
      {"hello resume_after 2^63", R"({"type":"hello","v":1,"token":"t","resume_after":9223372036854775808})",
       error_code::invalid_field, "resume_after", {}},
      {"hello resume_after 1e400", R"({"type":"hello","v":1,"token":"t","resume_after":1e400})",
       error_code::bad_message, {}, {}},
      {"hello resume_after 1e3", R"({"type":"hello","v":1,"token":"t","resume_after":1e3})",
       error_code::invalid_field, "resume_after", {}},
      {"hello resume_after huge integer",
       R"({"type":"hello","v":1,"token":"t","resume_after":123456789012345678901234567890})",
       error_code::invalid_field, "resume_after", {}},
      // say
      {"say without channel", R"({"type":"say","id":"s1","text":"hi"})", error_code::invalid_field,
       "channel", "s1"},
      {"say channel a number", R"({"type":"say","id":"s1","channel":1,"text":"hi"})",
       error_code::invalid_field, "channel", "s1"},
      {"say without text", R"({"type":"say","id":"s1","channel":"joint"})",
       error_code::invalid_field, "text", "s1"},
      {"say empty text", R"({"type":"say","id":"s1","channel":"joint","text":""})",
       error_code::invalid_field, "text", "s1"},
      {"say text null", R"({"type":"say","id":"s1","channel":"joint","text":null})",
       error_code::invalid_field, "text", "s1"},
      {"say text an array", R"({"type":"say","id":"s1","channel":"joint","text":["hi"]})",
       error_code::invalid_field, "text", "s1"},
      {"say text with NUL", say_prefix + "a\\u0000b\"}", error_code::invalid_field, "text", "s1"},
      {"say 8001 Kazakh letters", say_prefix + repeat("ә", max_text_code_points + 1) + "\"}",
       error_code::too_large, "text", "s1"},
      {"say shareable a string",
       R"({"type":"say","id":"s1","channel":"c1","text":"x","shareable":"yes"})",
       error_code::invalid_field, "shareable", "s1"},
      {"say translates 0", R"({"type":"say","id":"s1","channel":"joint","text":"x","translates":0})",
       error_code::invalid_field, "translates", "s1"},
      {"say translates a float",
       R"({"type":"say","id":"s1","channel":"joint","text":"x","translates":3.5})",
       error_code::invalid_field, "translates", "s1"},
      // participant-addressed
      {"admit without participant", R"({"type":"admit","id":"a1"})", error_code::invalid_field,
       "participant", "a1"},
      {"admit participant too long", R"({"type":"admit","id":"a1","participant":")" + repeat("p", 65) + "\"}",
       error_code::invalid_field, "participant", "a1"},
      {"mute participant an object", R"({"type":"mute","id":"a1","participant":{"id":"x"}})",
       error_code::invalid_field, "participant", "a1"},
      {"remove reason a number", R"({"type":"remove","id":"a1","participant":"p","reason":5})",
       error_code::invalid_field, "reason", "a1"},
      {"remove reason too long",
       R"({"type":"remove","id":"a1","participant":"p","reason":")" + repeat("r", max_reason_code_points + 1) + "\"}",
       error_code::too_large, "reason", "a1"},
      // set_turn_mode
      {"set_turn_mode unknown mode", R"({"type":"set_turn_mode","id":"t1","mode":"chaos","turn_seconds":0})",
       error_code::invalid_field, "mode", "t1"},
      {"set_turn_mode without turn_seconds", R"({"type":"set_turn_mode","id":"t1","mode":"open"})",
       error_code::invalid_field, "turn_seconds", "t1"},
      {"set_turn_mode negative seconds",
       R"({"type":"set_turn_mode","id":"t1","mode":"open","turn_seconds":-1})",
       error_code::invalid_field, "turn_seconds", "t1"},
      {"set_turn_mode seconds over the limit",
       R"({"type":"set_turn_mode","id":"t1","mode":"open","turn_seconds":3601})",
       error_code::invalid_field, "turn_seconds", "t1"},
      {"set_turn_mode huge seconds",
       R"({"type":"set_turn_mode","id":"t1","mode":"open","turn_seconds":18446744073709551615})",
       error_code::invalid_field, "turn_seconds", "t1"},
      {"set_turn_mode order not an array",
       R"({"type":"set_turn_mode","id":"t1","mode":"round","turn_seconds":60,"order":"a,b"})",
       error_code::invalid_field, "order", "t1"},
      {"set_turn_mode order with a duplicate",
       R"({"type":"set_turn_mode","id":"t1","mode":"round","turn_seconds":60,"order":["a","a"]})",
       error_code::invalid_field, "order", "t1"},
      // caucus
      {"open_caucus without members", R"({"type":"open_caucus","id":"o1"})",
       error_code::invalid_field, "members", "o1"},
      {"open_caucus empty members", R"({"type":"open_caucus","id":"o1","members":[]})",
       error_code::invalid_field, "members", "o1"},
      {"open_caucus member a number", R"({"type":"open_caucus","id":"o1","members":["a",2]})",
       error_code::invalid_field, "members", "o1"},
      {"open_caucus title over 200", R"({"type":"open_caucus","id":"o1","members":["a"],"title":")" +
       repeat("т", max_title_code_points + 1) + "\"}", error_code::too_large, "title", "o1"},
      {"open_caucus title with a newline",
       R"({"type":"open_caucus","id":"o1","members":["a"],"title":"A\nB"})",
       error_code::invalid_field, "title", "o1"},
      {"close_caucus without caucus", R"({"type":"close_caucus","id":"o1"})",
       error_code::invalid_field, "caucus", "o1"},
      {"join_caucus caucus null", R"({"type":"join_caucus","id":"o1","caucus":null})",
       error_code::invalid_field, "caucus", "o1"},
      // agreement
      {"draft_agreement without text", R"({"type":"draft_agreement","id":"d1"})",
       error_code::invalid_field, "text", "d1"},
      {"sign_agreement without version", R"({"type":"sign_agreement","id":"g1"})",
       error_code::invalid_field, "version", "g1"},
      {"sign_agreement version 0", R"({"type":"sign_agreement","id":"g1","version":0})",
       error_code::invalid_field, "version", "g1"},
      {"sign_agreement version a string", R"({"type":"sign_agreement","id":"g1","version":"2"})",
       error_code::invalid_field, "version", "g1"},
      {"sign_agreement version 2.0", R"({"type":"sign_agreement","id":"g1","version":2.0})",
       error_code::invalid_field, "version", "g1"},
      {"sign_agreement version beyond int",
       R"({"type":"sign_agreement","id":"g1","version":2147483648})", error_code::invalid_field,
       "version", "g1"},
      {"signal_mediator text a bool", R"({"type":"signal_mediator","id":"g1","text":true})",
       error_code::invalid_field, "text", "g1"},
  };
  return cases;
}

TEST(ClientCodec, MalformedInputsMapToTheirErrorCodes) {
  for (const auto& c : malformed_inputs()) {
    SCOPED_TRACE(c.name);
    const auto decoded = decode_client(c.frame);
    ASSERT_TRUE(std::holds_alternative<decode_error>(decoded));
    const auto& e = std::get<decode_error>(decoded);
    EXPECT_EQ(to_string(e.code), to_string(c.code)) << e.message;
    EXPECT_EQ(e.field, c.field) << e.message;
    EXPECT_EQ(e.id, c.id);
    EXPECT_FALSE(e.message.empty());
  }
}

TEST(ClientCodec, EightLevelsOfNestingAreAllowed) {
  // The object itself is level 1; the unknown field adds seven more.
  const auto decoded = decode_client(R"({"type":"raise_hand","id":"r1","x":[[[[[[[]]]]]]]})");
  EXPECT_TRUE(std::holds_alternative<client_message>(decoded));
  // Brackets inside strings are text, not nesting.
  const auto text = decode_client(
      R"({"type":"say","id":"s","channel":"joint","text":"[[[[[[[[[[{{{{{{{{\"]]"})");
  EXPECT_TRUE(std::holds_alternative<client_message>(text));
}

TEST(ClientCodec, FrameOfExactlyTheLimitIsDecoded) {
  std::string frame = R"({"type":"raise_hand","id":"r1","pad":")";
  frame += repeat("x", max_frame_bytes - frame.size() - 2) + "\"}";
  ASSERT_EQ(frame.size(), max_frame_bytes);
  EXPECT_TRUE(std::holds_alternative<client_message>(decode_client(frame)));
}

}  // namespace
}  // namespace kelisim::protocol
