#pragma once
// One live room: its engine state, its connections, its turn timer, all on one io thread.
// A command goes decide -> store append (group commit) -> on commit: apply, fan out, ack,
// so nobody, the sender included, sees an event before it is durable.
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "auth/invite_token.hpp"
#include "engine/room.hpp"
#include "protocol/messages.hpp"
#include "store/transcript_store.hpp"

namespace kelisim::app {

class metrics;
class participant_connection;

// What the administrator's list shows about a room; copied out under a mutex.
struct room_summary {
  protocol::room_id id;
  protocol::time_ms created_at = 0;
  protocol::room_snapshot snapshot;  // as a mediator would see it, with presence
  protocol::seq_t last_seq = 0;
};

class room_host : public std::enable_shared_from_this<room_host> {
 public:
  using admin_done = std::function<void(std::optional<engine::rejection>)>;

  // `io` runs on io thread `home` alone; every member is used only there.
  room_host(boost::asio::any_io_executor io, std::size_t home, const store::room_record& record, store::transcript_store& store,
            metrics& counters, engine::room_state state,
            const std::vector<store::command_receipt>& receipts);

  const protocol::room_id& id() const noexcept { return id_; }
  // The io thread the room lives on: its connections move there after hello.
  std::size_t home() const noexcept { return home_; }

  // A verified token holder says hello: joins them on first contact, then sends welcome, the
  // missed events after `resume_after`, and from then on the live stream.
  void attach(std::shared_ptr<participant_connection> connection, auth::invite_claims claims,
              std::optional<protocol::seq_t> resume_after);
  void detach(std::shared_ptr<participant_connection> connection);
  void submit(std::shared_ptr<participant_connection> connection, std::string command_id,
              protocol::command command);
  // Administrator actions (create_room, close_room, revoke_participant); `done` runs after commit.
  void administer(protocol::command command, admin_done done);
  // Closes every connection of the room with `code` (shutdown: 1001).
  void close_all(std::uint16_t code, std::string reason);

  room_summary summary() const;

  // After the io threads have stopped: drop every connection and pending continuation, which hold
  // the host (and it them), so nothing outlives the application.
  void release_after_stop();

 private:
  struct participant_presence {
    std::vector<std::shared_ptr<participant_connection>> connections;
    protocol::viewer viewer;
  };
  // A command is known by who sent it and the id they gave it (ids are unique per participant).
  struct receipt_key {
    protocol::participant_id participant;
    std::string command_id;
    bool operator==(const receipt_key&) const = default;
  };
  // Deliberately not noexcept: libstdc++ then keeps each key's hash in its node, so a lookup
  // compares hashes before strings and a rehash of a busy room's receipts re-hashes nothing.
  struct receipt_key_hash {
    std::size_t operator()(const receipt_key& k) const {
      const std::hash<std::string_view> h;
      return h(k.participant) * 31 + h(k.command_id);
    }
  };

  void do_attach(const std::shared_ptr<participant_connection>& connection,
                 const auth::invite_claims& claims, std::optional<protocol::seq_t> resume_after);
  void greet(const std::shared_ptr<participant_connection>& connection,
             std::optional<protocol::seq_t> resume_after);
  // Sends a resuming connection the events it may see after `after`, a piece at a time, then
  // lets it join the live stream (go_live). Events up to `welcome_seq` are marked as replayed.
  void catch_up(const std::shared_ptr<participant_connection>& connection, protocol::seq_t after,
                protocol::seq_t welcome_seq);
  void go_live(const std::shared_ptr<participant_connection>& connection);
  void do_submit(const std::shared_ptr<participant_connection>& connection,
                 const std::string& command_id, const protocol::command& command);
  // Applies decided events to decided_ and hands them to the store; on commit they are applied
  // to committed_ and fanned out (on_durable, take_durable, fan_out_durable).
  void commit(std::vector<protocol::event> events, std::optional<store::command_receipt> receipt);
  // On the store's writer thread: queues a finished append for the room's thread.
  struct durable_append {
    std::vector<protocol::event> events;
    store::append_result result;
  };
  void on_durable(durable_append done);
  void take_durable();
  void fan_out_durable();
  // Runs `then` on the room's thread once every event up to `seq` is durable and fanned out.
  void when_durable(protocol::seq_t seq, std::function<void()> then);
  void fan_out(const protocol::event& e);
  // Sends every ack whose command is now durable, in seq order.
  void send_due_acks(protocol::seq_t durable);
  void after_roster_change(const protocol::event& e);
  void announce_presence(const protocol::participant_id& id, bool online);
  void arm_turn_timer();
  void on_turn_timer();
  void break_room(const std::string& why);
  void refresh_summary();
  // For batches of messages only: the talk-time figures in the administrator's list may lag by up
  // to summary_delay, instead of rebuilding the whole overview after every `say`.
  void refresh_summary_soon();

  protocol::room_id id_;
  protocol::time_ms created_at_;
  boost::asio::any_io_executor io_;
  std::size_t home_;
  store::transcript_store& store_;
  metrics& metrics_;
  boost::asio::steady_timer turn_timer_;
  std::optional<protocol::time_ms> armed_deadline_;

  // decided_ runs ahead of committed_ by the events handed to the store but not yet durable.
  engine::room_state decided_;
  engine::room_state committed_;
  // Every accepted command and the seq its ack carries, entered when it is decided: durable
  // once that seq is (ack_seq <= last_seq(committed_)). A hash map: tree lookups compared the
  // (shared) participant prefix of the key over and over.
  std::unordered_map<receipt_key, protocol::seq_t, receipt_key_hash> receipts_;
  // Acks not yet sent, in seq order (commands are decided, and become durable, in that order):
  // who waits for each, the command's sender and any retry that came while it was in flight.
  struct due_ack {
    const receipt_key* key;  // in receipts_ (whose elements never move)
    protocol::seq_t ack_seq;
    std::vector<std::weak_ptr<participant_connection>> waiting;
  };
  std::deque<due_ack> acks_due_;
  std::map<protocol::participant_id, participant_presence> present_;
  std::multimap<protocol::seq_t, std::function<void()>> after_commit_;

  // Appends the writer has finished, waiting for the room's thread: one post per writer batch,
  // not one per command. Guarded by durable_mutex_.
  std::mutex durable_mutex_;
  std::vector<durable_append> durable_;
  // On the room's thread: finished appends not yet applied to committed_ and fanned out, and how
  // many events of the first one are. A long run is fanned out in slices, each followed by the
  // connections' writes: all of it at once would fill every send queue (a room's connections
  // share its thread) and close them as slow readers.
  std::deque<durable_append> unsent_;
  std::size_t unsent_done_ = 0;
  bool fan_out_posted_ = false;
  bool broken_ = false;

  boost::asio::steady_timer summary_timer_;
  bool summary_refresh_pending_ = false;

  mutable std::mutex summary_mutex_;
  room_summary summary_;
};

}  // namespace kelisim::app
