#pragma once
// The seam where main builds the application the transport serves. basic_application.cpp
// provides a minimal one; the real application replaces that file and keeps this signature.
#include <memory>
#include <string>

#include "app/config.hpp"
#include "net/application.hpp"
#include "net/io_pool.hpp"

namespace kelisim::app {

// settings.public_url is already resolved (scheme, host and the port actually bound). `io` is the
// transport's io threads: rooms and timers live on them. The returned application is destroyed
// after the io threads have stopped and before `io` is, so its destructor may flush storage.
std::shared_ptr<net::application> make_application(const config& settings, net::transport_counters& counters,
                                                   std::string admin_token, net::io_pool& io);

}  // namespace kelisim::app
