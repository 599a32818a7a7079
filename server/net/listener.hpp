#pragma once
// Accepts TCP connections, applies the connection caps and TCP_NODELAY, and hands each socket
// to TLS detection (or straight to a plain HTTP session with --plain).
#include <cstdint>
#include <memory>

#include "net/beast.hpp"
#include "net/io_pool.hpp"
#include "net/shared_state.hpp"

namespace kelisim::net {

class listener : public std::enable_shared_from_this<listener> {
 public:
  // Binds and listens at once, so a taken port is reported before anything starts; throws
  // startup_error. tls_context is null for plain HTTP.
  // Accepts on io thread 0; each connection starts on the io threads in turn.
  listener(io_pool& io, ssl::context* tls_context, const tcp::endpoint& endpoint,
           std::shared_ptr<shared_state> state);

  void run();
  // Stops accepting; connections already open carry on. Thread-safe.
  void stop();
  // The bound port (useful when asked for port 0).
  std::uint16_t port() const { return port_; }

 private:
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void on_backoff(beast::error_code ec);

  io_pool& io_;
  ssl::context* tls_context_;
  tcp::acceptor acceptor_;
  asio::steady_timer backoff_;
  std::shared_ptr<shared_state> state_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
};

}  // namespace kelisim::net
