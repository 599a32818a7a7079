#pragma once
// One WebSocket connection after the upgrade: text frames only, bounded send queue with one
// write in flight, a deadline for the application to accept the client's hello, and a close
// that flushes what is queued. Plain and TLS flavours share this code through CRTP.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "net/application.hpp"
#include "net/beast.hpp"
#include "net/connection_registry.hpp"
#include "net/send_queue.hpp"
#include "net/shared_state.hpp"

namespace kelisim::net {

template <class Derived>
class websocket_session : public client_link {
 public:
  // Accepts the upgrade request the HTTP session already read.
  void run(http::request<http::string_body> request);

  void send(std::shared_ptr<std::string const> frame) override;
  void close(std::uint16_t code, std::string reason) override;
  void authenticated() override;
  const std::string& remote_address() const override { return remote_address_; }

 protected:
  websocket_session(const asio::any_io_executor& strand, std::shared_ptr<shared_state> state, connection_slot slot);

 private:
  Derived& derived() { return static_cast<Derived&>(*this); }

  void on_accept(beast::error_code ec);
  void do_read();
  void on_read_start(beast::error_code ec, std::size_t bytes);
  void on_read(beast::error_code ec, std::size_t bytes);
  void enqueue(std::shared_ptr<std::string const> frame);
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void request_close(std::uint16_t code, std::string reason);
  void do_close();
  void on_close(beast::error_code ec);
  void on_hello_deadline(beast::error_code ec);
  void on_close_deadline(beast::error_code ec);
  void finish();

  // What a waiting connection's read buffer holds: room for most commands in one read.
  static constexpr std::size_t idle_read_bytes = 512;

  std::shared_ptr<shared_state> state_;
  connection_slot slot_;
  const std::string remote_address_;
  beast::flat_buffer buffer_;
  asio::steady_timer hello_timer_;
  asio::steady_timer close_timer_;
  std::shared_ptr<link_handler> handler_;

  send_queue queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;

  bool open_ = false;            // handshake done, counted and registered
  bool authenticated_ = false;
  bool close_requested_ = false; // no more frames are queued after this
  bool close_sent_ = false;
  bool finished_ = false;
  websocket::close_reason close_reason_;
};

class plain_websocket_session : public websocket_session<plain_websocket_session>,
                                public std::enable_shared_from_this<plain_websocket_session> {
 public:
  plain_websocket_session(beast::tcp_stream&& stream, std::shared_ptr<shared_state> state, connection_slot slot);
  websocket::stream<beast::tcp_stream>& ws() { return ws_; }

 private:
  websocket::stream<beast::tcp_stream> ws_;
};

class ssl_websocket_session : public websocket_session<ssl_websocket_session>,
                              public std::enable_shared_from_this<ssl_websocket_session> {
 public:
  ssl_websocket_session(beast::ssl_stream<beast::tcp_stream>&& stream, std::shared_ptr<shared_state> state,
                        connection_slot slot);
  websocket::stream<beast::ssl_stream<beast::tcp_stream>>& ws() { return ws_; }

 private:
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
};

void make_websocket_session(beast::tcp_stream stream, http::request<http::string_body> request,
                            std::shared_ptr<shared_state> state, connection_slot slot);
void make_websocket_session(beast::ssl_stream<beast::tcp_stream> stream, http::request<http::string_body> request,
                            std::shared_ptr<shared_state> state, connection_slot slot);

extern template class websocket_session<plain_websocket_session>;
extern template class websocket_session<ssl_websocket_session>;

}  // namespace kelisim::net
