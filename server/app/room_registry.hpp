#pragma once
// All rooms of this node by id. Rooms are rebuilt at start-up by replaying their events through
// the engine. The mutex guards only the map, held just long enough to copy a pointer.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/room_host.hpp"
#include "net/io_pool.hpp"

namespace kelisim::app {

class room_registry {
 public:
  // Each room lives on one io thread, io.next_home() when it is created or loaded.
  room_registry(net::io_pool& io, store::transcript_store& store, metrics& counters);

  // Replays every stored room (one pass over the store's events); returns how many were loaded.
  std::size_t load_all();

  std::shared_ptr<room_host> find(const protocol::room_id& id) const;
  std::vector<std::shared_ptr<room_host>> all() const;

  // Creates the room record and its first event; `done` gets the host once room_created is durable,
  // or a rejection.
  void create(const protocol::cmd::create_room& details,
              std::function<void(std::shared_ptr<room_host>, std::optional<engine::rejection>)> done);

 private:
  std::shared_ptr<room_host> make_host(const store::room_record& record, engine::room_state state,
                                       const std::vector<store::command_receipt>& receipts);

  net::io_pool& io_;
  store::transcript_store& store_;
  metrics& metrics_;
  mutable std::mutex mutex_;
  std::map<protocol::room_id, std::shared_ptr<room_host>> rooms_;
};

}  // namespace kelisim::app
