#pragma once
// Counts open connections (in total and per remote address) and keeps a registry of the live
// WebSocket links, so the server can refuse connections over the caps and close every
// WebSocket on shutdown.
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/transport_link.hpp"

namespace kelisim::net {

class connection_registry;

// One admitted TCP connection. Move-only; gives its place back when destroyed, so it travels
// with the socket from the listener through the HTTP session into the WebSocket session.
class connection_slot {
 public:
  connection_slot(connection_registry& registry, std::string address);
  connection_slot(connection_slot&& other) noexcept;
  connection_slot& operator=(connection_slot&&) = delete;
  connection_slot(const connection_slot&) = delete;
  connection_slot& operator=(const connection_slot&) = delete;
  ~connection_slot();

  const std::string& address() const { return address_; }

 private:
  connection_registry* registry_;
  std::string address_;
};

class connection_registry {
 public:
  connection_registry(std::size_t max_total, std::size_t max_per_address);

  // A slot, or nothing when a cap is reached.
  std::optional<connection_slot> try_admit(const std::string& address);
  std::size_t open_connections() const;

  // False when the server is already shutting down: the caller closes the link at once.
  bool add_link(const transport_link* key, std::weak_ptr<transport_link> link);
  void remove_link(const transport_link* key);
  std::size_t live_links() const;

  // The keep-alive sweep: asks every live link to check itself (see transport_link).
  void check_all_alive() const;

  // Shutdown: closes every live link with code/reason; on_drained runs once, on whichever thread
  // removes the last link (or here, when there are none).
  void close_all_links(std::uint16_t code, const std::string& reason, std::function<void()> on_drained);

 private:
  friend class connection_slot;
  void release(const std::string& address);

  const std::size_t max_total_;
  const std::size_t max_per_address_;
  mutable std::mutex mutex_;
  std::size_t total_ = 0;
  std::unordered_map<std::string, std::size_t> per_address_;
  std::vector<std::shared_ptr<transport_link>> live() const;  // callers hold the lock

  std::unordered_map<const transport_link*, std::weak_ptr<transport_link>> links_;
  bool shutting_down_ = false;
  std::function<void()> on_drained_;
};

}  // namespace kelisim::net
