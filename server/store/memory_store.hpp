#pragma once
// The transcript store in memory, for tests: the same contract as sqlite_store (known room,
// consecutive seqs, UNIQUE(room, seq), UNIQUE(room, participant, command id), the same hash
// chain), nothing durable.
//
// Completion: by default appends are completed on the store's own worker thread, like
// sqlite_store, so callers meet the same threading (done never runs inside append()).
// completion::synchronous applies and completes inside append() on the caller's thread, for
// tests that want determinism without flush(). Administrative writes and reads are synchronous.
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "server/store/transcript_store.hpp"

namespace kelisim::store {

class memory_store final : public transcript_store {
 public:
  enum class completion { worker_thread, synchronous };

  explicit memory_store(completion mode = completion::worker_thread);
  ~memory_store() override;  // completes every queued append first

  memory_store(const memory_store&) = delete;
  memory_store& operator=(const memory_store&) = delete;

  void append(append_request request, std::function<void(append_result)> done) override;

  std::vector<stored_event> events_after(const room_id& room, seq_t after,
                                         std::size_t limit = std::numeric_limits<std::size_t>::max()) override;
  std::vector<command_receipt> receipts(const room_id& room) override;
  void scan_events(const scanned_event& each) override;

  bool create_room(const room_record& room) override;
  std::optional<room_record> find_room(const room_id& id) override;
  std::vector<room_record> rooms() override;

  bool add_invite(const invite_record& invite) override;
  std::optional<invite_record> find_invite(const std::string& invite_id) override;
  std::vector<invite_record> invites(const room_id& room) override;
  bool revoke_invite(const std::string& invite_id, time_ms at) override;

  void audit(const audit_entry& entry) override;
  std::vector<audit_entry> audit_log(const std::optional<room_id>& room) override;

  void flush() override;
  store_stats stats() const override;

 private:
  struct pending_append {
    append_request request;
    std::function<void(append_result)> done;
  };
  struct room_log {
    room_record record;
    std::vector<stored_event> events;
    std::vector<command_receipt> receipts;
    std::set<std::pair<participant_id, std::string>> receipt_keys;
  };

  // Applies one request all-or-nothing; requires data_mutex_.
  append_result apply(const append_request& request);
  void commit(std::vector<pending_append>& batch);
  void run_worker();

  const completion mode_;

  mutable std::mutex data_mutex_;
  std::map<room_id, room_log> rooms_;
  std::map<std::string, invite_record> invites_;
  std::vector<audit_entry> audit_;
  store_stats stats_;

  std::mutex queue_mutex_;
  std::condition_variable queue_changed_;
  std::deque<pending_append> queue_;
  bool committing_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace kelisim::store
