// PROTOCOL.md stays true: every one-line JSON example in it is read back by the codec.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "protocol/codec.hpp"

namespace kelisim::protocol {
namespace {

std::vector<std::string> one_line_examples() {
  std::ifstream in(KELISIM_PROTOCOL_MD);
  std::vector<std::string> out;
  bool in_json = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("```json", 0) == 0) in_json = true;
    else if (line.rfind("```", 0) == 0) in_json = false;
    else if (in_json && line.rfind("{\"type\":", 0) == 0 && line.back() == '}') out.push_back(line);
  }
  return out;
}

TEST(SpecExamples, EveryOneLineExampleIsReadBack) {
  const auto examples = one_line_examples();
  ASSERT_GT(examples.size(), 60u) << "PROTOCOL.md not found or its examples moved";
  std::set<std::string> client_types, event_kinds;
  for (const auto& line : examples) {
    SCOPED_TRACE(line);
    const auto j = nlohmann::json::parse(line);
    const std::string type = j.at("type");
    if (type == "event") {
      // The wire event is the canonical form without type/replay and without the audience.
      auto canonical = j;
      canonical.erase("type");
      canonical.erase("replay");
      canonical["audience"] = {{"scope", "admitted"}};
      const auto decoded = decode_canonical_event(canonical.dump());
      ASSERT_TRUE(std::holds_alternative<event>(decoded)) << std::get<decode_error>(decoded).message;
      EXPECT_EQ(canonical_event(std::get<event>(decoded)), canonical.dump());
      event_kinds.insert(j.at("kind").get<std::string>());
    } else if (type == "ack" || type == "error" || type == "presence") {
      EXPECT_TRUE(j.is_object());
    } else {
      const auto decoded = decode_client(line);
      ASSERT_TRUE(std::holds_alternative<client_message>(decoded))
          << std::get<decode_error>(decoded).message;
      const auto& message = std::get<client_message>(decoded);
      // Byte-exact: the examples are written the way the encoder writes them.
      if (const auto* h = std::get_if<hello>(&message)) EXPECT_EQ(encode(*h), line);
      else EXPECT_EQ(encode(std::get<command_message>(message)), line);
      client_types.insert(type);
    }
  }
  EXPECT_EQ(client_types.size(), 24u) << "hello + 23 commands each need an example";
  EXPECT_EQ(event_kinds.size(), std::variant_size_v<event_body>) << "every kind needs an example";
}

TEST(SpecExamples, TranscriptExampleIsCanonical) {
  const event created{1, 1'795'669'346'123, "admin", {audience_scope::everyone, {}, {}, {}},
                      ev::room_created{"Neighbours", "kk", turn_mode::moderated, 120,
                                       "Listen to each other."}};
  const event ended{2, 1'795'669'347'000, "admin", {audience_scope::everyone, {}, {}, {}},
                    ev::session_ended{}};
  // The hashes in PROTOCOL.md §12 are SHA-256 over exactly these bytes.
  EXPECT_EQ(canonical_event(created),
            R"({"actor":"admin","audience":{"scope":"everyone"},"kind":"room_created","language":"kk","mode":"moderated","rules":"Listen to each other.","seq":1,"title":"Neighbours","ts":"2026-11-26T05:02:26.123Z","turn_seconds":120})");
  EXPECT_EQ(canonical_event(ended),
            R"({"actor":"admin","audience":{"scope":"everyone"},"kind":"session_ended","seq":2,"ts":"2026-11-26T05:02:27.000Z"})");
}

}  // namespace
}  // namespace kelisim::protocol
