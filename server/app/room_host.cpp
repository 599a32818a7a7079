#include "app/room_host.hpp"

#include <algorithm>
#include <chrono>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "app/clock.hpp"
#include "app/metrics.hpp"
#include "app/participant_connection.hpp"
#include "protocol/codec.hpp"

namespace kelisim::app {

namespace asio = boost::asio;
using protocol::error_code;

namespace {

std::shared_ptr<spdlog::logger> room_log() {
  static auto log = [] {
    auto existing = spdlog::get("room");
    return existing ? existing : spdlog::default_logger()->clone("room");
  }();
  return log;
}

bool is_roster_event(const protocol::event& e) {
  return std::holds_alternative<protocol::ev::joined_lobby>(e.body) ||
         std::holds_alternative<protocol::ev::admitted>(e.body) ||
         std::holds_alternative<protocol::ev::denied>(e.body) ||
         std::holds_alternative<protocol::ev::removed>(e.body);
}

// The participant a roster event is about.
protocol::participant_id roster_subject(const protocol::event& e) {
  return std::visit(
      [](const auto& body) -> protocol::participant_id {
        if constexpr (requires { body.participant; }) return body.participant;
        else return {};
      },
      e.body);
}

bool was_removed(const engine::room_state& state, const protocol::participant_id& id) {
  const auto view = engine::view_for(state, id);
  return std::any_of(view.participants.begin(), view.participants.end(), [&](const auto& p) {
    return p.id == id && p.state == protocol::presence_state::removed;
  });
}

}  // namespace

room_host::room_host(asio::any_io_executor io, std::size_t home, const store::room_record& record,
                     store::transcript_store& store, metrics& counters, engine::room_state state,
                     const std::vector<store::command_receipt>& receipts)
    : id_(record.id),
      created_at_(record.created_at),
      io_(std::move(io)),
      home_(home),
      store_(store),
      metrics_(counters),
      turn_timer_(io_),
      decided_(state),
      committed_(std::move(state)),
      summary_timer_(io_) {
  for (const auto& r : receipts) receipts_[{r.participant, r.command_id}] = r.ack_seq;
  refresh_summary();
}

void room_host::attach(std::shared_ptr<participant_connection> connection,
                       auth::invite_claims claims, std::optional<protocol::seq_t> resume_after) {
  asio::post(io_, [self = shared_from_this(), connection = std::move(connection),
                       claims = std::move(claims), resume_after] {
    self->do_attach(connection, claims, resume_after);
  });
}

void room_host::do_attach(const std::shared_ptr<participant_connection>& connection,
                          const auth::invite_claims& claims,
                          std::optional<protocol::seq_t> resume_after) {
  if (broken_) return connection->refuse_and_close(error_code::internal, "room unavailable");
  const auto& id = connection->participant();
  const auto known = engine::viewer_of(decided_, id);
  if (known) {
    if (was_removed(decided_, id))
      return connection->refuse_and_close(error_code::forbidden,
                                          "You are no longer part of this room.");
    // Joined before, possibly with the join still being committed: greet once it is durable.
    return when_durable(engine::last_seq(decided_),
                        [self = shared_from_this(), connection, resume_after] {
                          self->greet(connection, resume_after);
                        });
  }
  if (engine::phase(decided_) == protocol::room_phase::ended) {
    return connection->refuse_and_close(error_code::room_ended, "This mediation has ended.");
  }
  // First contact: the token holder enters (mediators admitted, everyone else the lobby).
  const protocol::command join = protocol::cmd::join{claims.name, claims.as, claims.side};
  auto decision = engine::decide(decided_, join, {protocol::actor_kind::participant, id}, now_ms());
  if (!decision.accepted()) {
    return connection->refuse_and_close(decision.refused->code, decision.refused->reason);
  }
  commit(std::move(decision.events), std::nullopt);
  when_durable(engine::last_seq(decided_), [self = shared_from_this(), connection, resume_after] {
    self->greet(connection, resume_after);
  });
}

void room_host::greet(const std::shared_ptr<participant_connection>& connection,
                      std::optional<protocol::seq_t> resume_after) {
  const auto& id = connection->participant();
  if (!engine::viewer_of(committed_, id))
    return connection->refuse_and_close(error_code::internal, "join was not recorded");

  protocol::welcome hello_back;
  hello_back.room = engine::view_for(committed_, id);
  hello_back.room.id = id_;
  for (auto& p : hello_back.room.participants) {
    const auto it = present_.find(p.id);
    p.online = (it != present_.end() && !it->second.connections.empty()) || p.id == id;
  }
  for (const auto& p : hello_back.room.participants) {
    if (p.id == id) hello_back.you = {p.id, p.name, p.as, p.side};
  }
  hello_back.seq = engine::last_seq(committed_);
  hello_back.server_time = now_ms();
  connection->deliver(std::make_shared<std::string const>(protocol::encode(hello_back)));

  if (resume_after && *resume_after < hello_back.seq) return catch_up(connection, *resume_after, hello_back.seq);
  go_live(connection);
}

void room_host::catch_up(const std::shared_ptr<participant_connection>& connection, protocol::seq_t after,
                         protocol::seq_t welcome_seq) {
  // A piece stays well inside the send queue's limits (1,024 frames, 4 MiB): a long absence
  // must not look like a slow reader. The next piece is read once this one is written out.
  constexpr std::size_t piece_events = 256;
  constexpr std::size_t piece_bytes = 1 << 20;
  if (connection->closing()) return;  // gone during the replay: its detach found nothing to undo
  if (broken_) return connection->refuse_and_close(error_code::internal, "room unavailable");
  const auto viewer = engine::viewer_of(committed_, connection->participant());
  if (!viewer) return connection->refuse_and_close(error_code::internal, "join was not recorded");

  // Missed events come from the store: committed_ never runs ahead of it. Anything committed
  // after `durable` reaches the connection live, once it has joined.
  const auto durable = engine::last_seq(committed_);
  std::vector<store::stored_event> missed;
  try {
    missed = store_.events_after(id_, after, piece_events);
  } catch (const std::exception& failure) {
    room_log()->error("room {}: cannot read events for a resume: {}", id_, failure.what());
    return connection->refuse_and_close(error_code::internal, "cannot replay the room right now");
  }
  std::size_t bytes = 0;
  for (const auto& stored : missed) {
    if (stored.seq > durable || bytes >= piece_bytes) break;
    after = stored.seq;
    auto decoded = protocol::decode_canonical_event(stored.body);
    auto* e = std::get_if<protocol::event>(&decoded);
    if (!e) {
      room_log()->error("room {}: stored event {} does not decode", id_, stored.seq);
      continue;
    }
    if (!protocol::may_see(*viewer, *e)) continue;
    // Up to the welcome's seq the events are already in its snapshot; later ones are news.
    auto frame = std::make_shared<std::string const>(
        protocol::encode(protocol::event_message{e, stored.seq <= welcome_seq}));
    bytes += frame->size();
    connection->deliver(std::move(frame));
  }
  if (after >= durable || missed.empty()) return go_live(connection);
  connection->when_delivered([self = shared_from_this(), connection, after, welcome_seq] {
    asio::post(self->io_, [self, connection, after, welcome_seq] { self->catch_up(connection, after, welcome_seq); });
  });
}

void room_host::go_live(const std::shared_ptr<participant_connection>& connection) {
  // Closed before it got here: its detach has run or is queued behind this; either way it must
  // not be left listed as present.
  if (connection->closing()) return;
  const auto& id = connection->participant();
  const auto viewer = engine::viewer_of(committed_, id);
  if (!viewer) return connection->refuse_and_close(error_code::internal, "join was not recorded");
  // Removed while catching up: the replay ended with why; the connection ends here.
  if (was_removed(committed_, id)) return connection->close(1008, "removed from the room");
  auto& presence = present_[id];
  const bool first_connection = presence.connections.empty();
  presence.viewer = *viewer;
  presence.connections.push_back(connection);
  if (first_connection) announce_presence(id, true);
  refresh_summary();
}

void room_host::detach(std::shared_ptr<participant_connection> connection) {
  asio::post(io_, [self = shared_from_this(), connection = std::move(connection)] {
    const auto it = self->present_.find(connection->participant());
    if (it == self->present_.end()) return;
    auto& list = it->second.connections;
    const auto before = list.size();
    std::erase(list, connection);
    if (before != list.size() && list.empty()) {
      self->present_.erase(it);
      self->announce_presence(connection->participant(), false);
      self->refresh_summary();
    }
  });
}

void room_host::submit(std::shared_ptr<participant_connection> connection, std::string command_id,
                       protocol::command command) {
  asio::post(io_, [self = shared_from_this(), connection = std::move(connection),
                       command_id = std::move(command_id), command = std::move(command)] {
    self->do_submit(connection, command_id, command);
  });
}

void room_host::do_submit(const std::shared_ptr<participant_connection>& connection,
                          const std::string& command_id, const protocol::command& command) {
  if (broken_) return connection->answer_error(command_id, error_code::internal, "room unavailable");
  receipt_key key{connection->participant(), command_id};
  // Exactly once: a known id gets its original ack; one still being committed waits for it.
  if (const auto known = receipts_.find(key); known != receipts_.end()) {
    const auto ack_seq = known->second;
    if (ack_seq <= engine::last_seq(committed_)) {
      connection->deliver(std::make_shared<std::string const>(protocol::encode(protocol::ack{command_id, ack_seq})));
      return;
    }
    const auto due = std::lower_bound(acks_due_.begin(), acks_due_.end(), ack_seq,
                                      [](const due_ack& d, protocol::seq_t seq) { return d.ack_seq < seq; });
    if (due == acks_due_.end() || due->ack_seq != ack_seq)
      return connection->answer_error(command_id, error_code::internal, "command state lost");
    due->waiting.push_back(connection);
    return;
  }
  auto decision = engine::decide(decided_, command,
                                 {protocol::actor_kind::participant, connection->participant()},
                                 now_ms());
  if (!decision.accepted()) {
    const auto& why = *decision.refused;
    return connection->answer_error(command_id, why.code, why.reason, why.field);
  }
  const auto ack_seq = decision.events.back().seq;
  const auto& entered = *receipts_.emplace(std::move(key), ack_seq).first;
  acks_due_.push_back({&entered.first, ack_seq, {connection}});
  commit(std::move(decision.events), store::command_receipt{entered.first.participant, entered.first.command_id, ack_seq});
}

void room_host::administer(protocol::command command, admin_done done) {
  asio::post(io_, [self = shared_from_this(), command = std::move(command),
                       done = std::move(done)]() mutable {
    if (self->broken_) return done(engine::rejection{error_code::internal, "room unavailable", {}});
    auto decision = engine::decide(self->decided_, command,
                                   {protocol::actor_kind::admin, std::string(protocol::admin_actor)},
                                   now_ms());
    if (!decision.accepted()) return done(decision.refused);
    const auto last = decision.events.back().seq;
    self->commit(std::move(decision.events), std::nullopt);
    self->when_durable(last, [done = std::move(done)] { done(std::nullopt); });
  });
}

void room_host::when_durable(protocol::seq_t seq, std::function<void()> then) {
  if (engine::last_seq(committed_) >= seq) return then();
  after_commit_.emplace(seq, std::move(then));
}

void room_host::commit(std::vector<protocol::event> events,
                       std::optional<store::command_receipt> receipt) {
  store::append_request request;
  request.room = id_;
  request.receipt = std::move(receipt);
  for (const auto& e : events) {
    engine::apply(decided_, e);
    request.events.push_back(
        {e.seq, e.ts, std::string(protocol::event_kind(e.body)), protocol::canonical_event(e)});
  }
  arm_turn_timer();
  const auto started = std::chrono::steady_clock::now();
  store_.append(std::move(request),
                [self = shared_from_this(), events = std::move(events), started](store::append_result result) mutable {
                  if (result.ok)
                    self->metrics_.commit_observed(
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
                  self->on_durable({std::move(events), std::move(result)});
                });
}

void room_host::on_durable(durable_append done) {
  bool first = false;
  {
    std::lock_guard lock(durable_mutex_);
    first = durable_.empty();
    durable_.push_back(std::move(done));
  }
  if (first) asio::post(io_, [self = shared_from_this()] { self->take_durable(); });
}

void room_host::take_durable() {
  std::vector<durable_append> arrived;
  {
    std::lock_guard lock(durable_mutex_);
    arrived.swap(durable_);
  }
  for (auto& done : arrived) unsent_.push_back(std::move(done));
  if (!fan_out_posted_) fan_out_durable();
}

void room_host::fan_out_durable() {
  // 64 events to every connection stay far inside a send queue (1,024 frames).
  constexpr std::size_t slice_events = 64;
  fan_out_posted_ = false;
  std::size_t applied = 0;
  bool only_messages = true;
  while (!unsent_.empty() && applied < slice_events && !broken_) {
    auto& front = unsent_.front();
    if (!front.result.ok) {
      unsent_.clear();
      return break_room(front.result.error);
    }
    for (; unsent_done_ < front.events.size() && applied < slice_events; ++unsent_done_, ++applied) {
      const auto& e = front.events[unsent_done_];
      engine::apply(committed_, e);
      if (is_roster_event(e)) after_roster_change(e);
      fan_out(e);
      if (std::holds_alternative<protocol::ev::removed>(e.body) ||
          std::holds_alternative<protocol::ev::denied>(e.body)) {
        // The removed participant has now seen why; their connections end here.
        const auto it = present_.find(roster_subject(e));
        if (it != present_.end()) {
          for (const auto& c : it->second.connections) c->close(1008, "removed from the room");
        }
      }
      only_messages = only_messages && std::holds_alternative<protocol::ev::message>(e.body);
    }
    if (unsent_done_ == front.events.size()) {
      unsent_.pop_front();
      unsent_done_ = 0;
    }
  }
  if (broken_) return unsent_.clear();
  if (applied > 0) {
    if (only_messages) refresh_summary_soon();
    else refresh_summary();
  }
  // Acks and greetings waiting for these events run only now that they are durable.
  const auto durable = engine::last_seq(committed_);
  send_due_acks(durable);
  while (!after_commit_.empty() && after_commit_.begin()->first <= durable) {
    auto then = std::move(after_commit_.begin()->second);
    after_commit_.erase(after_commit_.begin());
    then();
  }
  if (unsent_.empty()) return;
  // Posted from this thread, the rest runs after the writes the slice has just asked for.
  fan_out_posted_ = true;
  asio::post(io_, [self = shared_from_this()] { self->fan_out_durable(); });
}

void room_host::send_due_acks(protocol::seq_t durable) {
  for (; !acks_due_.empty() && acks_due_.front().ack_seq <= durable; acks_due_.pop_front()) {
    const auto& due = acks_due_.front();
    const auto frame = std::make_shared<std::string const>(protocol::encode(protocol::ack{due.key->command_id, due.ack_seq}));
    for (const auto& weak : due.waiting)
      if (auto c = weak.lock()) c->deliver(frame);
  }
}

void room_host::after_roster_change(const protocol::event& e) {
  const auto subject = roster_subject(e);
  const auto it = present_.find(subject);
  if (it == present_.end()) return;
  if (auto viewer = engine::viewer_of(committed_, subject)) it->second.viewer = *viewer;
}

void room_host::fan_out(const protocol::event& e) {
  // Serialise once per event; every recipient shares the same buffer.
  std::shared_ptr<std::string const> frame;
  std::uint64_t delivered = 0;
  for (const auto& [id, presence] : present_) {
    if (!protocol::may_see(presence.viewer, e)) continue;
    if (!frame)
      frame = std::make_shared<std::string const>(protocol::encode(protocol::event_message{&e, false}));
    for (const auto& c : presence.connections) {
      c->deliver(frame);
      ++delivered;
    }
  }
  metrics_.deliveries(delivered);
}

void room_host::announce_presence(const protocol::participant_id& id, bool online) {
  const auto frame = std::make_shared<std::string const>(
      protocol::encode(protocol::presence{id, online}));
  for (const auto& [other, presence] : present_) {
    const bool sees = presence.viewer.as == protocol::role::mediator || presence.viewer.admitted;
    if (!sees || other == id) continue;
    for (const auto& c : presence.connections) c->deliver(frame);
  }
}

void room_host::arm_turn_timer() {
  const auto deadline = engine::next_deadline(decided_);
  if (deadline == armed_deadline_) return;
  armed_deadline_ = deadline;
  turn_timer_.cancel();
  if (!deadline) return;
  const auto wait = std::chrono::milliseconds(std::max<protocol::time_ms>(0, *deadline - now_ms()));
  turn_timer_.expires_after(wait);
  turn_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: a newer deadline replaced this one
    if (auto self = weak.lock()) self->on_turn_timer();
  });
}

void room_host::on_turn_timer() {
  armed_deadline_.reset();
  if (broken_) return;
  auto decision = engine::decide(decided_, protocol::cmd::tick{},
                                 {protocol::actor_kind::system, std::string(protocol::system_actor)},
                                 now_ms());
  if (decision.accepted() && !decision.events.empty()) {
    commit(std::move(decision.events), std::nullopt);
  } else {
    arm_turn_timer();
  }
}

void room_host::break_room(const std::string& why) {
  // The store refused our events: state ran ahead of the transcript. Stop serving this room
  // rather than show anything that is not durable; a restart replays it from the store.
  room_log()->error("room {}: append failed, room stopped: {}", id_, why);
  broken_ = true;
  turn_timer_.cancel();
  for (const auto& due : acks_due_)
    for (const auto& weak : due.waiting)
      if (auto c = weak.lock()) c->answer_error(due.key->command_id, error_code::internal, "not recorded");
  acks_due_.clear();
  after_commit_.clear();
  close_all(1011, "room unavailable");
}

void room_host::close_all(std::uint16_t code, std::string reason) {
  asio::dispatch(io_, [self = shared_from_this(), code, reason = std::move(reason)] {
    for (const auto& [id, presence] : self->present_)
      for (const auto& c : presence.connections) c->close(code, reason);
  });
}

void room_host::release_after_stop() {
  present_.clear();
  unsent_.clear();
  after_commit_.clear();
  acks_due_.clear();
}

void room_host::refresh_summary_soon() {
  constexpr auto summary_delay = std::chrono::milliseconds(200);
  if (summary_refresh_pending_) return;
  summary_refresh_pending_ = true;
  summary_timer_.expires_after(summary_delay);
  summary_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) {
      self->summary_refresh_pending_ = false;
      self->refresh_summary();
    }
  });
}

room_summary room_host::summary() const {
  std::lock_guard lock(summary_mutex_);
  return summary_;
}

void room_host::refresh_summary() {
  room_summary fresh;
  fresh.id = id_;
  fresh.created_at = created_at_;
  fresh.last_seq = engine::last_seq(committed_);
  // The administrator sees the room as a mediator would (no confidential text is in a snapshot).
  fresh.snapshot = engine::overview(committed_);
  fresh.snapshot.id = id_;
  for (auto& p : fresh.snapshot.participants) {
    const auto it = present_.find(p.id);
    p.online = it != present_.end() && !it->second.connections.empty();
  }
  std::lock_guard lock(summary_mutex_);
  summary_ = std::move(fresh);
}

}  // namespace kelisim::app
