// The administrator's HTTPS API against the real server: every endpoint, every error status, and
// the transcript exports (json/text/html x all/joint), the JSON one verified by `kelisim verify`.
#include <fstream>
#include <regex>

#include "integration_fixture.hpp"

namespace kelisim::itest {
namespace {

using test::http_request;
using test::http_response;

class AdminApi : public room_test {
 protected:
  http_response call(const std::string& method, const std::string& target, const std::string& body = {}) {
    return admin().send(method, target, body);
  }
  // A JSON error with this status and code (and field, when given).
  static ::testing::AssertionResult is_error(const http_response& r, int status, const std::string& code,
                                             const std::string& field = {}) {
    const json body = r.json_body();
    if (r.status != status || !body.is_object() || text_of(body, "code") != code ||
        !body.contains("message") || (!field.empty() && text_of(body, "field") != field))
      return ::testing::AssertionFailure() << "expected HTTP " << status << " {code: " << code
                                           << (field.empty() ? "" : ", field: " + field) << "}, got " << r.describe();
    return ::testing::AssertionSuccess();
  }
};

TEST_F(AdminApi, EveryEndpointRefusesAMissingOrWrongToken) {
  open_room();
  const json invite = admin().issue_invite(room_, "party", "Aigul", "A");
  const std::string r = "/api/rooms/" + room_;
  const std::vector<std::tuple<std::string, std::string, std::string>> endpoints = {
      {"GET", "/api/rooms", ""},
      {"POST", "/api/rooms", R"({"title":"x","language":"en"})"},
      {"GET", r, ""},
      {"GET", r + "/invites", ""},
      {"POST", r + "/invites", R"({"role":"observer","name":"x"})"},
      {"DELETE", r + "/invites/" + invite["invite_id"].get<std::string>(), ""},
      {"POST", r + "/close", ""},
      {"GET", r + "/transcript?format=json&scope=all", ""},
  };
  const std::vector<std::optional<std::string>> bad_authorizations = {
      std::nullopt, "Bearer wrong-token", "Bearer " + admin().token() + "x", "Basic " + admin().token(),
      "Bearer", admin().token()};
  for (const auto& [method, target, body] : endpoints) {
    for (const auto& authorization : bad_authorizations) {
      http_request request{method, target, body, {}};
      if (!body.empty()) request.headers["Content-Type"] = "application/json";
      if (authorization) request.headers["Authorization"] = *authorization;
      EXPECT_TRUE(is_error(admin().raw(request), 401, "unauthorized"))
          << method << " " << target << " with Authorization: " << authorization.value_or("(none)");
    }
  }
  // None of those did anything: the invite still works, the room is still open.
  EXPECT_EQ(admin().get_room(room_).json_body()["state"], "scheduled");
  person pa;
  pa.label = "party A";
  pa.token = invite["token"].get<std::string>();
  EXPECT_NO_THROW(connect(pa));
}

TEST_F(AdminApi, RoomsAreCreatedListedAndShown) {
  const auto created = call("POST", "/api/rooms",
                            R"({"title":"Көршілер дауы","language":"kk","turn_mode":"moderated","turn_seconds":120,"rules":"Listen."})");
  ASSERT_EQ(created.status, 201) << created.describe();
  const json room = created.json_body();
  ASSERT_TRUE(room.contains("id")) << created.describe();
  const std::string id = room["id"].get<std::string>();
  EXPECT_EQ(room["title"], "Көршілер дауы");
  EXPECT_EQ(room["language"], "kk");
  EXPECT_EQ(room["turn_mode"], "moderated");
  EXPECT_EQ(room["turn_seconds"], 120);
  EXPECT_EQ(room["rules"], "Listen.");
  EXPECT_EQ(room["state"], "scheduled");

  const json second = admin().create_room("Second", "ru");
  EXPECT_NE(second["id"], room["id"]);
  EXPECT_FALSE(second.value("rules", std::string{}).empty()) << "default rules in the room's language";

  const auto list = admin().list_rooms();
  ASSERT_EQ(list.status, 200) << list.describe();
  const json rooms = list.json_body()["rooms"];
  ASSERT_TRUE(rooms.is_array()) << list.describe();
  std::set<std::string> ids;
  for (const auto& entry : rooms) {
    ids.insert(text_of(entry, "id"));
    for (const char* field : {"id", "title", "language", "state", "created_at", "participants", "online", "events"})
      EXPECT_TRUE(entry.contains(field)) << field << " missing in " << entry.dump();
  }
  EXPECT_TRUE(ids.count(id));
  EXPECT_TRUE(ids.count(second["id"].get<std::string>()));

  const auto detail = admin().get_room(id);
  ASSERT_EQ(detail.status, 200) << detail.describe();
  EXPECT_EQ(detail.json_body()["id"], id);
  EXPECT_EQ(detail.json_body()["title"], "Көршілер дауы");
  EXPECT_TRUE(detail.json_body()["participants"].is_array());
  EXPECT_TRUE(detail.json_body()["invites"].is_array());

  EXPECT_TRUE(is_error(admin().get_room("no-such-room"), 404, "not_found"));
  EXPECT_TRUE(is_error(admin().list_invites("no-such-room"), 404, "not_found"));
  EXPECT_TRUE(is_error(admin().close_room("no-such-room"), 404, "not_found"));
  EXPECT_TRUE(is_error(admin().transcript("no-such-room"), 404, "not_found"));
  EXPECT_TRUE(is_error(call("POST", "/api/rooms/no-such-room/invites", R"({"role":"observer","name":"x"})"), 404, "not_found"));
  EXPECT_TRUE(is_error(admin().revoke_invite("no-such-room", "inv"), 404, "not_found"));
}

TEST_F(AdminApi, InvalidRoomBodiesAre400AndHugeOnes413) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"{not json", ""},
      {"[1,2]", ""},
      {R"({"language":"en"})", "title"},
      {R"({"title":"","language":"en"})", "title"},
      {R"({"title":42,"language":"en"})", "title"},
      {R"({"title":")" + std::string(201, 'x') + R"(","language":"en"})", "title"},
      {R"({"title":"x"})", "language"},
      {R"({"title":"x","language":"de"})", "language"},
      {R"({"title":"x","language":"en","turn_mode":"chaos"})", "turn_mode"},
      {R"({"title":"x","language":"en","turn_seconds":-1})", "turn_seconds"},
      {R"({"title":"x","language":"en","turn_seconds":3601})", "turn_seconds"},
      {R"({"title":"x","language":"en","turn_seconds":"60"})", "turn_seconds"},
      {R"({"title":"x","language":"en","rules":")" + std::string(8001, 'r') + R"("})", "rules"},
  };
  for (const auto& [body, field] : bad) {
    const auto r = call("POST", "/api/rooms", body);
    EXPECT_EQ(r.status, 400) << body.substr(0, 80) << " -> " << r.describe();
    const json e = r.json_body();
    EXPECT_TRUE(e.is_object() && e.contains("code") && e.contains("message")) << r.describe();
    if (!field.empty()) {
      EXPECT_EQ(text_of(e, "field"), field) << body.substr(0, 80) << " -> " << r.describe();
    }
  }
  const std::string huge = R"({"title":"x","language":"en","rules":")" + std::string(1100 * 1024, 'r') + R"("})";
  EXPECT_TRUE(is_error(call("POST", "/api/rooms", huge), 413, "too_large"));
  // Nothing was created by any of them.
  EXPECT_EQ(admin().list_rooms().json_body()["rooms"].size(), 0u);
}

TEST_F(AdminApi, InvitesAreIssuedListedAndRevoked) {
  open_room();
  const auto issued = call("POST", "/api/rooms/" + room_ + "/invites", R"({"role":"party","name":"Айгүл","side":"A"})");
  ASSERT_EQ(issued.status, 201) << issued.describe();
  const json invite = issued.json_body();
  const std::string invite_id = invite["invite_id"].get<std::string>();
  const std::string token = invite["token"].get<std::string>();
  const std::string url = invite["url"].get<std::string>();
  EXPECT_FALSE(token.empty());
  const auto hash = url.find('#');
  ASSERT_NE(hash, std::string::npos) << "the token travels in the URL fragment: " << url;
  EXPECT_NE(url.find(token, hash), std::string::npos) << url;
  EXPECT_EQ(url.substr(0, hash).find(token), std::string::npos) << "never in the path or query: " << url;
  EXPECT_EQ(invite["role"], "party");
  EXPECT_EQ(invite["name"], "Айгүл");
  EXPECT_EQ(invite["side"], "A");

  for (const auto& [role, side] : std::vector<std::pair<std::string, std::optional<std::string>>>{
           {"mediator", std::nullopt}, {"advisor", "A"}, {"interpreter", std::nullopt}, {"observer", std::nullopt}}) {
    const json other = admin().issue_invite(room_, role, "Someone", side);
    EXPECT_EQ(other["role"], role);
  }

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"{not json", ""},
      {R"({"name":"x"})", "role"},
      {R"({"role":"king","name":"x"})", "role"},
      {R"({"role":"observer"})", "name"},
      {R"({"role":"observer","name":""})", "name"},
      {R"({"role":"observer","name":")" + std::string(101, 'n') + R"("})", "name"},
      {R"({"role":"observer","name":"two\nlines"})", "name"},
      {R"({"role":"party","name":"x"})", "side"},
      {R"({"role":"mediator","name":"x","side":"A"})", "side"},
      {R"({"role":"party","name":"x","side":""})", "side"},
  };
  std::size_t wrongly_created = 0;
  for (const auto& [body, field] : bad) {
    const auto r = call("POST", "/api/rooms/" + room_ + "/invites", body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.describe();
    if (r.status == 201) ++wrongly_created;
    if (!field.empty()) {
      EXPECT_EQ(text_of(r.json_body(), "field"), field) << body << " -> " << r.describe();
    }
  }

  const auto listed = admin().list_invites(room_);
  ASSERT_EQ(listed.status, 200) << listed.describe();
  const json invites = listed.json_body()["invites"];
  ASSERT_TRUE(invites.is_array()) << listed.describe();
  EXPECT_EQ(invites.size(), 5u + wrongly_created) << "every issued invite is listed";
  bool found = false;
  for (const auto& i : invites)
    if (text_of(i, "invite_id") == invite_id) {
      found = true;
      EXPECT_EQ(i["role"], "party") << i.dump();
      EXPECT_EQ(i["side"], "A") << i.dump();
    }
  EXPECT_TRUE(found) << listed.describe();

  const auto revoked = admin().revoke_invite(room_, invite_id);
  EXPECT_EQ(revoked.status, 204) << revoked.describe();
  EXPECT_TRUE(is_error(admin().revoke_invite(room_, invite_id), 409, "conflict")) << "revoking twice";
  EXPECT_TRUE(is_error(admin().revoke_invite(room_, "no-such-invite"), 404, "not_found"));
  const json after_revoke = admin().get_room(room_).json_body();
  for (const auto& i : after_revoke["invites"])
    if (text_of(i, "invite_id") == invite_id) {
      EXPECT_EQ(i["revoked"], true) << i.dump();
    }
}

TEST_F(AdminApi, WrongMethodsAre405) {
  open_room();
  const std::string r = "/api/rooms/" + room_;
  const std::vector<std::pair<std::string, std::string>> wrong = {
      {"PUT", "/api/rooms"},         {"DELETE", "/api/rooms"},        {"PATCH", r},
      {"GET", r + "/close"},         {"PUT", r + "/invites"},         {"POST", r + "/transcript"}};
  for (const auto& [method, target] : wrong) {
    const auto response = call(method, target, method == "GET" ? std::string{} : std::string("{}"));
    EXPECT_EQ(response.status, 405) << method << " " << target << " -> " << response.describe();
  }
}

TEST_F(AdminApi, ClosingARoomEndsTheSessionForEveryone) {
  open_room();
  person med = enter("mediator", "mediator", "Mira", std::nullopt, nullptr);
  person pa = enter("party A", "party", "Aigul", "A", &med);
  const auto closed = admin().close_room(room_);
  ASSERT_EQ(closed.status, 200) << closed.describe();
  EXPECT_EQ(closed.json_body()["state"], "ended");
  for (person* p : {&med, &pa}) {
    const json ended = (*p)->wait_event("session_ended");
    EXPECT_EQ(ended["actor"], "admin");
  }
  EXPECT_EQ(pa->refused("say", {{"channel", "joint"}, {"text", "too late"}})["code"], "room_ended");
  // PROTOCOL.md §11: closing an ended room is idempotent (200).
  const auto again = admin().close_room(room_);
  EXPECT_EQ(again.status, 200) << again.describe();
  EXPECT_EQ(again.json_body()["state"], "ended");
  EXPECT_TRUE(is_error(call("POST", "/api/rooms/" + room_ + "/invites", R"({"role":"observer","name":"x"})"), 409, "conflict"))
      << "no invites into an ended room";
  // Exactly one session_ended: the second close changed nothing.
  std::size_t ends = 0;
  const json doc = admin().transcript(room_).json_body();
  for (const auto& e : doc["events"])
    if (text_of(e, "kind") == "session_ended") ++ends;
  EXPECT_EQ(ends, 1u);
}

TEST_F(AdminApi, HealthAndMetrics) {
  const auto health = admin().raw(http_request{"GET", "/healthz", "", {}});
  EXPECT_EQ(health.status, 200) << health.describe();
  const auto metrics = admin().send("GET", "/metrics");
  EXPECT_EQ(metrics.status, 200) << metrics.describe();
  EXPECT_NE(metrics.body.find("# TYPE"), std::string::npos) << "Prometheus text format: " << metrics.describe();
}

class TranscriptExport : public AdminApi {
 protected:
  std::string nonce = test::random_hex(5);
  std::string joint_words = "JOINT-" + nonce;
  std::string caucus_title = "CTITLE-" + nonce;
  std::string caucus_words = "CWORDS-" + nonce;
  std::string signal_words = "SIGNAL-" + nonce;
  std::string tamper_words = "TAMPERME-" + nonce;
  std::int64_t tamper_seq = 0;

  void hold_conversation() {
    open_room({}, "Export " + nonce);
    person med = enter("mediator", "mediator", "Mira", std::nullopt, nullptr);
    person pa = enter("party A", "party", "Aigul", "A", &med);
    person pb = enter("party B", "party", "Boris", "B", &med);
    med->ok("say", {{"channel", "joint"}, {"text", joint_words}});
    tamper_seq = pb->ok("say", {{"channel", "joint"}, {"text", tamper_words}});
    const auto opened = med->ok("open_caucus", {{"members", {pa.id}}, {"title", caucus_title}});
    const auto c = med->wait_event("caucus_opened", 0, [&](const json& e) { return seq_of(e) == opened; })["caucus"].get<std::string>();
    pa->ok("say", {{"channel", c}, {"text", caucus_words}});
    pa->ok("signal_mediator", {{"text", signal_words}});
    med->ok("close_caucus", {{"caucus", c}});
    med->ok("end_session");
  }
};

TEST_F(TranscriptExport, EveryFormatAndScopeCarriesTheConversationAndJointLeavesCaucusesOut) {
  hold_conversation();
  const std::map<std::string, std::string> content_types = {
      {"json", "application/json"}, {"text", "text/plain"}, {"html", "text/html"}};
  for (const auto& [format, type] : content_types) {
    for (const std::string scope : {"all", "joint"}) {
      const auto r = admin().transcript(room_, format, scope);
      ASSERT_EQ(r.status, 200) << format << "/" << scope << ": " << r.describe();
      EXPECT_EQ(r.header("content-type").rfind(type, 0), 0u) << format << ": " << r.header("content-type");
      EXPECT_NE(r.body.find(joint_words), std::string::npos) << format << "/" << scope;
      EXPECT_NE(r.body.find(tamper_words), std::string::npos) << format << "/" << scope;
      EXPECT_NE(r.body.find("Aigul"), std::string::npos) << format << "/" << scope << ": names are in it";
      const bool all = scope == "all";
      for (const auto& hidden : {caucus_title, caucus_words, signal_words})
        EXPECT_EQ(r.body.find(hidden) != std::string::npos, all)
            << format << "/" << scope << (all ? " must contain " : " must not contain ") << hidden;
    }
  }
  const json doc = admin().transcript(room_, "json", "all").json_body();
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["room"]["id"], room_);
  EXPECT_EQ(doc["chain"]["algorithm"], "sha256");
  ASSERT_TRUE(doc["events"].is_array());
  EXPECT_EQ(doc["events"][0]["kind"], "room_created");
  EXPECT_EQ(doc["chain"]["head"], doc["events"].back()["hash"]);
  for (const auto& e : doc["events"]) {
    for (const char* field : {"seq", "ts", "kind", "actor", "audience", "prev_hash", "hash"})
      EXPECT_TRUE(e.contains(field)) << field << " missing in " << e.dump();
    EXPECT_TRUE(std::regex_match(text_of(e, "hash"), std::regex("[0-9a-f]{64}"))) << e.dump();
  }

  EXPECT_EQ(admin().transcript(room_, "pdf", "all").status, 400);
  EXPECT_EQ(admin().transcript(room_, "json", "mine").status, 400);
}

TEST_F(TranscriptExport, KelisimVerifyAcceptsTheExportAndNamesTheSeqOfATamperedEvent) {
  hold_conversation();
  const auto r = admin().transcript(room_, "json", "all");
  ASSERT_EQ(r.status, 200) << r.describe();
  test::scratch_dir dir("kelisim-verify");
  const auto original = dir.path() / "transcript.json";
  std::ofstream(original, std::ios::binary) << r.body;
  const auto good = test::run_program(server().binary(), {"verify", original.string()});
  EXPECT_TRUE(good.status.exited && good.status.code == 0) << good.status.describe() << "\n" << good.output;

  // One byte of one event's text changed.
  std::string tampered_body = r.body;
  const auto at = tampered_body.find(tamper_words);
  ASSERT_NE(at, std::string::npos);
  tampered_body[at] = 't';
  const auto tampered = dir.path() / "tampered.json";
  std::ofstream(tampered, std::ios::binary) << tampered_body;
  const auto bad = test::run_program(server().binary(), {"verify", tampered.string()});
  EXPECT_TRUE(bad.status.exited && bad.status.code != 0) << bad.status.describe() << "\n" << bad.output;
  EXPECT_TRUE(std::regex_search(bad.output, std::regex("\\b" + std::to_string(tamper_seq) + "\\b")))
      << "the output must name seq " << tamper_seq << ":\n" << bad.output;
}

}  // namespace
}  // namespace kelisim::itest
