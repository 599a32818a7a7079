#pragma once
// The seam between the transport (net) and the application (app). The transport owns sockets,
// TLS, HTTP parsing, static files, WebSocket framing and limits; the application sees only these.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/beast/http.hpp>

namespace kelisim::net {

namespace http = boost::beast::http;

// What the application may do with one WebSocket connection. Thread-safe: every call is posted
// to the connection's io thread.
class client_link {
 public:
  virtual ~client_link() = default;
  // Queues a text frame. The queue is bounded; a reader that falls too far behind is closed with
  // 1008 ("too slow") and may resume later.
  virtual void send(std::shared_ptr<std::string const> frame) = 0;
  // Sends what is queued, then closes with this code and reason.
  virtual void close(std::uint16_t code, std::string reason) = 0;
  // The hello was accepted: cancels the unauthenticated-socket deadline. The connection moves to
  // io thread `home` (its room's; see io_pool) when it can, so that the room's frames reach it
  // without crossing threads.
  virtual void authenticated(std::size_t home) = 0;
  // Runs `then` on the connection's io thread once everything sent before this call has been
  // written to the socket; never, if the connection ends first. For sending a lot (a resume's
  // missed events) in pieces without tripping the send queue's slow-reader limit.
  virtual void when_sent(std::function<void()> then) = 0;
  virtual const std::string& remote_address() const = 0;
};

// The application's side of one connection. Called on the connection's io thread, one call at a time.
class link_handler {
 public:
  virtual ~link_handler() = default;
  virtual void on_text(std::string text) = 0;  // one complete, valid UTF-8 text message
  virtual void on_closed() = 0;                // exactly once, when the socket is gone
};

struct request_info {
  std::string remote_address;
  bool tls = false;
};

using respond_fn = std::function<void(http::response<http::string_body>)>;

class application {
 public:
  virtual ~application() = default;
  // Requests outside the static web root: /api/..., /healthz, /metrics. `respond` may be called
  // later and from any thread, exactly once.
  virtual void handle_http(http::request<http::string_body> request, request_info info,
                           respond_fn respond) = 0;
  // A WebSocket upgrade to /ws passed the transport's checks (origin, caps).
  virtual std::shared_ptr<link_handler> open_link(std::shared_ptr<client_link> link) = 0;
  // Called once when the server starts to stop (SIGINT/SIGTERM), before sockets close.
  virtual void stopping() = 0;
};

// Transport counters, read by the application for /metrics.
struct transport_counters {
  std::atomic<std::int64_t> http_connections{0};       // open now
  std::atomic<std::int64_t> websocket_connections{0};  // open now
  std::atomic<std::uint64_t> connections_refused{0};   // caps, origin, TLS failures
  std::atomic<std::uint64_t> send_queue_drops{0};      // slow readers closed
  std::atomic<std::uint64_t> websockets_moved{0};      // to their room's io thread after hello
  std::atomic<std::uint64_t> http_requests{0};
};

}  // namespace kelisim::net
