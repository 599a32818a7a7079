// Transcript exports: all three formats x both scopes against golden files, and `kelisim verify`
// on an export before and after one byte of it is changed.
// Regenerate the golden files after an intended change with KELISIM_UPDATE_GOLDEN=1.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "app/transcript_export.hpp"
#include "app/verify_command.hpp"
#include "engine/room.hpp"
#include "protocol/codec.hpp"
#include "store/hash_chain.hpp"

namespace kelisim {
namespace {

using namespace protocol;

constexpr time_ms start = 1'795'000'000'000;  // a fixed moment: goldens must not move
const participant_id mediator = "i_med", aigul = "i_aigul", erlan = "i_erlan";

// A short mediation with a caucus, a private signal and a signed agreement, decided by the real
// engine and sealed into a hash chain as the store would.
class exported_room : public ::testing::Test {
 protected:
  void SetUp() override {
    act({actor_kind::admin, std::string(admin_actor)},
        cmd::create_room{"Көршілер дауы", "kk", turn_mode::open, 0, "Бір-бірімізді тыңдаймыз."});
    act(person(mediator), cmd::join{"Медиатор", role::mediator, std::nullopt});
    act(person(aigul), cmd::join{"Айгүл", role::party, std::string("A")});
    act(person(erlan), cmd::join{"Ерлан", role::party, std::string("B")});
    act(person(aigul), cmd::accept_rules{});
    act(person(erlan), cmd::accept_rules{});
    act(person(mediator), cmd::admit{aigul});
    act(person(mediator), cmd::admit{erlan});
    act(person(mediator), cmd::say{"joint", "Қош келдіңіздер.", false, std::nullopt});
    act(person(aigul), cmd::say{"joint", "Дуал менің жерімде тұр.", false, std::nullopt});
    act(person(mediator), cmd::open_caucus{{aigul}, "A тарабы"});
    act(person(aigul), cmd::say{"c1", "CAUCUS-SECRET: I would accept half.", true, std::nullopt});
    act(person(erlan), cmd::signal_mediator{"Need a pause"});
    act(person(mediator), cmd::draft_agreement{"Дуалды бірге жөндейміз."});
    act(person(aigul), cmd::sign_agreement{1});
    act(person(erlan), cmd::sign_agreement{1});
    act(person(mediator), cmd::end_session{});

    room_.record = {"r_golden", start, "Көршілер дауы", "kk"};
    room_.snapshot = engine::overview(state_);
    room_.snapshot.id = "r_golden";
  }

  static actor person(const participant_id& id) { return {actor_kind::participant, id}; }

  void act(const actor& who, const command& c) {
    auto decision = engine::decide(state_, c, who, start + 1000 * static_cast<time_ms>(log_.size() + 1));
    ASSERT_TRUE(decision.accepted()) << decision.refused->reason;
    for (const auto& e : decision.events) {
      engine::apply(state_, e);
      const auto prev = log_.empty() ? std::string(store::zero_hash) : log_.back().hash;
      log_.push_back(store::seal_event(
          "r_golden", {e.seq, e.ts, std::string(event_kind(e.body)), canonical_event(e)}, prev));
    }
  }

  std::string render(app::export_format format, app::export_scope::kind_t kind) {
    app::export_scope scope;
    scope.kind = kind;
    return app::render_transcript(room_, log_, format, scope, start + 3'600'000).body;
  }

  engine::room_state state_;
  std::vector<store::stored_event> log_;
  app::room_facts room_;
};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

void expect_golden(const std::string& name, const std::string& actual) {
  const auto path = std::filesystem::path(KELISIM_GOLDEN_DIR) / name;
  if (std::getenv("KELISIM_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << path;
  }
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing (KELISIM_UPDATE_GOLDEN=1 makes it)";
  EXPECT_EQ(read_file(path), actual) << "export differs from " << path;
}

TEST_F(exported_room, every_format_and_scope_matches_its_golden_file) {
  const std::pair<app::export_format, const char*> formats[] = {
      {app::export_format::json, "json"}, {app::export_format::text, "txt"}, {app::export_format::html, "html"}};
  const std::pair<app::export_scope::kind_t, const char*> scopes[] = {
      {app::export_scope::all, "all"}, {app::export_scope::joint, "joint"}};
  for (const auto& [format, extension] : formats)
    for (const auto& [scope, scope_name] : scopes)
      expect_golden(std::string("transcript-") + scope_name + "." + extension, render(format, scope));
}

TEST_F(exported_room, joint_scope_leaves_out_caucus_and_private_signal_but_keeps_the_chain) {
  for (const auto format : {app::export_format::json, app::export_format::text, app::export_format::html}) {
    const auto joint = render(format, app::export_scope::joint);
    EXPECT_EQ(joint.find("CAUCUS-SECRET"), std::string::npos);
    EXPECT_EQ(joint.find("Need a pause"), std::string::npos);
    EXPECT_NE(joint.find("Дуал менің жерімде тұр."), std::string::npos);
    const auto all = render(format, app::export_scope::all);
    EXPECT_NE(all.find("CAUCUS-SECRET"), std::string::npos);
  }
}

class verified_file : public exported_room {
 protected:
  int verify(const std::string& content) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("kelisim-verify-" + std::to_string(::getpid()) + ".json");
    std::ofstream(path, std::ios::binary) << content;
    const int status = app::run_verify(path.string());
    std::filesystem::remove(path);
    return status;
  }
};

TEST_F(verified_file, exports_verify_and_one_changed_byte_breaks_them) {
  const auto all = render(app::export_format::json, app::export_scope::all);
  EXPECT_EQ(verify(all), 0);
  EXPECT_EQ(verify(render(app::export_format::json, app::export_scope::joint)), 0)
      << "redacted stubs keep the chain verifiable";

  auto tampered = all;
  const auto at = tampered.find("half");
  ASSERT_NE(at, std::string::npos);
  tampered[at] = 'H';
  testing::internal::CaptureStdout();
  EXPECT_EQ(verify(tampered), 1);
  const auto said = testing::internal::GetCapturedStdout();
  // The report must name the seq of the changed message.
  const auto changed = std::find_if(log_.begin(), log_.end(),
                                    [](const auto& e) { return e.body.find("half") != std::string::npos; });
  ASSERT_NE(changed, log_.end());
  EXPECT_NE(said.find("seq " + std::to_string(changed->seq) + ":"), std::string::npos) << said;
  EXPECT_EQ(verify("not json"), 2);
}

}  // namespace
}  // namespace kelisim
