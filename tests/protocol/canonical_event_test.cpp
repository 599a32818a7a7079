// The transcript form of events: exact bytes per kind, exact round trip, and the wire form being
// the same fields minus the audience.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "event_samples.hpp"
#include "protocol/codec.hpp"

namespace kelisim::protocol {
namespace {

using samples::every_event_kind;

TEST(CanonicalEvent, EveryKindHasItsExactCanonicalJson) {
  std::set<std::size_t> kinds;
  for (const auto& s : every_event_kind()) {
    EXPECT_EQ(canonical_event(s.e), s.canonical);
    kinds.insert(s.e.body.index());
  }
  EXPECT_EQ(kinds.size(), std::variant_size_v<event_body>) << "a kind has no sample";
}

TEST(CanonicalEvent, RoundTripsExactly) {
  for (const auto& s : every_event_kind()) {
    SCOPED_TRACE(s.canonical);
    const auto decoded = decode_canonical_event(s.canonical);
    ASSERT_TRUE(std::holds_alternative<event>(decoded)) << std::get<decode_error>(decoded).message;
    const event& e = std::get<event>(decoded);
    EXPECT_EQ(e.seq, s.e.seq);
    EXPECT_EQ(e.ts, s.e.ts);
    EXPECT_EQ(e.actor, s.e.actor);
    EXPECT_EQ(e.to.scope, s.e.to.scope);
    EXPECT_EQ(e.to.caucus, s.e.to.caucus);
    EXPECT_EQ(e.to.members, s.e.to.members);
    EXPECT_EQ(e.to.subject, s.e.to.subject);
    EXPECT_EQ(e.body.index(), s.e.body.index());
    EXPECT_EQ(canonical_event(e), s.canonical);
  }
}

TEST(CanonicalEvent, IsSortedAndCompact) {
  for (const auto& s : every_event_kind()) {
    const auto parsed = nlohmann::json::parse(s.canonical);
    EXPECT_EQ(parsed.dump(), s.canonical);
    EXPECT_EQ(s.canonical.find(": "), std::string::npos);
    EXPECT_FALSE(parsed.contains("type"));
    EXPECT_FALSE(parsed.contains("replay"));
  }
}

TEST(CanonicalEvent, WireEventIsTheCanonicalFieldsWithoutAudience) {
  for (const auto& s : every_event_kind()) {
    SCOPED_TRACE(s.canonical);
    auto canonical = nlohmann::json::parse(s.canonical);
    canonical.erase("audience");

    auto live = nlohmann::json::parse(encode(event_message{&s.e, false}));
    EXPECT_EQ(live["type"], "event");
    EXPECT_FALSE(live.contains("replay"));
    EXPECT_FALSE(live.contains("audience"));
    live.erase("type");
    EXPECT_EQ(live, canonical);

    auto replayed = nlohmann::json::parse(encode(event_message{&s.e, true}));
    EXPECT_EQ(replayed["replay"], true);
    replayed.erase("type");
    replayed.erase("replay");
    EXPECT_EQ(replayed, canonical);
  }
}

TEST(CanonicalEvent, WireEventKeepsTheDocumentedFieldOrder) {
  const event e{42, samples::sample_ts, "inv_a1", samples::admitted(),
                ev::message{"joint", "Келісеміз", false, std::nullopt}};
  EXPECT_EQ(encode(event_message{&e, false}),
            R"({"type":"event","seq":42,"ts":"2026-11-26T05:02:26.123Z","kind":"message","actor":"inv_a1","channel":"joint","text":"Келісеміз","shareable":false})");
  EXPECT_EQ(encode(event_message{&e, true}),
            R"({"type":"event","seq":42,"ts":"2026-11-26T05:02:26.123Z","kind":"message","actor":"inv_a1","channel":"joint","text":"Келісеміз","shareable":false,"replay":true})");
}

// The event text is written without building an nlohmann document; it must still be exactly
// nlohmann's: parsing and dumping it again changes nothing (escapes, key order, numbers), and
// the values read back are the ones written. Strings mix every escape, control characters,
// DEL, Cyrillic and Kazakh letters, and emoji, at random.
TEST(CanonicalEvent, AwkwardStringsAreWrittenExactlyAsNlohmannWrites) {
  const std::vector<std::string> pieces = {"a", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", std::string(1, '\0'),
                                           "\x01", "\x1f", "\x7f", " ", "Ә", "ғ", "ё", "😀", "{}", "[,]", "u00e9"};
  std::mt19937 random(20261204);
  const auto awkward = [&] {
    std::string s;
    for (int n = std::uniform_int_distribution(0, 12)(random); n > 0; --n)
      s += pieces[std::uniform_int_distribution<std::size_t>(0, pieces.size() - 1)(random)];
    return s;
  };
  for (int round = 0; round < 500; ++round) {
    const auto members = std::vector<participant_id>{awkward(), awkward()};
    const event e{round + 1, samples::sample_ts, awkward(), audience{audience_scope::caucus, awkward(), members, awkward()},
                  ev::message{awkward(), awkward(), round % 2 == 0, round % 3 == 0 ? std::optional<seq_t>(round + 7) : std::nullopt}};
    const auto canonical = canonical_event(e);
    SCOPED_TRACE(canonical);
    EXPECT_EQ(nlohmann::json::parse(canonical).dump(-1, ' ', false), canonical);
    const auto decoded = decode_canonical_event(canonical);
    ASSERT_TRUE(std::holds_alternative<event>(decoded)) << std::get<decode_error>(decoded).message;
    const auto& back = std::get<event>(decoded);
    EXPECT_EQ(back.actor, e.actor);
    EXPECT_EQ(back.to.caucus, e.to.caucus);
    EXPECT_EQ(back.to.members, e.to.members);
    EXPECT_EQ(back.to.subject, e.to.subject);
    const auto& message = std::get<ev::message>(back.body);
    EXPECT_EQ(message.text, std::get<ev::message>(e.body).text);
    EXPECT_EQ(message.channel, std::get<ev::message>(e.body).channel);
    EXPECT_EQ(message.translates, std::get<ev::message>(e.body).translates);

    const auto wire = encode(event_message{&e, round % 5 == 0});
    EXPECT_EQ(nlohmann::ordered_json::parse(wire).dump(-1, ' ', false), wire);
  }
}

// Ill-formed UTF-8 cannot come from the decoder; were it in an event, it is written as nlohmann's
// replace handler writes it (U+FFFD), never thrown in the middle of a fan-out.
TEST(CanonicalEvent, IllFormedUtf8IsWrittenWithTheReplacementCharacter) {
  const std::string bad = "ok\xC3(\xFF end\xE2\x82";
  const event e{1, samples::sample_ts, "inv_a1", samples::admitted(), ev::message{"joint", bad, false, std::nullopt}};
  const auto expected_text = nlohmann::json(bad).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  EXPECT_NE(expected_text.find("\xEF\xBF\xBD"), std::string::npos);
  EXPECT_NE(canonical_event(e).find("\"text\":" + expected_text), std::string::npos) << canonical_event(e);
  EXPECT_NE(encode(event_message{&e, false}).find("\"text\":" + expected_text), std::string::npos);
}

TEST(CanonicalEvent, EncodingAnEmptyEventMessageThrows) {
  EXPECT_THROW(encode(event_message{}), std::invalid_argument);
}

struct bad_canonical {
  std::string name;
  std::string text;
  error_code code;
  std::optional<std::string> field;
};

TEST(CanonicalEvent, MalformedTranscriptEntriesAreRefused) {
  const std::string tail = R"("ts":"2026-11-26T05:02:26.123Z")";
  const std::vector<bad_canonical> cases = {
      {"not JSON", "{", error_code::bad_message, {}},
      {"not an object", "[]", error_code::bad_message, {}},
      {"no seq", R"({"actor":"a","audience":{"scope":"everyone"},"kind":"paused",)" + tail + "}",
       error_code::invalid_field, "seq"},
      {"seq 0", R"({"actor":"a","audience":{"scope":"everyone"},"kind":"paused","seq":0,)" + tail + "}",
       error_code::invalid_field, "seq"},
      {"bad ts", R"({"actor":"a","audience":{"scope":"everyone"},"kind":"paused","seq":1,"ts":"yesterday"})",
       error_code::invalid_field, "ts"},
      {"no audience", R"({"actor":"a","kind":"paused","seq":1,)" + tail + "}",
       error_code::invalid_field, "audience"},
      {"unknown scope", R"({"actor":"a","audience":{"scope":"all"},"kind":"paused","seq":1,)" + tail + "}",
       error_code::invalid_field, "audience.scope"},
      {"unknown kind", R"({"actor":"a","audience":{"scope":"everyone"},"kind":"danced","seq":1,)" + tail + "}",
       error_code::unknown_type, "kind"},
      {"message without shareable",
       R"({"actor":"a","audience":{"scope":"admitted"},"channel":"joint","kind":"message","seq":1,"text":"x",)" + tail + "}",
       error_code::invalid_field, "shareable"},
      {"floor_released with unknown reason",
       R"({"actor":"a","audience":{"scope":"admitted"},"kind":"floor_released","participant":"p","reason":"bored","seq":1,)" + tail + "}",
       error_code::invalid_field, "reason"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto decoded = decode_canonical_event(c.text);
    ASSERT_TRUE(std::holds_alternative<decode_error>(decoded));
    EXPECT_EQ(to_string(std::get<decode_error>(decoded).code), to_string(c.code));
    EXPECT_EQ(std::get<decode_error>(decoded).field, c.field);
  }
}

}  // namespace
}  // namespace kelisim::protocol
