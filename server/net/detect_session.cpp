#include "net/detect_session.hpp"

#include <boost/asio/dispatch.hpp>

#include "net/failure.hpp"
#include "net/http_session.hpp"
#include "net/log.hpp"

namespace kelisim::net {

detect_session::detect_session(tcp::socket&& socket, ssl::context& context, std::shared_ptr<shared_state> state,
                               connection_slot slot)
    : stream_(std::move(socket)), context_(context), state_(std::move(state)), slot_(std::move(slot)) {}

void detect_session::run() {
  // Start on the connection's io thread (the listener runs on thread 0, the socket may not).
  asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&detect_session::on_run, shared_from_this()));
}

void detect_session::on_run() {
  stream_.expires_after(state_->options.header_timeout);
  beast::async_detect_ssl(stream_, buffer_,
                          beast::bind_front_handler(&detect_session::on_detect, shared_from_this()));
}

void detect_session::on_detect(beast::error_code ec, bool is_tls) {
  if (ec) return fail(ec, "tls detect");
  if (!is_tls) {
    // Answering plain HTTP here would invite clients to send cookies and tokens in clear text.
    ++state_->counters.connections_refused;
    log().debug("plain HTTP on the TLS port from {}; closed", slot_.address());
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return;
  }
  const auto hello = buffer_.cdata();
  std::make_shared<ssl_http_session>(stream_.release_socket(), context_, std::move(state_), std::move(slot_),
                                     std::string_view(static_cast<const char*>(hello.data()), hello.size()))
      ->run();
}

}  // namespace kelisim::net
