// The transcript_store contract, run against every implementation: sqlite_store,
// memory_store completing on its worker thread, and memory_store completing synchronously.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "server/store/hash_chain.hpp"
#include "server/store/memory_store.hpp"
#include "server/store/sqlite_store.hpp"
#include "temp_dir.hpp"

namespace kelisim::store {
namespace {

using namespace std::chrono_literals;

struct sqlite_maker {
  testing::temp_dir dir;
  std::unique_ptr<transcript_store> make() { return std::make_unique<sqlite_store>(dir.path()); }
};
struct memory_worker_maker {
  std::unique_ptr<transcript_store> make() { return std::make_unique<memory_store>(); }
};
struct memory_sync_maker {
  std::unique_ptr<transcript_store> make() {
    return std::make_unique<memory_store>(memory_store::completion::synchronous);
  }
};

new_event message(seq_t seq, std::string text = "hello") {
  return new_event{seq, 1'700'000'000'000 + seq, "message", R"({"text":")" + text + R"("})"};
}

append_request request(const room_id& room, std::vector<new_event> events,
                       std::optional<command_receipt> receipt = std::nullopt) {
  return append_request{room, std::move(events), std::move(receipt)};
}

template <typename Maker>
class store_contract : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = maker_.make();
    ASSERT_TRUE(store_->create_room(room_record{"r1", 1000, "Neighbours", "kk"}));
    ASSERT_TRUE(store_->create_room(room_record{"r2", 2000, "School", "ru"}));
  }

  // Queues an append; the future is ready when the store completes it.
  std::future<append_result> start(append_request r) {
    auto promise = std::make_shared<std::promise<append_result>>();
    auto result = promise->get_future();
    store_->append(std::move(r), [promise](append_result a) { promise->set_value(std::move(a)); });
    return result;
  }

  static append_result await(std::future<append_result>& f) {
    if (f.wait_for(10s) != std::future_status::ready) {
      ADD_FAILURE() << "append not completed within 10 s";
      return {false, "timeout"};
    }
    return f.get();
  }

  append_result append(append_request r) {
    auto f = start(std::move(r));
    return await(f);
  }

  Maker maker_;
  std::unique_ptr<transcript_store> store_;
};

using implementations = ::testing::Types<sqlite_maker, memory_worker_maker, memory_sync_maker>;
TYPED_TEST_SUITE(store_contract, implementations);

TYPED_TEST(store_contract, appended_events_read_back_exactly_and_chained) {
  const auto result =
      this->append(request("r1", {message(1, "сәлем"), message(2), message(3)}, command_receipt{"p1", "c1", 3}));
  ASSERT_TRUE(result.ok) << result.error;

  const auto events = this->store_->events_after("r1", 0);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].room, "r1");
  EXPECT_EQ(events[0].seq, 1);
  EXPECT_EQ(events[0].ts, 1'700'000'000'001);
  EXPECT_EQ(events[0].kind, "message");
  EXPECT_EQ(events[0].body, R"({"text":"сәлем"})");
  EXPECT_EQ(events[0].payload_hash, sha256_hex(events[0].body));
  EXPECT_EQ(events[0].prev_hash, zero_hash);
  EXPECT_EQ(events[0].hash, chain_hash(zero_hash, 1, events[0].payload_hash));
  EXPECT_EQ(events[2].prev_hash, events[1].hash);
  EXPECT_EQ(verify_chain(events), std::nullopt);
  EXPECT_TRUE(this->store_->events_after("r2", 0).empty());
}

TYPED_TEST(store_contract, the_chain_continues_across_appends_and_rooms) {
  for (seq_t s = 1; s <= 5; ++s) {
    ASSERT_TRUE(this->append(request("r1", {message(s)})).ok);
    ASSERT_TRUE(this->append(request("r2", {message(s)})).ok);
  }
  const auto r1 = this->store_->events_after("r1", 0);
  const auto r2 = this->store_->events_after("r2", 0);
  ASSERT_EQ(r1.size(), 5u);
  EXPECT_EQ(verify_chain(r1), std::nullopt);
  EXPECT_EQ(verify_chain(r2), std::nullopt);
  // Same payloads, same seqs, separate chains: the same hashes, each linking within its room.
  EXPECT_EQ(r1[4].hash, r2[4].hash);
  EXPECT_EQ(r1[4].room, "r1");
}

TYPED_TEST(store_contract, a_seq_conflict_fails_only_that_request) {
  // Queued together so a group-committing store puts them in one transaction.
  auto first = this->start(request("r1", {message(1)}, command_receipt{"p1", "c1", 1}));
  auto conflicting = this->start(request("r1", {message(1, "second writer")}, command_receipt{"p2", "c9", 1}));
  auto other_room = this->start(request("r2", {message(1)}));
  auto next = this->start(request("r1", {message(2)}));

  EXPECT_TRUE(this->await(first).ok);
  const auto refused = this->await(conflicting);
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.error.find("seq"), std::string::npos) << refused.error;
  EXPECT_TRUE(this->await(other_room).ok);
  EXPECT_TRUE(this->await(next).ok);

  const auto events = this->store_->events_after("r1", 0);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].body, message(1).body);
  EXPECT_EQ(verify_chain(events), std::nullopt);
  // The refused request left nothing behind, not even its receipt.
  const auto receipts = this->store_->receipts("r1");
  ASSERT_EQ(receipts.size(), 1u);
  EXPECT_EQ(receipts[0].command_id, "c1");
  EXPECT_EQ(this->store_->events_after("r2", 0).size(), 1u);
}

TYPED_TEST(store_contract, a_gap_or_a_repeat_is_refused) {
  ASSERT_TRUE(this->append(request("r1", {message(1)})).ok);
  EXPECT_FALSE(this->append(request("r1", {message(3)})).ok);
  EXPECT_FALSE(this->append(request("r1", {message(2), message(4)})).ok);
  EXPECT_FALSE(this->append(request("r1", {message(0)})).ok);
  EXPECT_TRUE(this->append(request("r1", {message(2), message(3)})).ok);
  EXPECT_EQ(verify_chain(this->store_->events_after("r1", 0)), std::nullopt);
}

TYPED_TEST(store_contract, a_retried_command_id_cannot_create_a_second_event) {
  ASSERT_TRUE(this->append(request("r1", {message(1)}, command_receipt{"p1", "c1", 1})).ok);
  const auto retried = this->append(request("r1", {message(2)}, command_receipt{"p1", "c1", 2}));
  EXPECT_FALSE(retried.ok);
  EXPECT_NE(retried.error.find("receipt"), std::string::npos) << retried.error;
  EXPECT_EQ(this->store_->events_after("r1", 0).size(), 1u);

  // The same command id from another participant, or in another room, is another command.
  EXPECT_TRUE(this->append(request("r1", {message(2)}, command_receipt{"p2", "c1", 2})).ok);
  EXPECT_TRUE(this->append(request("r2", {message(1)}, command_receipt{"p1", "c1", 1})).ok);
  const auto receipts = this->store_->receipts("r1");
  ASSERT_EQ(receipts.size(), 2u);
  EXPECT_EQ(receipts[0].participant, "p1");
  EXPECT_EQ(receipts[0].ack_seq, 1);
  EXPECT_EQ(receipts[1].participant, "p2");
  EXPECT_EQ(receipts[1].ack_seq, 2);
}

TYPED_TEST(store_contract, appending_to_an_unknown_room_fails) {
  const auto result = this->append(request("nowhere", {message(1)}));
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("unknown room"), std::string::npos) << result.error;
  EXPECT_TRUE(this->store_->events_after("nowhere", 0).empty());
}

TYPED_TEST(store_contract, events_after_honours_after_and_limit) {
  std::vector<new_event> ten;
  for (seq_t s = 1; s <= 10; ++s) ten.push_back(message(s));
  ASSERT_TRUE(this->append(request("r1", ten)).ok);

  const auto middle = this->store_->events_after("r1", 3, 4);
  ASSERT_EQ(middle.size(), 4u);
  EXPECT_EQ(middle.front().seq, 4);
  EXPECT_EQ(middle.back().seq, 7);
  EXPECT_EQ(this->store_->events_after("r1", 8).size(), 2u);
  EXPECT_TRUE(this->store_->events_after("r1", 10).empty());
  EXPECT_TRUE(this->store_->events_after("r1", 50).empty());
  EXPECT_TRUE(this->store_->events_after("r1", 0, 0).empty());
  EXPECT_EQ(this->store_->events_after("r1", -5).size(), 10u);
}

TYPED_TEST(store_contract, requests_of_one_room_complete_in_order) {
  std::mutex m;
  std::vector<seq_t> completed;
  constexpr seq_t n = 200;
  for (seq_t s = 1; s <= n; ++s) {
    this->store_->append(request("r1", {message(s)}), [&, s](append_result r) {
      EXPECT_TRUE(r.ok) << r.error;
      std::lock_guard lock(m);
      completed.push_back(s);
    });
  }
  this->store_->flush();
  std::lock_guard lock(m);
  ASSERT_EQ(completed.size(), static_cast<std::size_t>(n));
  for (seq_t s = 1; s <= n; ++s) EXPECT_EQ(completed[static_cast<std::size_t>(s - 1)], s);

  const auto stats = this->store_->stats();
  EXPECT_EQ(stats.events_committed, static_cast<std::uint64_t>(n));
  EXPECT_EQ(stats.appends_completed, static_cast<std::uint64_t>(n));
  EXPECT_EQ(stats.appends_failed, 0u);
  EXPECT_GE(stats.transactions, 1u);
  EXPECT_GE(stats.max_batch_size, stats.last_batch_size);
}

TYPED_TEST(store_contract, a_scan_returns_every_event_with_its_receipt_each_room_in_order) {
  // Interleaved appends: the scan must give each room's events in seq order whatever the rooms do.
  ASSERT_TRUE(this->append(request("r1", {message(1), message(2)}, command_receipt{"p1", "c1", 2})).ok);
  ASSERT_TRUE(this->append(request("r2", {message(1, "r2")}, command_receipt{"p2", "c9", 1})).ok);
  ASSERT_TRUE(this->append(request("r1", {message(3)})).ok);
  ASSERT_TRUE(this->append(request("r2", {message(2, "r2")})).ok);

  std::map<room_id, std::vector<stored_event>> seen;
  std::vector<std::string> receipts;  // "room seq participant command"
  this->store_->scan_events([&](const stored_event& e, const std::optional<command_receipt>& receipt) {
    seen[e.room].push_back(e);
    if (receipt)
      receipts.push_back(e.room + " " + std::to_string(receipt->ack_seq) + " " + receipt->participant + " " +
                         receipt->command_id);
  });

  ASSERT_EQ(seen.size(), 2u);
  // Exactly what a room-by-room read gives, hashes included.
  for (const auto& room : {"r1", "r2"}) {
    const auto expected = this->store_->events_after(room, 0);
    ASSERT_EQ(seen[room].size(), expected.size()) << room;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(seen[room][i].seq, expected[i].seq);
      EXPECT_EQ(seen[room][i].body, expected[i].body);
      EXPECT_EQ(seen[room][i].hash, expected[i].hash);
    }
  }
  std::sort(receipts.begin(), receipts.end());
  EXPECT_EQ(receipts, (std::vector<std::string>{"r1 2 p1 c1", "r2 1 p2 c9"}));
}

TYPED_TEST(store_contract, rooms_round_trip) {
  EXPECT_FALSE(this->store_->create_room(room_record{"r1", 5000, "again", "en"}));
  EXPECT_TRUE(this->store_->create_room(room_record{"r0", 500, "Families", "en"}));

  const auto r1 = this->store_->find_room("r1");
  ASSERT_TRUE(r1.has_value());
  EXPECT_EQ(r1->title, "Neighbours");
  EXPECT_EQ(r1->language, "kk");
  EXPECT_EQ(r1->created_at, 1000);
  EXPECT_FALSE(this->store_->find_room("r9").has_value());

  const auto all = this->store_->rooms();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "r0");  // oldest first
  EXPECT_EQ(all[1].id, "r1");
  EXPECT_EQ(all[2].id, "r2");
}

TYPED_TEST(store_contract, invites_round_trip_and_revoke_once) {
  const invite_record mediator{"i-med", "r1", protocol::role::mediator, std::nullopt, "Айгүл", 10, 90'000, std::nullopt};
  const invite_record party{"i-a", "r1", protocol::role::party, "A", "Асқар", 20, 90'000, std::nullopt};
  ASSERT_TRUE(this->store_->add_invite(mediator));
  ASSERT_TRUE(this->store_->add_invite(party));
  EXPECT_FALSE(this->store_->add_invite(party));  // same id
  EXPECT_FALSE(this->store_->add_invite(invite_record{"i-x", "nowhere", protocol::role::party, "A", "X", 1, 2, {}}));

  const auto found = this->store_->find_invite("i-a");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->room, "r1");
  EXPECT_EQ(found->as, protocol::role::party);
  EXPECT_EQ(found->side, std::optional<std::string>("A"));
  EXPECT_EQ(found->name, "Асқар");
  EXPECT_EQ(found->created_at, 20);
  EXPECT_EQ(found->expires_at, 90'000);
  EXPECT_FALSE(found->revoked_at.has_value());
  EXPECT_FALSE(this->store_->find_invite("i-med")->side.has_value());

  const auto listed = this->store_->invites("r1");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].invite_id, "i-med");
  EXPECT_TRUE(this->store_->invites("r2").empty());

  EXPECT_TRUE(this->store_->revoke_invite("i-a", 777));
  EXPECT_FALSE(this->store_->revoke_invite("i-a", 888));
  EXPECT_FALSE(this->store_->revoke_invite("unknown", 888));
  EXPECT_EQ(this->store_->find_invite("i-a")->revoked_at, std::optional<time_ms>(777));
}

TYPED_TEST(store_contract, the_audit_log_keeps_order_and_filters_by_room) {
  this->store_->audit(audit_entry{1, "anonymous", "token_refused", "r1", "token_expired", "10.0.0.1"});
  this->store_->audit(audit_entry{2, "admin", "room_created", "r2", "", ""});
  this->store_->audit(audit_entry{3, "admin", "export", "r1", "json scope=all", "127.0.0.1"});

  const auto all = this->store_->audit_log(std::nullopt);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].action, "token_refused");
  EXPECT_EQ(all[0].actor, "anonymous");
  EXPECT_EQ(all[0].detail, "token_expired");
  EXPECT_EQ(all[0].remote, "10.0.0.1");
  EXPECT_EQ(all[2].at, 3);

  const auto r1 = this->store_->audit_log(room_id("r1"));
  ASSERT_EQ(r1.size(), 2u);
  EXPECT_EQ(r1[1].action, "export");
}

TYPED_TEST(store_contract, flush_waits_for_every_queued_append) {
  std::atomic<int> done{0};
  for (seq_t s = 1; s <= 300; ++s) {
    const room_id room = s % 2 ? "r1" : "r2";
    this->store_->append(request(room, {message((s + 1) / 2)}), [&](append_result r) {
      EXPECT_TRUE(r.ok) << r.error;
      ++done;
    });
  }
  this->store_->flush();
  EXPECT_EQ(done.load(), 300);
  EXPECT_EQ(this->store_->events_after("r1", 0).size(), 150u);
}

}  // namespace
}  // namespace kelisim::store
