#pragma once
// Small Beast clients for the transport tests: HTTPS (or plain HTTP) requests, raw bytes, and a
// WebSocket client that reports the server's close code. Every operation runs on a private
// io_context with a deadline, so a misbehaving server fails a test instead of hanging it.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

namespace kelisim::net_test {

using namespace std::chrono_literals;

struct reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string header(const std::string& lower_name) const;
};

struct request_options {
  request_options(std::string target_in = "/", boost::beast::http::verb method_in = boost::beast::http::verb::get,
                  std::vector<std::pair<std::string, std::string>> headers_in = {}, std::string body_in = {})
      : target(std::move(target_in)), method(method_in), headers(std::move(headers_in)), body(std::move(body_in)) {}

  std::string target;
  boost::beast::http::verb method;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool tls = true;
};

// One request on a fresh connection. Throws std::runtime_error on transport failure or timeout.
reply fetch(std::uint16_t port, request_options options);
inline reply fetch(std::uint16_t port, std::string target) { return fetch(port, request_options{std::move(target)}); }

// Connects over plain TCP, sends `bytes`, reads until the server closes (or `timeout`).
// Returns what came back; `closed` says whether the server closed within the deadline.
struct raw_result {
  std::string received;
  bool closed = false;
};
raw_result exchange_raw(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout = 5s);

// A WebSocket client over TLS (or plain).
class ws_client {
 public:
  explicit ws_client(bool tls = true);
  ~ws_client();

  // The upgrade's HTTP status (101 on success); the client is usable only after a 101.
  int connect(std::uint16_t port, std::optional<std::string> origin = std::nullopt);
  void write(const std::string& payload, bool text = true, std::chrono::milliseconds timeout = 5s);

  // The next message, or nothing when the connection ended (then close_code()/close_reason()).
  std::optional<std::string> read(std::chrono::milliseconds timeout = 5s);
  // Reads and discards messages until the server closes. False if it did not within timeout.
  bool await_close(std::chrono::milliseconds timeout = 5s);
  int close_code() const { return close_code_; }
  std::string close_reason() const { return close_reason_; }
  // Stops reading at the TCP level, so the server's send queue fills.
  boost::beast::tcp_stream& tcp();

 private:
  template <class Start>
  boost::beast::error_code run(Start start, std::chrono::milliseconds timeout);

  boost::asio::io_context io_;
  boost::asio::ssl::context tls_context_;
  bool tls_;
  std::optional<boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>> wss_;
  std::optional<boost::beast::websocket::stream<boost::beast::tcp_stream>> ws_;
  boost::beast::flat_buffer buffer_;
  int close_code_ = 0;
  std::string close_reason_;
};

// Polls `condition` until it holds or `timeout` passes; for state reached on server threads.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

}  // namespace kelisim::net_test
