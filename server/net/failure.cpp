#include "net/failure.hpp"

#include "net/beast.hpp"
#include "net/log.hpp"

namespace kelisim::net {

void fail(beast::error_code ec, std::string_view what) {
  // We cancelled it ourselves: a deadline we no longer need, a stopped acceptor, shutdown.
  if (ec == asio::error::operation_aborted) return;
  // The peer finished the WebSocket closing handshake: a normal end, not a failure.
  if (ec == websocket::error::closed) return;
  // The peer closed TLS without close_notify. HTTP and WebSocket delimit their own messages
  // (a cut-off message is reported as http::error::partial_message instead), so this is harmless.
  if (ec == ssl::error::stream_truncated) return;
  // Ordinary ends of a client connection.
  if (ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::broken_pipe)
    return;
  log().debug("{}: {}", what, ec.message());
}

}  // namespace kelisim::net
