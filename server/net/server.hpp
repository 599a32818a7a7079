#pragma once
// The whole transport as one object: the io threads (io_pool), TLS, the listener, the
// shared session state, and an orderly shutdown on SIGINT/SIGTERM (or stop()).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "net/application.hpp"
#include "net/io_pool.hpp"
#include "net/transport_options.hpp"

namespace kelisim::net {

class listener;
struct shared_state;

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8443;  // 0: any free port; see server::port()
  bool tls = true;
  std::filesystem::path tls_certificate;
  std::filesystem::path tls_private_key;
  std::filesystem::path web_root;
  transport_options transport;  // its `tls` is set from the field above
  unsigned threads = 0;         // 0: one per core
  // How long shutdown waits for WebSockets to finish their closing handshake.
  std::chrono::milliseconds drain_timeout{3000};
  bool handle_signals = true;
};

class server {
 public:
  // Loads TLS, checks the web root, binds the port. Throws startup_error with a one-line reason.
  explicit server(server_options options);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // For the application: its rooms and timers live on these threads.
  io_pool& io() { return io_; }
  transport_counters& counters() { return counters_; }
  std::uint16_t port() const;
  bool tls() const { return options_.tls; }

  // Serves until stop() or SIGINT/SIGTERM, on one thread per core (this one included). On the way
  // out: stop accepting, app->stopping(), close every WebSocket with 1001 "going away", wait for
  // them (at most drain_timeout), stop the io threads. Returns after every io thread has
  // returned and the server has let go of the application.
  void run(std::shared_ptr<application> app);

  // Thread-safe; a second call (or a second signal) stops at once without waiting.
  void stop();

 private:
  void do_wait_signal();
  void on_signal(boost::system::error_code ec, int signal_number);
  void begin_shutdown();
  void do_keep_alive();

  server_options options_;
  transport_counters counters_;
  io_pool io_;  // after counters_: sessions destroyed with it still count down
  // Signals, shutdown and the keep-alive sweep, on io thread 0.
  boost::asio::strand<boost::asio::io_context::executor_type> control_;
  std::optional<boost::asio::ssl::context> tls_context_;
  std::shared_ptr<shared_state> state_;
  std::shared_ptr<listener> listener_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer drain_timer_;
  boost::asio::steady_timer keep_alive_timer_;
  bool stopping_ = false;  // on control_
};

}  // namespace kelisim::net
