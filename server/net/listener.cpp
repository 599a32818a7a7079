#include "net/listener.hpp"

#include <chrono>

#include <boost/asio/post.hpp>

#include "net/detect_session.hpp"
#include "net/failure.hpp"
#include "net/http_session.hpp"
#include "net/log.hpp"
#include "net/startup_error.hpp"

namespace kelisim::net {

namespace {
std::string describe(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const auto host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}
}  // namespace

listener::listener(io_pool& io, ssl::context* tls_context, const tcp::endpoint& endpoint,
                   std::shared_ptr<shared_state> state)
    : io_(io),
      tls_context_(tls_context),
      acceptor_(io.executor(0)),
      backoff_(acceptor_.get_executor()),
      state_(std::move(state)) {
  beast::error_code ec;
  auto check = [&](const char* step) {
    if (ec) throw startup_error("cannot " + std::string(step) + " on " + describe(endpoint) + ": " + ec.message());
  };
  acceptor_.open(endpoint.protocol(), ec);
  check("open a socket");
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  check("set SO_REUSEADDR");
  acceptor_.bind(endpoint, ec);
  check("listen");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  check("listen");
  port_ = acceptor_.local_endpoint(ec).port();
  check("read the bound port");
}

void listener::run() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    self->stopped_ = true;
    beast::error_code ignored;
    self->acceptor_.close(ignored);
    self->backoff_.cancel();
  });
}

void listener::do_accept() {
  if (stopped_) return;
  // No strand: an io thread runs its context alone, so a connection's handlers never overlap.
  acceptor_.async_accept(io_.executor(io_.next()),
                         beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || stopped_) return;
  if (ec) {
    // Usually out of file descriptors: pause briefly instead of spinning on the error.
    log().warn("accept failed: {}", ec.message());
    backoff_.expires_after(std::chrono::milliseconds(100));
    return backoff_.async_wait(beast::bind_front_handler(&listener::on_backoff, shared_from_this()));
  }

  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto remote = socket.remote_endpoint(ec);
  if (ec) return do_accept();  // already gone

  auto slot = state_->registry.try_admit(remote.address().to_string());
  if (!slot) {
    ++state_->counters.connections_refused;
    log().debug("connection from {} refused: connection cap", remote.address().to_string());
    socket.close(ignored);
    return do_accept();
  }

  if (tls_context_ != nullptr)
    std::make_shared<detect_session>(std::move(socket), *tls_context_, state_, std::move(*slot))->run();
  else
    std::make_shared<plain_http_session>(beast::tcp_stream(std::move(socket)), state_, std::move(*slot))->run();
  do_accept();
}

void listener::on_backoff(beast::error_code ec) {
  if (ec) return;
  do_accept();
}

}  // namespace kelisim::net
