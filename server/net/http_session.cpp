#include "net/http_session.hpp"

#include <utility>
#include <variant>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/url/parse.hpp>

#include "net/failure.hpp"
#include "net/log.hpp"
#include "net/plain_response.hpp"
#include "net/security_headers.hpp"
#include "net/websocket_session.hpp"
#include "net/websocket_upgrade.hpp"

namespace kelisim::net {

namespace {

bool is_application_path(std::string_view path) {
  return path == "/healthz" || path == "/metrics" || path == "/api" || path.starts_with("/api/");
}

}  // namespace

template <class Derived>
http_session<Derived>::http_session(std::shared_ptr<shared_state> state, connection_slot slot)
    : state_(std::move(state)), slot_(std::in_place, std::move(slot)) {
  ++state_->counters.http_connections;
}

template <class Derived>
http_session<Derived>::~http_session() {
  --state_->counters.http_connections;
}

template <class Derived>
void http_session<Derived>::do_read() {
  // Bytes already buffered (a pipelined request) start a request now.
  if (buffer_.size() > 0) return do_read_header();
  beast::get_lowest_layer(derived().stream()).expires_after(state_->options.idle_timeout);
  derived().stream().async_read_some(
      buffer_.prepare(1024), beast::bind_front_handler(&http_session::on_idle_read, derived().shared_from_this()));
}

template <class Derived>
void http_session<Derived>::on_idle_read(beast::error_code ec, std::size_t bytes) {
  buffer_.commit(bytes);
  if (ec == asio::error::eof || ec == beast::error::timeout) return derived().do_eof();
  if (ec) return fail(ec, "http idle read");
  do_read_header();
}

template <class Derived>
void http_session<Derived>::do_read_header() {
  // A fresh parser per request; Beast's defaults (8 MiB bodies) are too generous for us.
  parser_.emplace();
  parser_->header_limit(state_->options.header_limit);
  parser_->body_limit(state_->options.body_limit);
  beast::get_lowest_layer(derived().stream()).expires_after(state_->options.header_timeout);
  http::async_read_header(derived().stream(), buffer_, *parser_,
                          beast::bind_front_handler(&http_session::on_read_header, derived().shared_from_this()));
}

template <class Derived>
void http_session<Derived>::on_read_header(beast::error_code ec, std::size_t) {
  if (ec) return on_read_failed(ec);
  if (parser_->is_done()) return on_request();
  beast::get_lowest_layer(derived().stream()).expires_after(state_->options.body_timeout);
  http::async_read(derived().stream(), buffer_, *parser_,
                   beast::bind_front_handler(&http_session::on_read_body, derived().shared_from_this()));
}

template <class Derived>
void http_session<Derived>::on_read_body(beast::error_code ec, std::size_t) {
  if (ec) return on_read_failed(ec);
  on_request();
}

template <class Derived>
void http_session<Derived>::on_read_failed(beast::error_code ec) {
  // The client closed between requests.
  if (ec == http::error::end_of_stream) return derived().do_eof();
  // Over a limit: say which, then close; the rest of the stream cannot be trusted.
  if (ec == http::error::header_limit)
    return do_write(plain_response(http::status::request_header_fields_too_large, 11, false));
  if (ec == http::error::body_limit) {
    // API clients get the API's JSON error shape; anyone else a plain page.
    if (parser_ && parser_->get().target().starts_with("/api/")) {
      auto response = plain_response(http::status::payload_too_large, 11, false);
      response.set(http::field::content_type, "application/json");
      response.body() = R"({"code":"too_large","message":"the request body is larger than the limit"})";
      response.prepare_payload();
      return do_write(std::move(response));
    }
    return do_write(plain_response(http::status::payload_too_large, 11, false));
  }
  // Any other parse error is a malformed request.
  if (ec.category() == http::make_error_code(http::error::bad_target).category())
    return do_write(plain_response(http::status::bad_request, 11, false));
  fail(ec, "http read");
}

template <class Derived>
void http_session<Derived>::on_request() {
  ++state_->counters.http_requests;
  auto request = parser_->release();
  parser_.reset();

  auto target = boost::urls::parse_origin_form(request.target());
  if (!target) return do_write(plain_response(http::status::bad_request, request.version(), false));
  const std::string_view path = target->encoded_path();

  if (path == "/ws") {
    if (websocket::is_upgrade(request)) return do_upgrade(std::move(request));
    return do_write(plain_response(http::status::upgrade_required, request.version(), request.keep_alive(),
                                   "WebSocket only"));
  }
  if (websocket::is_upgrade(request))
    return do_write(plain_response(http::status::not_found, request.version(), false));
  if (is_application_path(path)) return do_application(std::move(request));

  std::visit([this](auto&& response) { do_write(std::move(response)); }, state_->files.respond(request));
}

template <class Derived>
bool http_session<Derived>::origin_allowed(const http::request<http::string_body>& request) const {
  auto origin = request.find(http::field::origin);
  // Browsers always send Origin on a WebSocket upgrade; tools and tests without it are not
  // the cross-site threat this check is for.
  if (origin == request.end()) return true;
  const auto value = origin->value();
  for (const auto& allowed : state_->options.allowed_origins)
    if (beast::iequals(value, allowed)) return true;
  auto host = request.find(http::field::host);
  if (host == request.end()) return false;
  const std::string host_value(host->value());
  if (beast::iequals(value, (Derived::tls ? "https://" : "http://") + host_value)) return true;
  // Without TLS we are usually behind a TLS-terminating proxy, where the page is https.
  return !Derived::tls && beast::iequals(value, "https://" + host_value);
}

template <class Derived>
void http_session<Derived>::do_upgrade(http::request<http::string_body> request) {
  if (!origin_allowed(request)) {
    ++state_->counters.connections_refused;
    log().info("refused WebSocket from {}: foreign origin", slot_->address());
    return do_write(plain_response(http::status::forbidden, request.version(), false, "origin not allowed"));
  }
  const auto refusal = check_upgrade(request);
  if (refusal.status != http::status::ok) {
    auto response = plain_response(refusal.status, request.version(), false, refusal.why);
    if (refusal.status == http::status::upgrade_required) response.set(http::field::sec_websocket_version, "13");
    return do_write(std::move(response));
  }
  // From here the WebSocket's own deadlines apply.
  beast::get_lowest_layer(derived().stream()).expires_never();
  auto slot = std::move(*slot_);
  slot_.reset();
  // A client may send its first frames right behind the request; they are in buffer_ already.
  const auto early = buffer_.cdata();
  make_websocket_session(derived().release_stream(), upgrade_response(request[http::field::sec_websocket_key]),
                         {static_cast<const char*>(early.data()), early.size()}, state_, std::move(slot));
}

template <class Derived>
void http_session<Derived>::do_application(http::request<http::string_body> request) {
  if (state_->app == nullptr)
    return do_write(plain_response(http::status::service_unavailable, request.version(), false));
  awaiting_application_ = true;
  request_version_ = request.version();
  request_keep_alive_ = request.keep_alive();
  request_info info{slot_->address(), Derived::tls};
  // The application may answer later and from any thread: come back to this connection's io thread.
  respond_fn respond = [self = derived().shared_from_this(),
                        home = derived().stream().get_executor()](http::response<http::string_body> response) {
    asio::post(home, [self, response = std::move(response)]() mutable {
      self->on_application_response(std::move(response));
    });
  };
  state_->app->handle_http(std::move(request), std::move(info), std::move(respond));
}

template <class Derived>
void http_session<Derived>::on_application_response(http::response<http::string_body> response) {
  if (!awaiting_application_) {
    log().warn("application answered a request twice; ignored");
    return;
  }
  awaiting_application_ = false;
  response.version(request_version_);
  response.keep_alive(request_keep_alive_ && response.keep_alive());
  response.prepare_payload();
  do_write(std::move(response));
}

template <class Derived>
template <class Body>
void http_session<Derived>::do_write(http::response<Body> response) {
  apply_security_headers(response, Derived::tls);
  const bool keep_alive = response.keep_alive();
  beast::get_lowest_layer(derived().stream()).expires_after(state_->options.write_timeout);
  beast::async_write(derived().stream(), http::message_generator(std::move(response)),
                     beast::bind_front_handler(&http_session::on_write, derived().shared_from_this(), keep_alive));
}

template <class Derived>
void http_session<Derived>::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  if (ec) return fail(ec, "http write");
  if (!keep_alive) return derived().do_eof();
  do_read();
}

template class http_session<plain_http_session>;
template class http_session<ssl_http_session>;

// ---------------------------------------------------------------------------------------------

plain_http_session::plain_http_session(beast::tcp_stream&& stream, std::shared_ptr<shared_state> state,
                                       connection_slot slot)
    : http_session(std::move(state), std::move(slot)), stream_(std::move(stream)) {}

void plain_http_session::run() {
  // Start on the connection's io thread (the listener runs on thread 0, the socket may not).
  asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&plain_http_session::do_read_header,
                                                                   shared_from_this()));
}

void plain_http_session::do_eof() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  // The socket closes when the last handler lets go of this session.
}

ssl_http_session::ssl_http_session(tcp::socket&& socket, ssl::context& context, std::shared_ptr<shared_state> state,
                                   connection_slot slot, std::string_view early_bytes)
    : http_session(std::move(state), std::move(slot)),
      stream_(std::move(socket), context.native_handle(), early_bytes) {}

void ssl_http_session::run() {
  auto self = shared_from_this();
  asio::dispatch(stream_.get_executor(), [self] {
    self->stream_.expires_after(self->state_->options.header_timeout);
    self->stream_.async_handshake(beast::bind_front_handler(&ssl_http_session::on_handshake, self));
  });
}

void ssl_http_session::on_handshake(beast::error_code ec) {
  if (ec) {
    ++state_->counters.connections_refused;
    return fail(ec, "tls handshake");
  }
  do_read_header();
}

void ssl_http_session::do_eof() {
  stream_.expires_after(state_->options.close_timeout);
  stream_.async_shutdown(beast::bind_front_handler(&ssl_http_session::on_shutdown, shared_from_this()));
}

void ssl_http_session::on_shutdown(beast::error_code ec) {
  if (ec) fail(ec, "tls shutdown");
}

}  // namespace kelisim::net
