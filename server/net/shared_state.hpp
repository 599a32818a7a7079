#pragma once
// What every session of one server shares: limits, counters, the web root, the connection
// registry and the application. Owned by the server, held by each session through a shared_ptr.
#include <memory>

#include "net/application.hpp"
#include "net/connection_registry.hpp"
#include "net/io_pool.hpp"
#include "net/static_files.hpp"
#include "net/transport_options.hpp"

namespace kelisim::net {

struct shared_state {
  shared_state(transport_options options_in, transport_counters& counters_in, const std::filesystem::path& web_root,
               io_pool& io_in)
      : options(std::move(options_in)),
        counters(counters_in),
        files(web_root),
        registry(options.max_connections, options.max_connections_per_address),
        io(io_in) {}

  const transport_options options;
  transport_counters& counters;
  const static_files files;
  connection_registry registry;
  io_pool& io;
  // Set by server::run before the first accept and cleared after the last io thread returns, so
  // sessions (which only run on io threads) never see it change.
  std::shared_ptr<application> app;
};

}  // namespace kelisim::net
