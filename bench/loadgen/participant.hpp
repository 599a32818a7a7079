#pragma once
// One WebSocket connection of the load generator, plain or TLS. It connects, upgrades, and then
// hands every received frame to its room; the room decides what to send. All of a room's
// participants share the room's strand, so the room needs no locks.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace kelisim::bench {

class bench_room;

struct endpoint_settings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string target = "/ws";     // HTTP target of the upgrade
  std::string source_address;     // empty: let the kernel choose
};

class participant {
public:
  virtual ~participant() = default;
  // Connect, (TLS handshake), WebSocket upgrade; then bench_room::on_open.
  virtual void start() = 0;
  // Queue a text frame. Buffers are recycled, so a steady sender allocates nothing per frame.
  virtual void send(std::string_view frame) = 0;
  // Close politely (1000); completion is not reported.
  virtual void close() = 0;
  virtual std::size_t queued() const = 0;
};

// tls_context is null for plain WebSocket.
std::shared_ptr<participant> make_participant(boost::asio::any_io_executor strand, boost::asio::ssl::context* tls_context,
                                              endpoint_settings where, bench_room& room, std::size_t index);

}  // namespace kelisim::bench
