#pragma once
// The server's half of the WebSocket opening handshake (RFC 6455 4.2): checks an upgrade request
// the HTTP session has read and writes the 101 answer. Frames after it are websocket_session's.
#include <string>
#include <string_view>

#include "net/beast.hpp"

namespace kelisim::net {

struct upgrade_refusal {
  http::status status = http::status::ok;  // ok: the request is a valid upgrade
  std::string why;
};

// Checks what websocket::is_upgrade leaves out: a well-formed Sec-WebSocket-Key and version 13.
upgrade_refusal check_upgrade(const http::request<http::string_body>& request);

// The whole 101 Switching Protocols response for a request that passed check_upgrade.
std::string upgrade_response(std::string_view client_key);

}  // namespace kelisim::net
