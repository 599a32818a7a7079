// The hash chain: golden values computed independently (Python hashlib), and verify_chain
// naming the first seq that breaks, for each kind of break.
#include "server/store/hash_chain.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace kelisim::store {
namespace {

constexpr std::string_view abc_sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

std::vector<stored_event> chain_of(int n) {
  std::vector<stored_event> events;
  std::string previous(zero_hash);
  for (int i = 1; i <= n; ++i) {
    events.push_back(seal_event("r1", new_event{i, 1000 + i, "message", R"({"text":"word )" + std::to_string(i) + R"("})"},
                                previous));
    previous = events.back().hash;
  }
  return events;
}

TEST(hash_chain, sha256_matches_the_standard_vector) {
  EXPECT_EQ(sha256_hex("abc"), abc_sha256);
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(hash_chain, chain_hash_is_sha256_over_raw_prev_seq_and_payload) {
  EXPECT_EQ(chain_hash(zero_hash, 1, abc_sha256), "a0e0e86bb6a4b2a8c5a30ce969558a851d5130ea9bb01898434149940e7150dc");
  // seq is 8 bytes big-endian: every byte position matters.
  EXPECT_EQ(chain_hash("abababababababababababababababababababababababababababababababab", 0x0102030405060708,
                       abc_sha256),
            "a6256a9f4f89153696f470985b14d01698c36a09ad02b07de42683605f90540d");
}

TEST(hash_chain, chain_hash_refuses_malformed_hex) {
  EXPECT_THROW(chain_hash("00", 1, abc_sha256), std::invalid_argument);
  EXPECT_THROW(chain_hash(zero_hash, 1, std::string(64, 'g')), std::invalid_argument);
}

TEST(hash_chain, seal_event_links_to_the_previous_hash) {
  const auto events = chain_of(2);
  EXPECT_EQ(events[0].prev_hash, zero_hash);
  EXPECT_EQ(events[0].payload_hash, sha256_hex(events[0].body));
  EXPECT_EQ(events[0].hash, chain_hash(zero_hash, 1, events[0].payload_hash));
  EXPECT_EQ(events[1].prev_hash, events[0].hash);
  EXPECT_TRUE(is_hash_hex(events[1].hash));
}

TEST(hash_chain, an_intact_chain_verifies) {
  EXPECT_EQ(verify_chain(chain_of(0)), std::nullopt);
  EXPECT_EQ(verify_chain(chain_of(5)), std::nullopt);
}

TEST(hash_chain, a_purged_payload_still_verifies) {
  auto events = chain_of(3);
  events[1].body.clear();
  EXPECT_EQ(verify_chain(events), std::nullopt);
}

struct tamper_case {
  const char* name;
  void (*tamper)(std::vector<stored_event>&);
  seq_t seq;
  chain_fault fault;
};

const tamper_case tamper_cases[] = {
    {"changed_body", [](auto& e) { e[2].body[10] ^= 1; }, 3, chain_fault::payload_hash_mismatch},
    {"changed_body_and_payload_hash",
     [](auto& e) {
       e[2].body += " ";
       e[2].payload_hash = sha256_hex(e[2].body);
     },
     3, chain_fault::hash_mismatch},
    {"rewritten_event",
     [](auto& e) {
       e[2].body += " ";
       e[2].payload_hash = sha256_hex(e[2].body);
       e[2].hash = chain_hash(e[2].prev_hash, e[2].seq, e[2].payload_hash);
     },
     4, chain_fault::prev_link_broken},
    {"removed_event", [](auto& e) { e.erase(e.begin() + 2); }, 4, chain_fault::seq_gap},
    {"missing_start", [](auto& e) { e.erase(e.begin()); }, 2, chain_fault::seq_gap},
    {"first_prev_not_zero", [](auto& e) { e[0].prev_hash[0] = '1'; }, 1, chain_fault::prev_link_broken},
    {"changed_hash", [](auto& e) { e[0].hash[63] = e[0].hash[63] == '0' ? '1' : '0'; }, 1,
     chain_fault::hash_mismatch},
    {"malformed_payload_hash", [](auto& e) { e[4].payload_hash = "X"; }, 5, chain_fault::payload_hash_mismatch},
};

TEST(hash_chain, the_first_break_is_named_with_its_seq_and_fault) {
  for (const auto& c : tamper_cases) {
    SCOPED_TRACE(c.name);
    auto events = chain_of(5);
    c.tamper(events);
    const auto broken = verify_chain(events);
    ASSERT_TRUE(broken.has_value());
    EXPECT_EQ(broken->seq, c.seq);
    EXPECT_EQ(broken->fault, c.fault) << to_string(broken->fault) << ": " << broken->reason;
    EXPECT_FALSE(broken->reason.empty());
  }
}

}  // namespace
}  // namespace kelisim::store
