// Invite tokens: what the administrator issued comes back exactly; everything else is refused
// with the right code and never throws.
#include "server/auth/invite_token.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <string>

namespace kelisim::auth {
namespace {

using protocol::error_code;

const std::string key(32, 'k');
constexpr protocol::time_ms now = 1'800'000'000'000;
constexpr protocol::time_ms in_an_hour = now + 3'600'000;

invite_claims party_claims() {
  return invite_claims{"r1", "i-42", protocol::role::party, "A", "Асқар \"Ақа\" <b>", in_an_hour};
}

std::string b64url(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  for (auto& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::string b64url_decode(std::string s) {
  for (auto& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s += '=';
  std::string out(s.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!s.empty() && s.back() == '=') {
    s.pop_back();
    out.pop_back();
  }
  return out;
}

std::string hmac(std::string_view k, std::string_view data, const EVP_MD* md) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(md, k.data(), static_cast<int>(k.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       mac, &size);
  return std::string(reinterpret_cast<char*>(mac), size);
}

// A token forged by hand: any header, any payload, signed with `k` under `md` (or unsigned).
std::string forge(std::string_view header, std::string_view payload, std::string_view k = key,
                  const EVP_MD* md = EVP_sha256()) {
  const std::string input = b64url(header) + "." + b64url(payload);
  return input + "." + (md ? b64url(hmac(k, input, md)) : "");
}

constexpr std::string_view hs256 = R"({"alg":"HS256","typ":"JWT"})";
const std::string good_payload =
    R"({"room":"r1","iid":"i-42","role":"party","side":"A","name":"Асқар","exp":)" +
    std::to_string(in_an_hour / 1000) + "}";

error_code refusal(const std::variant<invite_claims, error_code>& result) {
  if (const auto* code = std::get_if<error_code>(&result)) return *code;
  ADD_FAILURE() << "token was accepted";
  return error_code::internal;
}

TEST(invite_token, issue_and_verify_round_trip) {
  const invite_signer signer(key);
  for (const auto& claims : {party_claims(),
                             invite_claims{"r1", "i-1", protocol::role::mediator, std::nullopt, "Айгүл", in_an_hour},
                             invite_claims{"r9", "i-2", protocol::role::observer, std::nullopt, "", in_an_hour}}) {
    const auto token = signer.issue(claims);
    const auto result = signer.verify(token, now);
    ASSERT_TRUE(std::holds_alternative<invite_claims>(result)) << protocol::to_string(std::get<error_code>(result));
    const auto& back = std::get<invite_claims>(result);
    EXPECT_EQ(back.room, claims.room);
    EXPECT_EQ(back.invite_id, claims.invite_id);
    EXPECT_EQ(back.as, claims.as);
    EXPECT_EQ(back.side, claims.side);
    EXPECT_EQ(back.name, claims.name);
    EXPECT_EQ(back.expires_at, claims.expires_at);
  }
}

TEST(invite_token, a_hand_made_hs256_token_is_accepted) {
  // Guards the forging helper the refusal tests rely on: correctly signed, it passes.
  const invite_signer signer(key);
  EXPECT_TRUE(std::holds_alternative<invite_claims>(signer.verify(forge(hs256, good_payload), now)));
}

TEST(invite_token, the_header_says_hs256_and_the_payload_carries_the_claims) {
  const auto token = invite_signer(key).issue(party_claims());
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  const auto header = b64url_decode(token.substr(0, first));
  const auto payload = b64url_decode(token.substr(first + 1, second - first - 1));
  EXPECT_NE(header.find(R"("alg":"HS256")"), std::string::npos) << header;
  EXPECT_NE(payload.find(R"("role":"party")"), std::string::npos) << payload;
  EXPECT_NE(payload.find(R"("iid":"i-42")"), std::string::npos) << payload;
  EXPECT_NE(payload.find(R"("exp":)" + std::to_string(in_an_hour / 1000)), std::string::npos) << payload;
}

TEST(invite_token, expiry_is_token_expired) {
  const invite_signer signer(key);
  const auto token = signer.issue(party_claims());
  EXPECT_EQ(refusal(signer.verify(token, in_an_hour)), error_code::token_expired);
  EXPECT_EQ(refusal(signer.verify(token, in_an_hour + 1)), error_code::token_expired);
  EXPECT_TRUE(std::holds_alternative<invite_claims>(signer.verify(token, in_an_hour - 1)));
}

TEST(invite_token, anything_tampered_or_foreign_is_unauthorized) {
  const invite_signer signer(key);
  const auto token = signer.issue(party_claims());
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);

  auto flip = [&](std::size_t at) {
    std::string t = token;
    t[at] = t[at] == 'A' ? 'B' : 'A';
    return t;
  };
  // Raise the role and keep the signature.
  std::string promoted_payload = b64url_decode(token.substr(first + 1, second - first - 1));
  promoted_payload.replace(promoted_payload.find("party"), 5, "mediator");
  const std::string promoted = token.substr(0, first + 1) + b64url(promoted_payload) + token.substr(second);

  const std::string expired_payload =
      R"({"room":"r1","iid":"i-42","role":"party","side":"A","name":"x","exp":1})";
  const struct {
    const char* name;
    std::string token;
  } cases[] = {
      {"payload char flipped", flip(first + 5)},
      {"header char flipped", flip(3)},
      {"signature char flipped", flip(second + 3)},
      {"signature last char flipped", flip(token.size() - 1)},
      {"role raised", promoted},
      {"signature removed", token.substr(0, second + 1)},
      {"signature part missing", token.substr(0, second)},
      {"truncated", token.substr(0, token.size() - 5)},
      {"truncated to header", token.substr(0, first)},
      {"extra part", token + ".AAAA"},
      {"padding added", token + "="},
      {"whitespace", token + " "},
      {"empty", ""},
      {"dots only", ".."},
      {"garbage", "not a token at all"},
      {"non-base64", "a$b.c%d.e^f"},
      {"binary", std::string("\x00\xff.\x01.\x02", 6)},
      {"alg none, no signature", forge(R"({"alg":"none","typ":"JWT"})", good_payload, key, nullptr)},
      {"alg none, with signature", forge(R"({"alg":"none"})", good_payload)},
      {"alg NONE", forge(R"({"alg":"NONE"})", good_payload, key, nullptr)},
      {"HS512 header and signature", forge(R"({"alg":"HS512","typ":"JWT"})", good_payload, key, EVP_sha512())},
      {"HS512 header, HS256 signature", forge(R"({"alg":"HS512","typ":"JWT"})", good_payload)},
      {"RS256 header", forge(R"({"alg":"RS256","typ":"JWT"})", good_payload)},
      {"alg missing", forge(R"({"typ":"JWT"})", good_payload)},
      {"alg not a string", forge(R"({"alg":256})", good_payload)},
      {"typ not JWT", forge(R"({"alg":"HS256","typ":"JOSE+JSON"})", good_payload)},
      {"crit header", forge(R"({"alg":"HS256","crit":["exp"]})", good_payload)},
      {"header not JSON", forge("{alg:HS256}", good_payload)},
      {"header an array", forge(R"(["HS256"])", good_payload)},
      {"wrong key", forge(hs256, good_payload, std::string(32, 'x'))},
      {"payload not JSON", forge(hs256, "room=r1")},
      {"payload an array", forge(hs256, "[1,2]")},
      {"room missing", forge(hs256, R"({"iid":"i","role":"party","side":null,"name":"x","exp":99999999999})")},
      {"room empty", forge(hs256, R"({"room":"","iid":"i","role":"party","side":null,"name":"x","exp":99999999999})")},
      {"iid missing", forge(hs256, R"({"room":"r","role":"party","side":null,"name":"x","exp":99999999999})")},
      {"role unknown",
       forge(hs256, R"({"room":"r","iid":"i","role":"admin","side":null,"name":"x","exp":99999999999})")},
      {"role a number", forge(hs256, R"({"room":"r","iid":"i","role":1,"side":null,"name":"x","exp":99999999999})")},
      {"side missing", forge(hs256, R"({"room":"r","iid":"i","role":"party","name":"x","exp":99999999999})")},
      {"side a number", forge(hs256, R"({"room":"r","iid":"i","role":"party","side":1,"name":"x","exp":99999999999})")},
      {"name missing", forge(hs256, R"({"room":"r","iid":"i","role":"party","side":null,"exp":99999999999})")},
      {"name null", forge(hs256, R"({"room":"r","iid":"i","role":"party","side":null,"name":null,"exp":99999999999})")},
      {"exp missing", forge(hs256, R"({"room":"r","iid":"i","role":"party","side":null,"name":"x"})")},
      {"exp a string",
       forge(hs256, R"({"room":"r","iid":"i","role":"party","side":null,"name":"x","exp":"99999999999"})")},
      {"exp fractional", forge(hs256, R"({"room":"r","iid":"i","role":"party","side":null,"name":"x","exp":9.5e10})")},
      {"exp negative", forge(hs256, R"({"room":"r","iid":"i","role":"party","side":null,"name":"x","exp":-1})")},
      {"exp huge",
       forge(hs256, R"({"room":"r","iid":"i","role":"party","side":null,"name":"x","exp":18446744073709551615})")},
      // Expired but forged: the signature is checked first, so this is a forgery, not an expiry.
      {"expired and wrong key", forge(hs256, expired_payload, std::string(32, 'x'))},
      {"too long", token + std::string(5000, 'A')},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(refusal(signer.verify(c.token, now)), error_code::unauthorized);
  }
  EXPECT_EQ(refusal(signer.verify(forge(hs256, expired_payload), now)), error_code::token_expired);
}

TEST(invite_token, a_short_key_is_refused) { EXPECT_THROW(invite_signer(std::string(16, 'k')), std::invalid_argument); }

class signing_key_file : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("kelisim-auth-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(signing_key_file, is_created_once_with_mode_0600_and_reused) {
  const auto key1 = load_or_create_signing_key(dir_);
  EXPECT_EQ(key1.size(), 32u);
  struct stat info{};
  ASSERT_EQ(::stat((dir_ / "signing-key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(info.st_size, 32);

  EXPECT_EQ(load_or_create_signing_key(dir_), key1);
  // Tokens issued before a restart still verify after it.
  const auto token = invite_signer(key1).issue(party_claims());
  EXPECT_TRUE(std::holds_alternative<invite_claims>(invite_signer(load_or_create_signing_key(dir_)).verify(token, now)));

  std::filesystem::remove(dir_ / "signing-key");
  EXPECT_NE(load_or_create_signing_key(dir_), key1);  // random, not derived
}

TEST_F(signing_key_file, a_key_of_the_wrong_size_is_refused) {
  std::ofstream(dir_ / "signing-key") << "short";
  try {
    load_or_create_signing_key(dir_);
    FAIL() << "accepted a 5-byte key";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("signing-key"), std::string::npos) << what;
    EXPECT_NE(what.find("expected 32 bytes, found 5"), std::string::npos) << what;
  }
}

TEST_F(signing_key_file, a_missing_directory_is_one_clear_error) {
  EXPECT_THROW(load_or_create_signing_key(dir_ / "missing"), std::runtime_error);
}

TEST(equal_secrets, compares_content_and_length) {
  EXPECT_TRUE(equal_secrets("s3cret-admin-token", "s3cret-admin-token"));
  EXPECT_TRUE(equal_secrets("", ""));
  EXPECT_FALSE(equal_secrets("s3cret-admin-token", "s3cret-admin-tokeN"));
  EXPECT_FALSE(equal_secrets("s3cret-admin-token", "s3cret-admin-toke"));
  EXPECT_FALSE(equal_secrets("", "x"));
  EXPECT_FALSE(equal_secrets(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

}  // namespace
}  // namespace kelisim::auth
