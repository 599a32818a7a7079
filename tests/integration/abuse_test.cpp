// Abuse over the wire: silence after the upgrade, oversized and malformed frames, garbage JSON,
// floods, foreign origins, bad tokens, and participants reaching for a mediator's powers.
#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iterator>

#include "integration_fixture.hpp"
#include "tests/support/forged_token.hpp"

namespace kelisim::itest {
namespace {

using clock_type = std::chrono::steady_clock;

using test::base64url;

std::string unbase64url(std::string text) {
  for (auto& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  std::size_t padding = 0;
  while (text.size() % 4 != 0) {
    text.push_back('=');
    ++padding;
  }
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n) - padding);
  return out;
}

// An HS256 JWT over `claims` with `key` — the shape of an invite token (server/auth).
std::string hs256_token(const json& claims, const std::string& key) {
  return test::hs256_jws(json{{"alg", "HS256"}, {"typ", "JWT"}}, claims, key);
}

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

class Abuse : public room_test {
 protected:
  // hello with `token` must be refused with `code`, then the socket closed with 1008.
  void expect_refused_hello(const std::string& token, const std::string& code, int v = 1) {
    auto c = server().connect();
    c.hello(token, std::nullopt, v);
    const json answer = c.wait_for(test::is_type("error"));
    EXPECT_EQ(answer["code"], code) << answer.dump();
    EXPECT_FALSE(answer.contains("id"));
    c.expect_close(1008);
    EXPECT_TRUE(c.events().empty()) << "a refused hello learns nothing of the room\n" << c.dump();
    for (const auto& f : c.frames()) EXPECT_NE(text_of(f, "type"), "welcome");
  }
};

TEST_F(Abuse, NoHelloWithinTheDeadlineClosesWith1008) {
  auto silent = server().connect();
  const auto opened = clock_type::now();
  const auto how = silent.wait_closed(15s);
  const auto after = clock_type::now() - opened;
  ASSERT_TRUE(how.closed) << "still open after 15 s without a hello";
  EXPECT_EQ(how.code, 1008) << how.reason << " " << how.error;
  // The contract says 5 s: not at once, not much later.
  EXPECT_GE(after, 4s);
  EXPECT_LE(after, 10s);
}

// The server answers a protocol violation with a close frame and then drops the connection. A
// client still writing at that moment may see the reset before it reads the close frame (TCP
// discards unread data on a reset), so an attempt that ends with no close frame at all is tried
// again; a wrong close code, or never seeing the right one in three attempts, fails.
void expect_close_code(int code, const std::function<ws_client()>& open, const std::function<void(ws_client&)>& offend) {
  std::vector<std::string> attempts;
  for (int attempt = 0; attempt < 3; ++attempt) {
    ws_client c = open();
    offend(c);
    const auto how = c.wait_closed(15s);
    ASSERT_TRUE(how.closed) << "the server did not close the connection\n" << c.dump();
    if (how.code == code) return;
    ASSERT_EQ(how.code, 0) << "wrong close code (reason '" << how.reason << "')\n" << c.dump();
    attempts.push_back(how.error);
  }
  std::string errors;
  for (const auto& e : attempts) errors += " '" + e + "'";
  FAIL() << "close code " << code << " never arrived; the connection just ended:" << errors;
}

TEST_F(Abuse, AFrameOver64KiBClosesWith1009) {
  open_room();
  const std::string text(70 * 1024, 'x');
  int n = 0;
  expect_close_code(
      1009,
      [&] {
        person med = invite("mediator " + std::to_string(++n), "mediator", "Mira");
        connect(med);
        return std::move(*med.ws);
      },
      [&](ws_client& c) {
        (void)c.try_send_text(json{{"type", "say"}, {"id", "big-1"}, {"channel", "joint"}, {"text", text}}.dump());
      });
  // Before hello too.
  expect_close_code(
      1009, [&] { return server().connect(); },
      [&](ws_client& c) { (void)c.try_send_text(std::string(65 * 1024 + 1, 'y')); });
}

TEST_F(Abuse, InvalidUtf8ClosesWith1007) {
  open_room();
  person med = enter("mediator", "mediator", "Mira", std::nullopt, nullptr);
  const std::string bad = std::string(R"({"type":"say","id":"u-1","channel":"joint","text":")") + "\xC3\x28\xFF" + "\"}";
  expect_close_code(
      1007,
      [&] {
        auto c = server().connect();
        c.join(med.token);
        return c;
      },
      [&](ws_client& c) { ASSERT_FALSE(c.send_raw(ws_client::masked_frame(test::ws_opcode::text, bad))); });
}

TEST_F(Abuse, ABinaryFrameClosesWith1003) {
  open_room();
  person med = enter("mediator", "mediator", "Mira", std::nullopt, nullptr);
  expect_close_code(
      1003,
      [&] {
        auto c = server().connect();
        c.join(med.token);
        return c;
      },
      [&](ws_client& c) {
        (void)c.try_send_binary(json{{"type", "say"}, {"id", "b-1"}, {"channel", "joint"}, {"text", "hi"}}.dump());
      });
}

TEST_F(Abuse, GarbageJsonIsAnErrorAndTheConnectionStaysUsable) {
  open_room();
  person med = enter("mediator", "mediator", "Mira", std::nullopt, nullptr);
  std::size_t from = med->frame_count();
  med->send_text("{this is not json");
  json e = med->wait_for(test::is_type("error"), from);
  EXPECT_EQ(e["code"], "bad_message") << e.dump();
  EXPECT_FALSE(e.contains("id"));

  from = med->frame_count();
  med->send_text("[1,2,3]");
  EXPECT_EQ(med->wait_for(test::is_type("error"), from)["code"], "bad_message");

  from = med->frame_count();
  med->send_text(R"({"type":"fly_away","id":"g-1"})");
  e = med->wait_for(test::is_type("error"), from);
  EXPECT_EQ(e["code"], "unknown_type") << e.dump();
  EXPECT_EQ(e["id"], "g-1");

  e = med->refused("say", {{"channel", "joint"}});
  EXPECT_EQ(e["code"], "invalid_field") << e.dump();
  EXPECT_EQ(e["field"], "text");
  e = med->refused("say", {{"channel", "joint"}, {"text", std::string(8001, 'a')}});
  EXPECT_EQ(e["code"], "too_large") << e.dump();

  from = med->frame_count();
  med->send_json({{"type", "hello"}, {"v", 1}, {"token", med.token}});
  EXPECT_EQ(med->wait_for(test::is_type("error"), from)["code"], "bad_message") << "a second hello";

  // Still usable.
  EXPECT_GT(med->ok("say", {{"channel", "joint"}, {"text", "still here"}}), 0);
  EXPECT_TRUE(med->is_open());

  // A long statement (6,000 bytes of UTF-8, past the small buffer a waiting connection reads
  // into) arrives whole.
  std::string long_text;
  for (int i = 0; i < 3000; ++i) long_text += "ә";
  from = med->frame_count();
  EXPECT_GT(med->ok("say", {{"channel", "joint"}, {"text", long_text}}), 0);
  const json said = med->wait_for(
      [](const json& f) { return f.value("type", "") == "event" && f.value("kind", "") == "message"; }, from);
  EXPECT_EQ(said.value("text", ""), long_text);
}

TEST_F(Abuse, AFloodIsRateLimitedThenClosedWith1008) {
  open_room();
  person med = enter("mediator", "mediator", "Mira", std::nullopt, nullptr);
  person pa = enter("party A", "party", "Aigul", "A", &med);
  const auto start = clock_type::now();
  int sent = 0;
  while (pa->is_open() && clock_type::now() - start < 20s) {
    const auto frame = json{{"type", "say"}, {"id", "flood-" + std::to_string(sent)}, {"channel", "joint"}, {"text", "spam"}}.dump();
    if (pa->try_send_text(frame)) break;
    ++sent;
    pa->poll();
  }
  const auto how = pa->wait_closed(10s);
  std::size_t rate_limited = 0;
  for (const auto& f : pa->frames())
    if (text_of(f, "type") == "error" && text_of(f, "code") == "rate_limited") ++rate_limited;
  EXPECT_GT(rate_limited, 0u) << "after " << sent << " commands\n" << pa->dump();
  ASSERT_TRUE(how.closed) << "a flood of " << sent << " commands in 20 s was never closed";
  EXPECT_EQ(how.code, 1008) << how.reason << " " << how.error;
  // The room is unharmed: the mediator still talks.
  EXPECT_GT(med->ok("say", {{"channel", "joint"}, {"text", "after the flood"}}), 0);
}

TEST_F(Abuse, AForeignOriginIsRefusedAtTheUpgrade) {
  test::ws_options foreign_origin;
  foreign_origin.origin = "https://evil.example";
  auto foreign = server().client(foreign_origin);
  const auto refused = foreign.try_connect();
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.http_status, 403) << refused.error;

  test::ws_options own_origin;
  own_origin.origin = server().origin();
  auto own = server().client(own_origin);
  const auto accepted = own.try_connect();
  EXPECT_TRUE(accepted.ok) << accepted.error << " (HTTP " << accepted.http_status << ")";
}

TEST_F(Abuse, GarbageForgedTamperedAndOtherRoomTokensAreUnauthorized) {
  open_room();
  person pa = invite("party A", "party", "Aigul", "A");
  expect_refused_hello("not-a-token", "unauthorized");
  expect_refused_hello("", "unauthorized");

  // Signed with a key that is not the server's (and long expired, for good measure).
  const json claims = {{"room", room_}, {"iid", pa.id}, {"role", "mediator"}, {"side", nullptr},
                       {"name", "Mallory"}, {"exp", unix_now() + 3600}};
  expect_refused_hello(hs256_token(claims, std::string(32, 'k')), "unauthorized");
  json stale = claims;
  stale["exp"] = unix_now() - 3600;
  expect_refused_hello(hs256_token(stale, "wrong key, wrong key, wrong key!"), "unauthorized");

  // A real token with its payload changed (party -> mediator), signature kept.
  const auto first_dot = pa.token.find('.');
  const auto second_dot = pa.token.find('.', first_dot + 1);
  json payload = json::parse(unbase64url(pa.token.substr(first_dot + 1, second_dot - first_dot - 1)), nullptr, false);
  ASSERT_TRUE(payload.is_object()) << "the invite token is not a JWT: " << pa.token;
  payload["role"] = "mediator";
  const std::string tampered =
      pa.token.substr(0, first_dot) + "." + base64url(payload.dump()) + pa.token.substr(second_dot);
  expect_refused_hello(tampered, "unauthorized");
  // A real token with one character of its signature changed.
  std::string bad_signature = pa.token;
  bad_signature.back() = bad_signature.back() == 'A' ? 'B' : 'A';
  expect_refused_hello(bad_signature, "unauthorized");

  // The real token still works.
  connect(pa);
  EXPECT_EQ(pa.welcome["you"]["role"], "party");
}

TEST_F(Abuse, ExpiredAndUnknownRoomTokensSignedWithTheServersKey) {
  // The invite API cannot issue an expired token: craft one with the server's own signing key,
  // which it keeps in <data dir>/signing-key (server/auth). Without that file this cannot be tested.
  open_room();
  person pa = invite("party A", "party", "Aigul", "A");
  const auto key_file = server().data_dir() / "signing-key";
  if (!std::filesystem::exists(key_file)) GTEST_SKIP() << "no signing key at " << key_file;
  std::ifstream in(key_file, std::ios::binary);
  const std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  json claims = {{"room", room_}, {"iid", pa.id}, {"role", "party"}, {"side", "A"}, {"name", "Aigul"},
                 {"exp", unix_now() + 3600}};
  // Sanity: our crafted token is accepted when it is valid, so the refusals below mean something.
  {
    auto c = server().connect();
    const json welcome = c.join(hs256_token(claims, key));
    EXPECT_EQ(welcome["you"]["id"], pa.id);
  }
  json expired = claims;
  expired["exp"] = unix_now() - 60;
  expect_refused_hello(hs256_token(expired, key), "token_expired");

  json other_room = claims;
  other_room["room"] = "no-such-room";
  expect_refused_hello(hs256_token(other_room, key), "unauthorized");
}

TEST_F(Abuse, RevokedTokensAreRefusedAndAnOnlineHolderIsDisconnected) {
  open_room();
  person med = enter("mediator", "mediator", "Mira", std::nullopt, nullptr);
  person never = invite("party B", "party", "Boris", "B");
  ASSERT_EQ(admin().revoke_invite(room_, never.id).status, 204);
  expect_refused_hello(never.token, "token_revoked");

  person pa = enter("party A", "party", "Aigul", "A", &med);
  const auto response = admin().revoke_invite(room_, pa.id);
  ASSERT_EQ(response.status, 204) << response.describe();
  pa->expect_close(1008);
  const json removed = med->wait_event("removed", 0, [&](const json& e) { return e["participant"] == pa.id; });
  EXPECT_EQ(removed["actor"], "admin");
  expect_refused_hello(pa.token, "token_revoked");
}

TEST_F(Abuse, AnUnsupportedProtocolVersionIsRefused) {
  open_room();
  person pa = invite("party A", "party", "Aigul", "A");
  expect_refused_hello(pa.token, "unsupported_version", 2);
}

TEST_F(Abuse, PartiesAndObserversCannotUseAMediatorsPowers) {
  open_room();
  person med = enter("mediator", "mediator", "Mira", std::nullopt, nullptr);
  person pa = enter("party A", "party", "Aigul", "A", &med);
  person pb = enter("party B", "party", "Boris", "B", &med);
  person obs = enter("observer", "observer", "Oraz", std::nullopt, &med);
  person late = invite("party C", "party", "Chingiz", "C");
  connect(late);
  late->ok("accept_rules");

  EXPECT_EQ(pa->refused("open_caucus", {{"members", {pa.id}}, {"title", "mine"}})["code"], "forbidden");
  EXPECT_EQ(pa->refused("admit", {{"participant", late.id}})["code"], "forbidden");
  EXPECT_EQ(pa->refused("grant_floor", {{"participant", pa.id}})["code"], "forbidden");
  EXPECT_EQ(pa->refused("end_session")["code"], "forbidden");
  EXPECT_EQ(pa->refused("draft_agreement", {{"text", "my terms"}})["code"], "forbidden");
  EXPECT_EQ(obs->refused("say", {{"channel", "joint"}, {"text", "an opinion"}})["code"], "forbidden");
  EXPECT_EQ(obs->refused("raise_hand")["code"], "forbidden");

  const auto opened = med->ok("open_caucus", {{"members", {pb.id}}, {"title", "B"}});
  const auto c_b = med->wait_event("caucus_opened", 0, [&](const json& e) { return seq_of(e) == opened; })["caucus"].get<std::string>();
  EXPECT_EQ(pa->refused("say", {{"channel", c_b}, {"text", "let me in"}})["code"], "not_a_member");
  EXPECT_EQ(pa->refused("say", {{"channel", "c99"}, {"text", "probe"}})["code"], "not_a_member")
      << "an unknown caucus looks the same as someone else's";
  EXPECT_EQ(pa->refused("join_caucus", {{"caucus", c_b}})["code"], "forbidden");
  // None of it happened.
  const auto check = med->ok("say", {{"channel", "joint"}, {"text", "check"}});
  pa->wait_event("message", 0, [&](const json& e) { return seq_of(e) == check; });
  for (const auto& e : pa->events()) {
    EXPECT_FALSE(text_of(e, "kind") == "admitted" && e["participant"] == late.id) << e.dump();
    EXPECT_NE(text_of(e, "kind"), "session_ended") << e.dump();
    EXPECT_NE(text_of(e, "kind"), "agreement_drafted") << e.dump();
  }
}

}  // namespace
}  // namespace kelisim::itest
