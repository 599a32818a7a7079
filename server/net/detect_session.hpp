#pragma once
// The first bytes of a connection on the TLS port: a TLS ClientHello goes on to an HTTPS
// session; anything else (plain HTTP sent to the TLS port) is closed without an answer.
#include <memory>

#include "net/beast.hpp"
#include "net/connection_registry.hpp"
#include "net/shared_state.hpp"

namespace kelisim::net {

class detect_session : public std::enable_shared_from_this<detect_session> {
 public:
  detect_session(tcp::socket&& socket, ssl::context& context, std::shared_ptr<shared_state> state,
                 connection_slot slot);
  void run();

 private:
  void on_run();
  void on_detect(beast::error_code ec, bool is_tls);

  beast::tcp_stream stream_;
  ssl::context& context_;
  std::shared_ptr<shared_state> state_;
  connection_slot slot_;
  beast::flat_buffer buffer_;
};

}  // namespace kelisim::net
