#pragma once
// One HTTP/1.1 connection: keep-alive, deadlines, header and body limits, routing to the
// static web root, the application (/api/, /healthz, /metrics) or a WebSocket upgrade (/ws).
// Plain and TLS flavours share this code through CRTP, as in Beast's advanced_server_flex.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "net/beast.hpp"
#include "net/connection_registry.hpp"
#include "net/shared_state.hpp"
#include "net/tls_stream.hpp"

namespace kelisim::net {

template <class Derived>
class http_session {
 public:
  ~http_session();

 protected:
  http_session(std::shared_ptr<shared_state> state, connection_slot slot);

  // Waits for the next request: idle (keep-alive) deadline until its first byte, then the
  // header deadline.
  void do_read();
  // Reads one request under the header deadline (the first request of a connection starts here).
  void do_read_header();

  std::shared_ptr<shared_state> state_;
  std::optional<connection_slot> slot_;  // moves on to the WebSocket session at an upgrade
  beast::flat_buffer buffer_;

 private:
  Derived& derived() { return static_cast<Derived&>(*this); }

  void on_idle_read(beast::error_code ec, std::size_t bytes);
  void on_read_header(beast::error_code ec, std::size_t bytes);
  void on_read_body(beast::error_code ec, std::size_t bytes);
  void on_read_failed(beast::error_code ec);
  void on_request();
  void do_upgrade(http::request<http::string_body> request);
  void do_application(http::request<http::string_body> request);
  void on_application_response(http::response<http::string_body> response);
  template <class Body>
  void do_write(http::response<Body> response);
  void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);

  bool origin_allowed(const http::request<http::string_body>& request) const;

  std::optional<http::request_parser<http::string_body>> parser_;
  bool awaiting_application_ = false;
  unsigned request_version_ = 11;
  bool request_keep_alive_ = false;
};

class plain_http_session : public http_session<plain_http_session>,
                           public std::enable_shared_from_this<plain_http_session> {
 public:
  static constexpr bool tls = false;

  plain_http_session(beast::tcp_stream&& stream, std::shared_ptr<shared_state> state, connection_slot slot);
  void run();

  beast::tcp_stream& stream() { return stream_; }
  beast::tcp_stream release_stream() { return std::move(stream_); }
  void do_eof();

 private:
  beast::tcp_stream stream_;
};

class ssl_http_session : public http_session<ssl_http_session>,
                         public std::enable_shared_from_this<ssl_http_session> {
 public:
  static constexpr bool tls = true;

  // early_bytes: the start of the ClientHello, read by TLS detection.
  ssl_http_session(tcp::socket&& socket, ssl::context& context, std::shared_ptr<shared_state> state,
                   connection_slot slot, std::string_view early_bytes);
  void run();

  tls_stream& stream() { return stream_; }
  tls_stream release_stream() { return std::move(stream_); }
  void do_eof();

 private:
  void on_handshake(beast::error_code ec);
  void on_shutdown(beast::error_code ec);

  tls_stream stream_;
};

extern template class http_session<plain_http_session>;
extern template class http_session<ssl_http_session>;

}  // namespace kelisim::net
