#pragma once
// The seam where main builds the application the transport serves. basic_application.cpp
// provides a minimal one; the real application replaces that file and keeps this signature.
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "app/config.hpp"
#include "net/application.hpp"

namespace kelisim::app {

// settings.public_url is already resolved (scheme, host and the port actually bound). `io` is the
// transport's io_context: make strands and timers on it. The returned application is destroyed
// after the io threads have stopped and before `io` is, so its destructor may flush storage.
std::shared_ptr<net::application> make_application(const config& settings, net::transport_counters& counters,
                                                   std::string admin_token, boost::asio::io_context& io);

}  // namespace kelisim::app
