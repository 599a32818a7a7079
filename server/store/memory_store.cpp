#include "server/store/memory_store.hpp"

#include <algorithm>

#include "server/store/hash_chain.hpp"
#include "server/store/store_log.hpp"

namespace kelisim::store {
namespace {

constexpr std::size_t max_batch_events = 512;

}  // namespace

memory_store::memory_store(completion mode) : mode_(mode) {
  if (mode_ == completion::worker_thread) worker_ = std::thread([this] { run_worker(); });
}

memory_store::~memory_store() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

append_result memory_store::apply(const append_request& request) {
  const auto found = rooms_.find(request.room);
  if (found == rooms_.end()) return {false, "unknown room '" + request.room + "'"};
  auto& log = found->second;

  // Validate everything first: a request is all or nothing.
  seq_t expected = static_cast<seq_t>(log.events.size()) + 1;
  for (const auto& event : request.events) {
    if (event.seq != expected)
      return {false, "seq conflict in room '" + request.room + "': expected seq " + std::to_string(expected) +
                         ", got " + std::to_string(event.seq) + " (a second writer for this room?)"};
    ++expected;
  }
  if (request.receipt && log.receipt_keys.contains({request.receipt->participant, request.receipt->command_id}))
    return {false, "duplicate command receipt in room '" + request.room + "' for participant '" +
                       request.receipt->participant + "', command id '" + request.receipt->command_id + "'"};

  std::string previous = log.events.empty() ? std::string(zero_hash) : log.events.back().hash;
  for (const auto& event : request.events) {
    log.events.push_back(seal_event(request.room, event, previous));
    previous = log.events.back().hash;
  }
  if (request.receipt) {
    log.receipt_keys.emplace(request.receipt->participant, request.receipt->command_id);
    log.receipts.push_back(*request.receipt);
  }
  return {true, {}};
}

void memory_store::commit(std::vector<pending_append>& batch) {
  std::vector<append_result> results;
  results.reserve(batch.size());
  {
    std::lock_guard lock(data_mutex_);
    std::uint64_t events = 0;
    for (const auto& p : batch) {
      results.push_back(apply(p.request));
      if (results.back().ok) {
        events += p.request.events.size();
        ++stats_.appends_completed;
      } else {
        ++stats_.appends_failed;
      }
    }
    if (events > 0) {
      ++stats_.transactions;
      stats_.events_committed += events;
      stats_.last_batch_size = events;
      stats_.max_batch_size = std::max(stats_.max_batch_size, events);
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!results[i].ok) store_logger()->error("append to room '{}' failed: {}", batch[i].request.room, results[i].error);
    try {
      if (batch[i].done) batch[i].done(std::move(results[i]));
    } catch (const std::exception& e) {
      store_logger()->error("append completion for room '{}' threw: {}", batch[i].request.room, e.what());
    } catch (...) {
      store_logger()->error("append completion for room '{}' threw", batch[i].request.room);
    }
  }
}

void memory_store::run_worker() {
  std::vector<pending_append> batch;
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    queue_changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    std::size_t weight = 0;
    const auto weight_of = [](const pending_append& p) { return std::max<std::size_t>(1, p.request.events.size()); };
    while (!queue_.empty() && (batch.empty() || weight + weight_of(queue_.front()) <= max_batch_events)) {
      weight += weight_of(queue_.front());
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    committing_ = true;
    lock.unlock();
    commit(batch);
    batch.clear();
    lock.lock();
    committing_ = false;
    queue_changed_.notify_all();
  }
}

void memory_store::append(append_request request, std::function<void(append_result)> done) {
  if (mode_ == completion::synchronous) {
    std::vector<pending_append> batch;
    batch.push_back({std::move(request), std::move(done)});
    commit(batch);
    return;
  }
  {
    std::lock_guard lock(queue_mutex_);
    if (!stopping_) {
      queue_.push_back({std::move(request), std::move(done)});
      queue_changed_.notify_all();
      return;
    }
  }
  if (done) done(append_result{false, "store is closed"});
}

std::vector<stored_event> memory_store::events_after(const room_id& room, seq_t after, std::size_t limit) {
  std::lock_guard lock(data_mutex_);
  std::vector<stored_event> out;
  const auto found = rooms_.find(room);
  if (found == rooms_.end()) return out;
  const auto& events = found->second.events;
  // seqs are 1..n in order, so seq s sits at index s - 1.
  const auto first = static_cast<std::size_t>(std::clamp<seq_t>(after, 0, static_cast<seq_t>(events.size())));
  const auto count = std::min(limit, events.size() - first);
  out.assign(events.begin() + static_cast<std::ptrdiff_t>(first),
             events.begin() + static_cast<std::ptrdiff_t>(first + count));
  return out;
}

std::vector<command_receipt> memory_store::receipts(const room_id& room) {
  std::lock_guard lock(data_mutex_);
  const auto found = rooms_.find(room);
  return found == rooms_.end() ? std::vector<command_receipt>{} : found->second.receipts;
}

void memory_store::scan_events(const scanned_event& each) {
  std::lock_guard lock(data_mutex_);
  for (const auto& [id, log] : rooms_) {
    std::map<seq_t, const command_receipt*> answered;
    for (const auto& r : log.receipts) answered[r.ack_seq] = &r;
    for (const auto& e : log.events) {
      const auto found = answered.find(e.seq);
      each(e, found == answered.end() ? std::nullopt : std::optional<command_receipt>(*found->second));
    }
  }
}

bool memory_store::create_room(const room_record& room) {
  std::lock_guard lock(data_mutex_);
  return rooms_.try_emplace(room.id, room_log{room, {}, {}, {}}).second;
}

std::optional<room_record> memory_store::find_room(const room_id& id) {
  std::lock_guard lock(data_mutex_);
  const auto found = rooms_.find(id);
  if (found == rooms_.end()) return std::nullopt;
  return found->second.record;
}

std::vector<room_record> memory_store::rooms() {
  std::lock_guard lock(data_mutex_);
  std::vector<room_record> out;
  for (const auto& [id, log] : rooms_) out.push_back(log.record);
  std::stable_sort(out.begin(), out.end(),
                   [](const room_record& a, const room_record& b) { return a.created_at < b.created_at; });
  return out;
}

bool memory_store::add_invite(const invite_record& invite) {
  std::lock_guard lock(data_mutex_);
  if (!rooms_.contains(invite.room)) return false;
  return invites_.try_emplace(invite.invite_id, invite).second;
}

std::optional<invite_record> memory_store::find_invite(const std::string& invite_id) {
  std::lock_guard lock(data_mutex_);
  const auto found = invites_.find(invite_id);
  if (found == invites_.end()) return std::nullopt;
  return found->second;
}

std::vector<invite_record> memory_store::invites(const room_id& room) {
  std::lock_guard lock(data_mutex_);
  std::vector<invite_record> out;
  for (const auto& [id, invite] : invites_)
    if (invite.room == room) out.push_back(invite);
  std::stable_sort(out.begin(), out.end(),
                   [](const invite_record& a, const invite_record& b) { return a.created_at < b.created_at; });
  return out;
}

bool memory_store::revoke_invite(const std::string& invite_id, time_ms at) {
  std::lock_guard lock(data_mutex_);
  const auto found = invites_.find(invite_id);
  if (found == invites_.end() || found->second.revoked_at) return false;
  found->second.revoked_at = at;
  return true;
}

void memory_store::audit(const audit_entry& entry) {
  std::lock_guard lock(data_mutex_);
  audit_.push_back(entry);
}

std::vector<audit_entry> memory_store::audit_log(const std::optional<room_id>& room) {
  std::lock_guard lock(data_mutex_);
  if (!room) return audit_;
  std::vector<audit_entry> out;
  std::copy_if(audit_.begin(), audit_.end(), std::back_inserter(out),
               [&](const audit_entry& e) { return e.room == *room; });
  return out;
}

void memory_store::flush() {
  if (mode_ == completion::synchronous) return;
  if (std::this_thread::get_id() == worker_.get_id())
    throw store_error("flush called from an append completion (the worker thread) would deadlock");
  std::unique_lock lock(queue_mutex_);
  queue_changed_.wait(lock, [&] { return queue_.empty() && !committing_; });
}

store_stats memory_store::stats() const {
  std::lock_guard lock(data_mutex_);
  return stats_;
}

}  // namespace kelisim::store
