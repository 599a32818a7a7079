#include "app/room_registry.hpp"

#include <stdexcept>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "app/clock.hpp"
#include "app/metrics.hpp"
#include "protocol/codec.hpp"

namespace kelisim::app {

room_registry::room_registry(net::io_pool& io, store::transcript_store& store, metrics& counters)
    : io_(io), store_(store), metrics_(counters) {}

std::size_t room_registry::load_all() {
  // Every room is rebuilt from one pass over the stored events (rooms interleave in it).
  struct rebuilt {
    engine::room_state state;
    std::vector<store::command_receipt> receipts;
    bool broken = false;
  };
  std::unordered_map<protocol::room_id, rebuilt> rooms;
  store_.scan_events([&](const store::stored_event& stored, const std::optional<store::command_receipt>& receipt) {
    auto& room = rooms[stored.room];
    if (room.broken) return;
    auto decoded = protocol::decode_canonical_event(stored.body);
    auto* e = std::get_if<protocol::event>(&decoded);
    if (!e) {
      // Refuse to serve a room we cannot rebuild exactly; its transcript stays exportable.
      spdlog::error("room {}: event {} does not decode; room not loaded", stored.room, stored.seq);
      room.broken = true;
      return;
    }
    engine::apply(room.state, *e);
    if (receipt) room.receipts.push_back(*receipt);
  });

  std::size_t loaded = 0;
  for (const auto& record : store_.rooms()) {
    auto& room = rooms[record.id];  // a room without events yet starts from nothing
    if (room.broken) continue;
    auto host = make_host(record, std::move(room.state), room.receipts);
    room = {};  // its state now lives in the host
    std::lock_guard lock(mutex_);
    rooms_[record.id] = std::move(host);
    ++loaded;
  }
  metrics_.set_rooms(static_cast<std::int64_t>(loaded));
  return loaded;
}

std::shared_ptr<room_host> room_registry::make_host(const store::room_record& record, engine::room_state state,
                                                    const std::vector<store::command_receipt>& receipts) {
  const auto home = io_.next_home();
  return std::make_shared<room_host>(io_.executor(home), home, record, store_, metrics_, std::move(state), receipts);
}

std::shared_ptr<room_host> room_registry::find(const protocol::room_id& id) const {
  std::lock_guard lock(mutex_);
  const auto it = rooms_.find(id);
  return it == rooms_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<room_host>> room_registry::all() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<room_host>> hosts;
  hosts.reserve(rooms_.size());
  for (const auto& [id, host] : rooms_) hosts.push_back(host);
  return hosts;
}

void room_registry::create(
    const protocol::cmd::create_room& details,
    std::function<void(std::shared_ptr<room_host>, std::optional<engine::rejection>)> done) {
  store::room_record record{random_id("r_"), now_ms(), details.title, details.language};
  if (!store_.create_room(record)) {
    return done(nullptr, engine::rejection{protocol::error_code::conflict, "room id taken", {}});
  }
  auto host = make_host(record, engine::room_state{}, {});
  {
    std::lock_guard lock(mutex_);
    rooms_[record.id] = host;
    metrics_.set_rooms(static_cast<std::int64_t>(rooms_.size()));
  }
  host->administer(details, [host, done = std::move(done)](std::optional<engine::rejection> refused) {
    done(refused ? nullptr : host, std::move(refused));
  });
}

}  // namespace kelisim::app
