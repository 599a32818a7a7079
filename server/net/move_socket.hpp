#pragma once
// A connection moving to another io thread: its descriptor is re-registered with that thread's
// context (docs/DECISIONS.md, "One io thread per core").
#include <boost/asio/any_io_executor.hpp>

#include "net/beast.hpp"

namespace kelisim::net {

// Moves socket's descriptor to a socket on home's context; no operation may be pending on it.
// False if it stays; if the new registration fails, the descriptor is closed and the next
// operation fails.
bool move_socket(tcp::socket& socket, const asio::any_io_executor& home);

}  // namespace kelisim::net
