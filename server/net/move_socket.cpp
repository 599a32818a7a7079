#include "net/move_socket.hpp"

#include <unistd.h>

#include "net/log.hpp"

namespace kelisim::net {

bool move_socket(tcp::socket& socket, const asio::any_io_executor& home) {
  beast::error_code ec;
  const auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) return false;
  const auto descriptor = socket.release(ec);
  if (ec) return false;
  socket = tcp::socket(home);
  socket.assign(protocol, descriptor, ec);
  if (ec) {
    // The descriptor is ours alone now; the next operation fails on the closed socket.
    log().warn("cannot move a connection between io threads: {}", ec.message());
    ::close(descriptor);
  }
  return true;
}

}  // namespace kelisim::net
