// websocket_frames: frame_reader on client frames (masks, lengths, fragments, control, limits, UTF-8) and encoders.
#include "net/websocket_frames.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/text.hpp"

namespace kelisim::net {
namespace {

using namespace std::string_view_literals;
using kind = frame_event::kind;

constexpr std::size_t large_limit = std::size_t{1} << 20;

enum class length_form { shortest, bits7, bits16, bits64 };

// One client frame as it goes on the wire, legal or not: frame(opcode::text, "hi").not_final().
// A reserved opcode is static_cast<opcode>(3); declaring() writes a length other than the payload's.
struct client_frame {
  opcode op = opcode::text;
  std::string payload;
  bool fin = true;
  std::uint8_t rsv = 0;  // RSV1..RSV3 as bits 2..0
  bool masked = true;
  std::array<unsigned char, 4> mask{0x9a, 0x3c, 0x5e, 0x71};
  length_form form = length_form::shortest;
  std::optional<std::uint64_t> length;

  client_frame not_final() const { return with([](client_frame& f) { f.fin = false; }); }
  client_frame with_rsv(std::uint8_t bits) const { return with([&](client_frame& f) { f.rsv = bits; }); }
  client_frame unmasked() const { return with([](client_frame& f) { f.masked = false; }); }
  client_frame with_mask(std::array<unsigned char, 4> key) const { return with([&](client_frame& f) { f.mask = key; }); }
  client_frame in_form(length_form lf) const { return with([&](client_frame& f) { f.form = lf; }); }
  client_frame declaring(std::uint64_t n) const { return with([&](client_frame& f) { f.length = n; }); }

 private:
  template <typename Change>
  client_frame with(Change change) const {
    client_frame copy = *this;
    change(copy);
    return copy;
  }
};

client_frame frame(opcode op, std::string payload = {}) {
  client_frame f;
  f.op = op;
  f.payload = std::move(payload);
  return f;
}

// The frames' bytes, one after the other.
std::string wire(std::initializer_list<client_frame> frames) {
  std::string out;
  for (const auto& f : frames) {
    const std::uint64_t length = f.length.value_or(f.payload.size());
    auto form = f.form;
    if (form == length_form::shortest)
      form = length < 126 ? length_form::bits7 : length <= 0xFFFF ? length_form::bits16 : length_form::bits64;
    out.push_back(static_cast<char>((f.fin ? 0x80 : 0) | ((f.rsv & 7) << 4) | (static_cast<std::uint8_t>(f.op) & 0x0F)));
    const int mask_bit = f.masked ? 0x80 : 0;
    const auto push_length = [&](int length7, int bytes) {
      out.push_back(static_cast<char>(mask_bit | length7));
      for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((length >> (8 * i)) & 0xFF));
    };
    switch (form) {
      case length_form::bits16: push_length(126, 2); break;
      case length_form::bits64: push_length(127, 8); break;
      default: push_length(static_cast<int>(length), 0); break;
    }
    if (f.masked) out.append(f.mask.begin(), f.mask.end());
    for (std::size_t i = 0; i < f.payload.size(); ++i)
      out.push_back(static_cast<char>(f.payload[i] ^ (f.masked ? f.mask[i & 3] : 0)));
  }
  return out;
}

// The body of a close frame: the code in network order, then the reason.
std::string close_body(std::uint16_t code, std::string_view reason = {}) {
  std::string body{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  body.append(reason);
  return body;
}

std::string describe(const frame_event& e) {
  switch (e.what) {
    case kind::none: return "none";
    case kind::message: return "message " + e.payload;
    case kind::ping: return "ping " + e.payload;
    case kind::pong: return "pong";
    case kind::close: return "close " + std::to_string(e.code) + " " + e.payload;
    case kind::violation: return "violation " + std::to_string(e.code) + " (" + e.payload + ")";
  }
  return "?";
}

// Feeds `bytes` to the reader call after call, as a transport does, and returns the events found.
// Checks the reading contract on the way: a call never takes more than it was given, a call that
// finds nothing takes everything, and only a spent reader (after a violation) takes nothing.
std::vector<frame_event> feed(frame_reader& reader, std::string_view bytes) {
  std::vector<frame_event> events;
  while (!bytes.empty()) {
    frame_event event;
    const std::size_t used = reader.read(bytes, event);
    EXPECT_LE(used, bytes.size());
    if (used == 0) {
      EXPECT_TRUE(!events.empty() && events.back().what == kind::violation) << "read took nothing";
      EXPECT_EQ(event.what, kind::none);
      break;
    }
    if (event.what == kind::none) EXPECT_EQ(used, bytes.size()) << "no event, yet bytes left over";
    else events.push_back(std::move(event));
    bytes.remove_prefix(std::min(used, bytes.size()));
  }
  return events;
}

std::vector<std::string> descriptions(const std::vector<frame_event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(describe(e));
  return out;
}

// The events a fresh reader finds in `bytes`.
std::vector<std::string> events_of(std::string_view bytes, std::size_t message_max = large_limit) {
  frame_reader reader(message_max);
  return descriptions(feed(reader, bytes));
}

// The one event a fresh reader finds in `bytes` (kind::none, and a failure, when not exactly one).
frame_event only_event(std::string_view bytes, std::size_t message_max = large_limit) {
  frame_reader reader(message_max);
  auto events = feed(reader, bytes);
  if (events.size() == 1) return events.front();
  ADD_FAILURE() << "expected one event, got " << events.size();
  return {};
}

// A fresh reader answers `bytes` with exactly one event, a violation with `code`, and is spent.
::testing::AssertionResult violates(std::string_view bytes, std::uint16_t code, std::size_t message_max = large_limit) {
  frame_reader reader(message_max);
  const auto events = feed(reader, bytes);
  if (events.size() != 1 || events.front().what != kind::violation || events.front().code != code) {
    auto failure = ::testing::AssertionFailure() << "expected violation " << code << ", got:";
    for (const auto& e : events) failure << " [" << describe(e) << "]";
    return failure;
  }
  frame_event after;
  if (reader.read(bytes, after) != 0 || after.what != kind::none)
    return ::testing::AssertionFailure() << "the reader took bytes after the violation";
  return ::testing::AssertionSuccess();
}

// ---- frame_reader: well-formed input ----

TEST(websocket_frames, a_masked_text_frame_is_a_message_with_the_unmasked_payload) {
  const auto event = only_event(wire({frame(opcode::text, "Hello, mediator")}));
  EXPECT_EQ(event.what, kind::message);
  EXPECT_EQ(event.payload, "Hello, mediator");
}

TEST(websocket_frames, bytes_fed_one_at_a_time_give_the_message_only_at_the_last_byte) {
  // 7-, 16- and 64-bit lengths: the header is gathered across calls whatever its size.
  for (const std::size_t size : {5u, 300u, 70'000u}) {
    SCOPED_TRACE(size);
    const std::string payload(size, 'k');
    const std::string bytes = wire({frame(opcode::text, payload)});
    const std::string_view view = bytes;
    frame_reader reader(large_limit);
    for (std::size_t i = 0; i + 1 < view.size(); ++i) {
      frame_event event;
      ASSERT_EQ(reader.read(view.substr(i, 1), event), 1u) << "byte " << i;
      ASSERT_EQ(event.what, kind::none) << "byte " << i;
    }
    frame_event last;
    EXPECT_EQ(reader.read(view.substr(view.size() - 1), last), 1u);
    EXPECT_EQ(last.what, kind::message);
    EXPECT_EQ(last.payload, payload);
  }
}

TEST(websocket_frames, two_frames_in_one_buffer_give_two_messages_with_read_stopping_at_the_boundary) {
  const std::string first = wire({frame(opcode::text, "one")});
  const std::string both = first + wire({frame(opcode::text, "two").with_mask({1, 2, 3, 4})});
  frame_reader reader(large_limit);
  frame_event event;
  ASSERT_EQ(reader.read(both, event), first.size());
  EXPECT_EQ(describe(event), "message one");
  ASSERT_EQ(reader.read(std::string_view(both).substr(first.size()), event), both.size() - first.size());
  EXPECT_EQ(describe(event), "message two");
}

TEST(websocket_frames, a_ping_between_fragments_comes_first_and_the_whole_message_after) {
  const std::string bytes = wire({frame(opcode::text, "Hel").not_final(), frame(opcode::ping, "p"),
                                  frame(opcode::continuation, "lo, ").not_final(),
                                  frame(opcode::continuation, "world")});
  EXPECT_EQ(events_of(bytes), (std::vector<std::string>{"ping p", "message Hello, world"}));
}

TEST(websocket_frames, pong_and_close_are_reported_as_such) {
  const std::string bytes =
      wire({frame(opcode::pong, "x"), frame(opcode::close, close_body(close_code::normal, "bye"))});
  EXPECT_EQ(events_of(bytes), (std::vector<std::string>{"pong", "close 1000 bye"}));
}

TEST(websocket_frames, mid_message_holds_between_fragments_only) {
  frame_reader reader(large_limit);
  EXPECT_FALSE(reader.mid_message());
  feed(reader, wire({frame(opcode::text, "a").not_final()}));
  EXPECT_TRUE(reader.mid_message());
  feed(reader, wire({frame(opcode::ping)}));
  EXPECT_TRUE(reader.mid_message());
  feed(reader, wire({frame(opcode::continuation, "b").not_final()}));
  EXPECT_TRUE(reader.mid_message());
  EXPECT_EQ(descriptions(feed(reader, wire({frame(opcode::continuation, "c")}))),
            std::vector<std::string>{"message abc"});
  EXPECT_FALSE(reader.mid_message());
}

TEST(websocket_frames, an_empty_text_frame_is_an_empty_message) {
  const auto event = only_event(wire({frame(opcode::text)}));
  EXPECT_EQ(event.what, kind::message);
  EXPECT_EQ(event.payload, "");
  EXPECT_EQ(events_of(wire({frame(opcode::text).not_final(), frame(opcode::continuation)})),
            std::vector<std::string>{"message "});
}

TEST(websocket_frames, a_126_byte_payload_has_a_16_bit_length) {
  const std::string payload(126, 'x');
  const std::string bytes = wire({frame(opcode::text, payload)});
  ASSERT_EQ(static_cast<unsigned char>(bytes[1]), 0x80 | 126);
  const auto event = only_event(bytes, 126);
  EXPECT_EQ(event.what, kind::message);
  EXPECT_EQ(event.payload, payload);
}

TEST(websocket_frames, a_70000_byte_payload_has_a_64_bit_length) {
  std::string payload;
  for (int i = 0; payload.size() < 70'000; ++i) payload.push_back(static_cast<char>('a' + i % 26));
  const std::string bytes = wire({frame(opcode::text, payload)});
  ASSERT_EQ(static_cast<unsigned char>(bytes[1]), 0x80 | 127);
  const auto event = only_event(bytes, 70'000);
  EXPECT_EQ(event.what, kind::message);
  EXPECT_EQ(event.payload, payload);
}

TEST(websocket_frames, kazakh_cyrillic_text_is_accepted) {
  EXPECT_EQ(events_of(wire({frame(opcode::text, "Сәлеметсіз бе")})),
            std::vector<std::string>{"message Сәлеметсіз бе"});
}

TEST(websocket_frames, a_utf8_sequence_split_across_fragments_is_accepted) {
  // "ә" is D3 99: the fragments end and start inside it.
  const std::string bytes = wire({frame(opcode::text, "С\xd3").not_final(), frame(opcode::continuation, "\x99")});
  EXPECT_EQ(events_of(bytes), std::vector<std::string>{"message Сә"});
}

TEST(websocket_frames, an_empty_close_has_no_status) {
  const auto event = only_event(wire({frame(opcode::close)}));
  EXPECT_EQ(event.what, kind::close);
  EXPECT_EQ(event.code, close_code::no_status);
  EXPECT_EQ(event.payload, "");
}

TEST(websocket_frames, close_codes_a_peer_may_send_are_accepted_with_their_reason) {
  for (const std::uint16_t code : {1000, 1001, 3000, 4999}) {
    SCOPED_TRACE(code);
    const auto event = only_event(wire({frame(opcode::close, close_body(code, "Сау болыңыз"))}));
    EXPECT_EQ(event.what, kind::close);
    EXPECT_EQ(event.code, code);
    EXPECT_EQ(event.payload, "Сау болыңыз");
  }
}

TEST(websocket_frames, a_message_of_exactly_message_max_bytes_is_accepted) {
  EXPECT_EQ(events_of(wire({frame(opcode::text, "0123456789")}), 10),
            std::vector<std::string>{"message 0123456789"});
  const std::string fragmented =
      wire({frame(opcode::text, "01234").not_final(), frame(opcode::continuation, "56789")});
  EXPECT_EQ(events_of(fragmented, 10), std::vector<std::string>{"message 0123456789"});
}

// ---- frame_reader: violations and their close codes ----

TEST(websocket_frames, an_unmasked_frame_is_a_protocol_error) {
  EXPECT_TRUE(violates(wire({frame(opcode::text, "hi").unmasked()}), close_code::protocol_error));
}

TEST(websocket_frames, any_reserved_bit_is_a_protocol_error) {
  for (const std::uint8_t rsv : {1, 2, 4}) {
    SCOPED_TRACE(rsv);
    EXPECT_TRUE(violates(wire({frame(opcode::text, "hi").with_rsv(rsv)}), close_code::protocol_error));
  }
}

TEST(websocket_frames, reserved_opcodes_are_a_protocol_error) {
  for (const int op : {3, 11}) {
    SCOPED_TRACE(op);
    EXPECT_TRUE(violates(wire({frame(static_cast<opcode>(op), "hi")}), close_code::protocol_error));
  }
}

TEST(websocket_frames, a_length_not_in_its_shortest_form_is_a_protocol_error) {
  EXPECT_TRUE(violates(wire({frame(opcode::text, std::string(125, 'x')).in_form(length_form::bits16)}),
                       close_code::protocol_error));
  EXPECT_TRUE(violates(wire({frame(opcode::text, std::string(65'535, 'x')).in_form(length_form::bits64)}),
                       close_code::protocol_error));
  EXPECT_TRUE(violates(wire({frame(opcode::text).in_form(length_form::bits64)}), close_code::protocol_error));
}

TEST(websocket_frames, a_64_bit_length_with_the_top_bit_set_is_a_protocol_error) {
  const std::uint64_t length = (std::uint64_t{1} << 63) | 70'000;
  EXPECT_TRUE(violates(wire({frame(opcode::text).declaring(length)}), close_code::protocol_error));
}

TEST(websocket_frames, a_frame_longer_than_message_max_is_too_big_before_its_payload_arrives) {
  EXPECT_TRUE(violates(wire({frame(opcode::text, "0123456789A")}), close_code::too_big, 10));
  // The header alone (declaring 1 TiB) is enough: nothing is buffered for it.
  EXPECT_TRUE(violates(wire({frame(opcode::text).declaring(std::uint64_t{1} << 40)}), close_code::too_big, 10));
}

TEST(websocket_frames, fragments_adding_up_to_more_than_message_max_are_too_big) {
  const std::string bytes = wire({frame(opcode::text, "01234").not_final(), frame(opcode::continuation, "56789A")});
  EXPECT_TRUE(violates(bytes, close_code::too_big, 10));
}

TEST(websocket_frames, a_continuation_without_a_message_is_a_protocol_error) {
  EXPECT_TRUE(violates(wire({frame(opcode::continuation, "hi")}), close_code::protocol_error));
}

TEST(websocket_frames, a_new_message_inside_a_fragmented_one_is_a_protocol_error) {
  EXPECT_TRUE(violates(wire({frame(opcode::text, "a").not_final(), frame(opcode::text, "b")}),
                       close_code::protocol_error));
}

TEST(websocket_frames, a_binary_frame_is_unsupported_data) {
  EXPECT_TRUE(violates(wire({frame(opcode::binary, "\x01\x02")}), close_code::unsupported_data));
}

TEST(websocket_frames, a_ping_longer_than_125_bytes_is_a_protocol_error) {
  EXPECT_TRUE(violates(wire({frame(opcode::ping, std::string(126, 'p'))}), close_code::protocol_error));
}

TEST(websocket_frames, a_fragmented_ping_is_a_protocol_error) {
  EXPECT_TRUE(violates(wire({frame(opcode::ping, "p").not_final()}), close_code::protocol_error));
}

TEST(websocket_frames, a_close_body_of_one_byte_is_a_protocol_error) {
  EXPECT_TRUE(violates(wire({frame(opcode::close, "\x03")}), close_code::protocol_error));
}

TEST(websocket_frames, close_codes_a_peer_may_not_send_are_a_protocol_error) {
  for (const std::uint16_t code : {999, 1004, 1005, 1006, 1015, 2999, 5000}) {
    SCOPED_TRACE(code);
    EXPECT_TRUE(violates(wire({frame(opcode::close, close_body(code))}), close_code::protocol_error));
  }
}

TEST(websocket_frames, a_close_reason_that_is_not_utf8_is_invalid_payload) {
  EXPECT_TRUE(violates(wire({frame(opcode::close, close_body(close_code::normal, "bad \xff"))}),
                       close_code::invalid_payload));
}

TEST(websocket_frames, text_that_is_not_utf8_is_invalid_payload) {
  for (const std::string_view text : {"\xff"sv, "overlong \xc0\xaf"sv, "surrogate \xed\xa0\x80"sv, "cut \xd3"sv}) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(violates(wire({frame(opcode::text, std::string(text))}), close_code::invalid_payload));
  }
}

TEST(websocket_frames, text_that_is_not_utf8_across_fragments_is_invalid_payload) {
  // A sequence started in one fragment and broken in the next, and one the message never finishes.
  EXPECT_TRUE(violates(wire({frame(opcode::text, "a\xd3").not_final(), frame(opcode::continuation, "b")}),
                       close_code::invalid_payload));
  EXPECT_TRUE(violates(wire({frame(opcode::text, "a\xd3").not_final(), frame(opcode::continuation)}),
                       close_code::invalid_payload));
}

TEST(websocket_frames, after_a_violation_the_reader_takes_nothing_more) {
  const std::string bad = wire({frame(opcode::text, "hi").unmasked()});
  const std::string good = wire({frame(opcode::text, "ok")});
  const std::string bytes = bad + good;
  frame_reader reader(large_limit);
  frame_event event;
  const std::size_t used = reader.read(bytes, event);
  EXPECT_EQ(event.what, kind::violation);
  EXPECT_EQ(event.code, close_code::protocol_error);
  EXPECT_LE(used, bad.size());
  EXPECT_FALSE(reader.mid_message());
  for (const std::string_view more : {std::string_view(bytes).substr(used), std::string_view(good)}) {
    frame_event after;
    EXPECT_EQ(reader.read(more, after), 0u);
    EXPECT_EQ(after.what, kind::none);
  }
}

// ---- frame_reader: any message, split anywhere ----

// Text of `count` characters of 1 to 4 UTF-8 bytes, sent as 1 to 4 frames cut at random byte
// offsets (inside characters too) with random masks, and a ping after the first frame when
// there are several. Wherever the bytes are cut in two, the reader finds the same events.
TEST(websocket_frames, random_messages_split_anywhere_in_two_reads_give_the_same_events) {
  constexpr std::array<std::string_view, 8> characters{"a", "z", " ", "ә", "С", "і", "中", "😀"};
  std::mt19937 random(6455);
  const auto below = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random); };
  const auto random_mask = [&] {
    std::array<unsigned char, 4> mask{};
    for (auto& b : mask) b = static_cast<unsigned char>(below(256));
    return mask;
  };
  for (const std::size_t count : {0u, 1u, 3u, 17u, 40u, 64u, 100u}) {
    std::string text;
    for (std::size_t i = 0; i < count; ++i) text.append(characters[below(characters.size())]);
    std::vector<std::size_t> cuts{0, text.size()};
    for (std::size_t extra = below(4); extra > 0; --extra) cuts.push_back(below(text.size() + 1));
    std::sort(cuts.begin(), cuts.end());

    std::string bytes;
    std::vector<std::string> expected;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      auto fragment = frame(i == 0 ? opcode::text : opcode::continuation, text.substr(cuts[i], cuts[i + 1] - cuts[i]));
      if (i + 2 < cuts.size()) fragment = fragment.not_final();
      bytes += wire({fragment.with_mask(random_mask())});
      if (i == 0 && cuts.size() > 2) {
        bytes += wire({frame(opcode::ping, "between").with_mask(random_mask())});
        expected.push_back("ping between");
      }
    }
    expected.push_back("message " + text);

    for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
      frame_reader reader(large_limit);
      auto events = feed(reader, std::string_view(bytes).substr(0, cut));
      const auto rest = feed(reader, std::string_view(bytes).substr(cut));
      events.insert(events.end(), rest.begin(), rest.end());
      ASSERT_EQ(descriptions(events), expected) << count << " characters, cut at byte " << cut;
      ASSERT_FALSE(reader.mid_message());
    }
  }
}

// ---- encoders ----

TEST(websocket_frames, frame_header_uses_the_shortest_length_form) {
  struct example {
    std::size_t payload_size;
    std::string_view bytes;
  };
  for (const auto& [payload_size, bytes] : {example{0, "\x81\x00"sv}, example{125, "\x81\x7d"sv},
                                             example{126, "\x81\x7e\x00\x7e"sv},
                                             example{65'535, "\x81\x7e\xff\xff"sv},
                                             example{65'536, "\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00"sv}}) {
    SCOPED_TRACE(payload_size);
    const frame_header header(opcode::text, payload_size);
    EXPECT_EQ(header.size, bytes.size());
    EXPECT_EQ(header.view(), bytes);
  }
}

TEST(websocket_frames, close_frame_carries_the_code_and_reason) {
  EXPECT_EQ(close_frame(close_code::normal, "bye"), "\x88\x05\x03\xe8"
                                                    "bye"sv);
  EXPECT_EQ(close_frame(close_code::no_status, "ignored"), "\x88\x00"sv);
}

TEST(websocket_frames, close_frame_cuts_a_long_reason_between_utf8_sequences) {
  std::string cyrillic;
  for (int i = 0; i < 100; ++i) cyrillic += "ә";  // 200 bytes of 2-byte letters
  std::string chinese = "a";
  for (int i = 0; i < 50; ++i) chinese += "中";  // 151 bytes: 123 falls inside the 41st letter
  for (const auto& [reason, kept] : {std::pair{cyrillic, std::size_t{122}}, std::pair{chinese, std::size_t{121}}}) {
    const std::string bytes = close_frame(close_code::going_away, reason);
    ASSERT_EQ(bytes.size(), 2 + 2 + kept);
    EXPECT_EQ(bytes.substr(0, 4), std::string({'\x88', static_cast<char>(2 + kept), '\x03', '\xe9'}));
    const std::string_view cut = std::string_view(bytes).substr(4);
    EXPECT_EQ(cut, std::string_view(reason).substr(0, kept));
    EXPECT_TRUE(protocol::valid_utf8(cut));
  }
}

TEST(websocket_frames, control_frame_is_a_final_unmasked_frame_with_the_payload) {
  EXPECT_EQ(control_frame(opcode::pong, "abc"), "\x8a\x03"
                                                "abc"sv);
  EXPECT_EQ(control_frame(opcode::ping, ""), "\x89\x00"sv);
}

}  // namespace
}  // namespace kelisim::net
