#pragma once
// Every limit the transport enforces, in one place. Defaults are for a public server.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kelisim::net {

struct transport_options {
  bool tls = true;

  std::size_t max_connections = 10000;
  std::size_t max_connections_per_address = 64;

  // HTTP: a new connection must deliver its request header within header_timeout; a kept-alive
  // connection may sit idle for idle_timeout before the next request starts.
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::uint32_t header_limit = 8 * 1024;
  std::uint64_t body_limit = 1024 * 1024;

  // WebSocket.
  std::size_t message_max = 64 * 1024;
  std::size_t send_queue_frames = 1024;
  std::size_t send_queue_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds hello_timeout{5'000};
  // A WebSocket silent this long is dropped; at half of it the server sends a ping, which every
  // browser answers by itself.
  std::chrono::milliseconds websocket_idle_timeout{300'000};
  // After a close starts, the socket is torn down anyway once this passes.
  std::chrono::milliseconds close_timeout{5'000};

  // Origins allowed to open /ws besides the request's own origin (scheme://Host).
  std::vector<std::string> allowed_origins;
};

}  // namespace kelisim::net
