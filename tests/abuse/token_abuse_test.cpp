// Forged and altered invite tokens: alg none, one flipped bit, truncated, expired, wrong room,
// wrong role (re-signed with a wrong key), revoked. 10,000 go straight through the server's own
// verification (server/auth, with the server's signing key from its data dir); several hundred go
// over the wire as hello, where every one must be refused with its code, closed with 1008,
// audited in the store, and never written to the server's logs.

#include <array>
#include <atomic>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "abuse_support.hpp"
#include "server/auth/invite_token.hpp"
#include "tests/support/forged_token.hpp"

namespace kelisim::abuse {
namespace {

using test::base64url;

std::string jws(const json& header, const json& claims, const std::string& key) {
  return test::hs256_jws(header, claims, key);
}

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

struct forged {
  std::string kind;
  std::string token;
  std::string code;  // the refusal it must get over the wire
};

// Makes forged tokens of every kind from a genuine party invite, deterministically from `seed`.
class forger {
 public:
  forger(std::string key, std::string room, std::string other_room, invite party, invite revoked,
         std::uint64_t seed)
      : key_(std::move(key)), room_(std::move(room)), other_room_(std::move(other_room)),
        party_(std::move(party)), revoked_(std::move(revoked)), random_(seed) {}

  json claims(const std::string& iid) const {
    return {{"room", room_}, {"iid", iid}, {"role", "party"}, {"side", "A"}, {"name", "Aigul"},
            {"exp", unix_now() + 3600}};
  }

  forged make(std::size_t i) {
    const json hs256 = {{"alg", "HS256"}, {"typ", "JWT"}};
    switch (i % 7) {
      case 0: {  // alg none, with and without a signature part
        json c = claims(party_.id);
        c["role"] = "mediator";
        std::string t = base64url(json{{"alg", pick({"none", "None", "NONE", "nOnE"})}, {"typ", "JWT"}}.dump()) +
                        "." + base64url(c.dump()) + ".";
        if (random_() % 2) t += base64url("sig");
        return {"alg none", t, "unauthorized"};
      }
      case 1: {  // one flipped bit anywhere in a genuine token
        std::string t = party_.token;
        const auto at = random_() % t.size();
        t[at] = static_cast<char>(t[at] ^ (1u << (random_() % 7)));  // stays ASCII: the hello is JSON text
        return {"flipped bit", t, "unauthorized"};
      }
      case 2: {  // truncated (at least one character gone)
        std::string t = party_.token;
        t.resize(random_() % t.size());
        return {"truncated", t, "unauthorized"};
      }
      case 3: {  // genuinely signed, expired (from a second to a year ago)
        json c = claims(party_.id);
        c["exp"] = unix_now() - 1 - static_cast<std::int64_t>(random_() % (365 * 86400));
        return {"expired", jws(hs256, c, key_), "token_expired"};
      }
      case 4: {  // genuinely signed for another room (the invite belongs to this one)
        json c = claims(party_.id);
        c["room"] = (random_() % 2) ? other_room_ : "no-such-room-" + std::to_string(random_() % 1000);
        return {"wrong room", jws(hs256, c, key_), "unauthorized"};
      }
      case 5: {  // promoted to mediator, re-signed with a key that is not the server's
        json c = claims(party_.id);
        c["role"] = pick({"mediator", "observer", "advisor", "interpreter"});
        std::string wrong = key_;
        wrong[random_() % wrong.size()] ^= 0x01;
        return {"wrong role, wrong key", jws(hs256, c, (random_() % 2) ? wrong : std::string(32, 'k')), "unauthorized"};
      }
      default:  // a genuine token whose invite the administrator revoked
        return {"revoked", revoked_.token, "token_revoked"};
    }
  }

 private:
  std::string pick(std::initializer_list<const char*> from) {
    return *(from.begin() + static_cast<std::ptrdiff_t>(random_() % from.size()));
  }
  std::string key_, room_, other_room_;
  invite party_, revoked_;
  std::mt19937_64 random_;
};

TEST(ForgedTokens, TenThousandAreRefusedAndTheOnesOverTheWireAreAuditedWithTheirCode) {
  server_process server(server_defaults());
  const std::string room = server.admin().create_room("Token room").at("id").get<std::string>();
  const std::string other_room = server.admin().create_room("Other room").at("id").get<std::string>();
  const invite party = issue(server, room, "party", "Aigul", "A");
  const invite revoked = issue(server, room, "party", "Boris", "B");
  ASSERT_EQ(server.admin().revoke_invite(room, revoked.id).status, 204);

  std::ifstream in(server.data_dir() / "signing-key", std::ios::binary);
  ASSERT_TRUE(in) << "no signing key in " << server.data_dir();
  const std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(key.size(), 32u);

  // 1. The server's verification path, in process: 10,000 forgeries.
  const auth::invite_signer signer(key);
  const auto now_ms = unix_now() * 1000;
  ASSERT_TRUE(std::holds_alternative<auth::invite_claims>(signer.verify(party.token, now_ms)))
      << "the genuine token must verify, or the refusals below prove nothing";
  forger direct(key, room, other_room, party, revoked, 20261126);
  std::map<std::string, int> per_kind;
  int checked = 0;
  for (std::size_t i = 0; checked < 10'000; ++i) {
    const auto f = direct.make(i);
    // Wrong room and revoked are genuinely signed: the signature check passes and the room and
    // revocation checks (against the store) refuse them; those are proven over the wire below.
    if (f.kind == "wrong room" || f.kind == "revoked") continue;
    const auto verdict = signer.verify(f.token, now_ms);
    ++checked;
    ++per_kind[f.kind];
    ASSERT_TRUE(std::holds_alternative<protocol::error_code>(verdict)) << f.kind << " accepted: " << f.token;
    EXPECT_EQ(protocol::to_string(std::get<protocol::error_code>(verdict)), f.code) << f.kind << ": " << f.token;
  }
  for (const auto& [kind, n] : per_kind) EXPECT_GT(n, 1000) << kind;

  // 2. Over the wire: 350 hellos, every kind, four clients at a time.
  const auto audited_before = audit_count(server.data_dir(), "token_refused");
  forger wire(key, room, other_room, party, revoked, 7);
  std::vector<forged> hellos;
  for (std::size_t i = 0; i < 350; ++i) hellos.push_back(wire.make(i));
  std::mutex mutex;
  std::vector<std::string> failures;
  std::map<std::string, int> refused_with;  // code -> count
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&] {
      for (std::size_t i = next++; i < hellos.size(); i = next++) {
        const auto& f = hellos[i];
        std::string failure;
        std::string code;
        try {
          auto c = server.connect();
          c.hello(f.token);
          const json answer = c.wait_for([](const json& frame) {
            const auto type = test::text_of(frame, "type");
            return type == "error" || type == "welcome";
          });
          code = test::text_of(answer, "code");
          if (test::text_of(answer, "type") != "error") failure = "accepted";
          else if (code != f.code) failure = "refused with " + code + ", expected " + f.code;
          const auto closed = c.wait_closed(5s);
          if (failure.empty() && (!closed.closed || closed.code != 1008))
            failure = "not closed with 1008 (" + std::to_string(closed.code) + " " + closed.error + ")";
        } catch (const std::exception& e) {
          failure = e.what();
        }
        std::lock_guard lock(mutex);
        ++refused_with[code];
        if (!failure.empty()) failures.push_back(f.kind + ": " + failure + " — " + f.token);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(failures.empty()) << failures.size() << " wrong answers, e.g. " << failures.front();

  // Every refusal is in the audit log with its code (the audit is written asynchronously).
  std::map<std::string, int> expected_codes;
  for (const auto& f : hellos) ++expected_codes[f.code];
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (audit_count(server.data_dir(), "token_refused") - audited_before < static_cast<std::int64_t>(hellos.size()) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  EXPECT_EQ(audit_count(server.data_dir(), "token_refused") - audited_before, static_cast<std::int64_t>(hellos.size()));
  for (const auto& [code, n] : expected_codes)
    EXPECT_EQ(audit_count(server.data_dir(), "token_refused", code + ":"), n) << code;
  EXPECT_EQ(refused_with, expected_codes);

  // The genuine token still works, and no token (nor its signature) ever reached the logs.
  EXPECT_EQ(probe(server, party.token), "");
  const std::string logs = server.stdout_text() + server.stderr_text();
  const auto signature = party.token.substr(party.token.rfind('.') + 1);
  EXPECT_EQ(logs.find(signature), std::string::npos) << "a token's signature is in the server's log";
  for (const auto& f : hellos) {
    if (f.token.size() > 40) {
      EXPECT_EQ(logs.find(f.token), std::string::npos) << "a token is in the log";
    }
  }
}

// Refusals are audited up to a limit per address (app/refusal_limiter.hpp): past it the admin API
// answers 429 and a refused hello is refused as before, but neither is written down; /metrics
// counts them. The real admin token is never held back.
TEST(RefusedCredentials, PastTheAuditLimitAre429ForTheAdminApiAndCountedNotWritten) {
  server_process server(server_defaults());
  const test::http_request bad{"GET", "/api/rooms", "", {{"Authorization", "Bearer wrong-token"}}};
  int unauthorized = 0;
  test::http_response answer;
  for (int i = 0; i < 1000; ++i) {
    answer = server.admin().raw(bad);
    if (answer.status != 401) break;
    ++unauthorized;
  }
  // The limiter's defaults: 400 at once from one address, then one every 10 s.
  EXPECT_GE(unauthorized, 400);
  EXPECT_LE(unauthorized, 410);
  EXPECT_EQ(answer.status, 429) << answer.describe();
  EXPECT_EQ(answer.json_body().value("code", ""), "rate_limited") << answer.describe();
  EXPECT_EQ(answer.header("retry-after"), "10");
  EXPECT_EQ(server.admin().send("GET", "/api/rooms").status, 200);

  // A hello with a bad token from the same address: refused and closed as always.
  auto client = server.connect();
  client.hello("not-a-token");
  const json refusal = client.wait_for(test::is_type("error"));
  EXPECT_EQ(test::text_of(refusal, "code"), "unauthorized") << refusal.dump();
  EXPECT_EQ(client.wait_closed(5s).code, 1008);

  // One admin write after it: the store writes in order, so anything queued before is on disk.
  server.admin().create_room("Barrier room");
  EXPECT_EQ(audit_count(server.data_dir(), "admin_refused"), unauthorized);
  EXPECT_EQ(audit_count(server.data_dir(), "token_refused"), 0);
  const auto metrics = server.admin().send("GET", "/metrics");
  EXPECT_NE(metrics.body.find("\nkelisim_refusals_not_audited_total 2\n"), std::string::npos) << metrics.body;
}

}  // namespace
}  // namespace kelisim::abuse
