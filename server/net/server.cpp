#include "net/server.hpp"

#include <algorithm>
#include <csignal>
#include <thread>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include "net/beast.hpp"
#include "net/listener.hpp"
#include "net/log.hpp"
#include "net/shared_state.hpp"
#include "net/startup_error.hpp"
#include "net/tls_context.hpp"
#include "net/websocket_frames.hpp"

namespace kelisim::net {

namespace {

tcp::endpoint resolve_endpoint(asio::io_context& io, const std::string& host, std::uint16_t port) {
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (!ec) return {address, port};
  tcp::resolver resolver(io);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) throw startup_error("cannot resolve host " + host + ": " + ec.message());
  return results.begin()->endpoint();
}

std::shared_ptr<shared_state> make_state(const server_options& options, transport_counters& counters, io_pool& io) {
  std::error_code ec;
  if (!std::filesystem::is_directory(options.web_root, ec))
    throw startup_error("cannot read web root " + options.web_root.string() + ": " +
                        (ec ? ec.message() : std::string("not a directory")));
  auto transport = options.transport;
  transport.tls = options.tls;
  try {
    return std::make_shared<shared_state>(std::move(transport), counters, options.web_root, io);
  } catch (const std::filesystem::filesystem_error& error) {
    throw startup_error("cannot read web root " + options.web_root.string() + ": " + error.code().message());
  }
}

}  // namespace

server::server(server_options options)
    : options_(std::move(options)),
      io_(options_.threads != 0 ? options_.threads : std::max(1u, std::thread::hardware_concurrency())),
      control_(asio::make_strand(io_.context(0))),
      signals_(control_),
      drain_timer_(control_),
      keep_alive_timer_(control_) {
  if (options_.tls) tls_context_.emplace(make_server_tls_context(options_.tls_certificate, options_.tls_private_key));
  state_ = make_state(options_, counters_, io_);
  listener_ = std::make_shared<listener>(io_, tls_context_ ? &*tls_context_ : nullptr,
                                         resolve_endpoint(io_.context(0), options_.host, options_.port), state_);
  // Taken over here, not in run(): whoever starts the binary may send SIGTERM as soon as it
  // announces its port, which is before run(); Asio keeps a signal that comes before the wait.
  if (options_.handle_signals) {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
  }
}

server::~server() = default;

std::uint16_t server::port() const { return listener_->port(); }

void server::run(std::shared_ptr<application> app) {
  state_->app = std::move(app);
  listener_->run();
  if (options_.handle_signals) do_wait_signal();
  asio::post(control_, [this] { do_keep_alive(); });
  io_.run();

  // No io thread runs any more, so no session can reach the application after this.
  state_->app.reset();
  log().info("transport stopped");
}

void server::stop() {
  asio::post(control_, [this] { begin_shutdown(); });
}

void server::do_wait_signal() {
  signals_.async_wait([this](boost::system::error_code ec, int signal_number) { on_signal(ec, signal_number); });
}

void server::on_signal(boost::system::error_code ec, int signal_number) {
  if (ec) return;
  log().info("received {}; shutting down", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  begin_shutdown();
  do_wait_signal();
}

void server::do_keep_alive() {
  // Every WebSocket checks itself a few times per idle timeout: a ping goes between half of it
  // and half plus a tenth, a silent connection is dropped within a tenth after the whole.
  if (stopping_) return;
  state_->registry.check_all_alive();
  keep_alive_timer_.expires_after(
      std::max<std::chrono::milliseconds>(state_->options.websocket_idle_timeout / 10, std::chrono::milliseconds(10)));
  keep_alive_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) do_keep_alive();
  });
}

void server::begin_shutdown() {
  if (stopping_) {
    log().info("second stop request: stopping now");
    io_.stop();
    return;
  }
  stopping_ = true;
  keep_alive_timer_.cancel();
  listener_->stop();
  if (state_->app) state_->app->stopping();

  drain_timer_.expires_after(options_.drain_timeout);
  drain_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    log().warn("{} WebSocket(s) still open after {} ms; stopping anyway", state_->registry.live_links(),
               options_.drain_timeout.count());
    io_.stop();
  });
  const auto open = state_->registry.live_links();
  if (open > 0) log().info("closing {} WebSocket(s)", open);
  state_->registry.close_all_links(close_code::going_away, "going away", [this] {
    asio::post(control_, [this] {
      drain_timer_.cancel();
      io_.stop();
    });
  });
}

}  // namespace kelisim::net
