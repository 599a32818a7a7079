#include "net/websocket_session.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "net/failure.hpp"
#include "net/log.hpp"

namespace kelisim::net {

namespace {
// Close codes (RFC 6455 7.4.1).
constexpr std::uint16_t going_away = 1001;
constexpr std::uint16_t unsupported_data = 1003;
constexpr std::uint16_t policy_violation = 1008;
constexpr std::uint16_t internal_error = 1011;

websocket::close_reason close_reason(std::uint16_t code, std::string_view reason) {
  websocket::close_reason result(static_cast<websocket::close_code>(code));
  result.reason.assign(reason.data(), std::min<std::size_t>(reason.size(), result.reason.max_size()));
  return result;
}
}  // namespace

template <class Derived>
websocket_session<Derived>::websocket_session(const asio::any_io_executor& strand, std::shared_ptr<shared_state> state,
                                              connection_slot slot)
    : state_(std::move(state)),
      slot_(std::move(slot)),
      remote_address_(slot_.address()),
      hello_timer_(strand),
      close_timer_(strand) {}

template <class Derived>
void websocket_session<Derived>::run(http::request<http::string_body> request) {
  auto& ws = derived().ws();
  // Compression off: it costs memory per connection and opens the door to compression attacks.
  websocket::permessage_deflate no_compression;
  no_compression.server_enable = false;
  no_compression.client_enable = false;
  ws.set_option(no_compression);
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(http::field::server, "kelisim"); }));
  // Beast fails a longer message and closes with 1009 (message too big) by itself.
  ws.read_message_max(state_->options.message_max);
  ws.async_accept(request, beast::bind_front_handler(&websocket_session::on_accept, derived().shared_from_this()));
}

template <class Derived>
void websocket_session<Derived>::on_accept(beast::error_code ec) {
  if (ec) return fail(ec, "websocket accept");

  open_ = true;
  ++state_->counters.websocket_connections;
  std::shared_ptr<client_link> self = derived().shared_from_this();
  const bool registered = state_->registry.add_link(this, self);

  hello_timer_.expires_after(state_->options.hello_timeout);
  hello_timer_.async_wait(
      beast::bind_front_handler(&websocket_session::on_hello_deadline, derived().shared_from_this()));

  if (!registered) {
    request_close(going_away, "going away");
  } else if (state_->app == nullptr || !(handler_ = state_->app->open_link(self))) {
    request_close(internal_error, "unavailable");
  }
  do_read();
}

template <class Derived>
void websocket_session<Derived>::do_read() {
  // Most connections wait most of the time, each with this read pending. Beast prepares the
  // buffer before any byte arrives (1,536 bytes for a whole-message read), so the wait reads at
  // most idle_read_bytes; a longer message is finished by on_read_start. Every path here has
  // consumed the last message: give back what a long one grew.
  if (buffer_.capacity() > idle_read_bytes) buffer_.shrink_to_fit();
  derived().ws().async_read_some(
      buffer_, idle_read_bytes,
      beast::bind_front_handler(&websocket_session::on_read_start, derived().shared_from_this()));
}

template <class Derived>
void websocket_session<Derived>::on_read_start(beast::error_code ec, std::size_t bytes) {
  if (ec || derived().ws().is_message_done()) return on_read(ec, bytes);
  derived().ws().async_read(buffer_,
                            beast::bind_front_handler(&websocket_session::on_read, derived().shared_from_this()));
}

template <class Derived>
void websocket_session<Derived>::on_read(beast::error_code ec, std::size_t) {
  // Any read error means the connection is over: Beast has already answered protocol errors
  // (1009 too big, 1007 invalid UTF-8, 1002 bad frames) with a close frame and torn down.
  if (ec) {
    fail(ec, "websocket read");
    return finish();
  }
  if (close_requested_) {
    // Closing: drain until the peer's close frame arrives, hand nothing more to the application.
    buffer_.consume(buffer_.size());
    return do_read();
  }
  if (!derived().ws().got_text()) {
    buffer_.consume(buffer_.size());
    request_close(unsupported_data, "text frames only");
    return do_read();
  }
  auto text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  if (handler_) handler_->on_text(std::move(text));
  do_read();
}

template <class Derived>
void websocket_session<Derived>::send(std::shared_ptr<std::string const> frame) {
  asio::post(derived().ws().get_executor(),
             [self = derived().shared_from_this(), frame = std::move(frame)]() mutable {
               self->enqueue(std::move(frame));
             });
}

template <class Derived>
void websocket_session<Derived>::enqueue(std::shared_ptr<std::string const> frame) {
  if (!open_ || finished_ || close_requested_ || frame == nullptr) return;
  const auto& limits = state_->options;
  if (queue_.size() >= limits.send_queue_frames || queued_bytes_ + frame->size() > limits.send_queue_bytes) {
    ++state_->counters.send_queue_drops;
    log().info("closing slow reader {}: {} frames, {} bytes queued", remote_address_, queue_.size(), queued_bytes_);
    // Drop everything not yet on the wire; the client resumes from its last seq later.
    while (queue_.size() > (writing_ ? 1u : 0u)) {
      queued_bytes_ -= queue_.back()->size();
      queue_.pop_back();
    }
    close_requested_ = true;
    close_reason_ = close_reason(policy_violation, "too slow");
    close_timer_.expires_after(limits.close_timeout);
    close_timer_.async_wait(
        beast::bind_front_handler(&websocket_session::on_close_deadline, derived().shared_from_this()));
    // Beast lets a close wait behind the write in flight, so the reader learns why at once.
    return do_close();
  }
  queued_bytes_ += frame->size();
  queue_.push_back(std::move(frame));
  if (!writing_) do_write();
}

template <class Derived>
void websocket_session<Derived>::do_write() {
  writing_ = true;
  auto& ws = derived().ws();
  ws.text(true);
  ws.async_write(asio::buffer(*queue_.front()),
                 beast::bind_front_handler(&websocket_session::on_write, derived().shared_from_this()));
}

template <class Derived>
void websocket_session<Derived>::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  queued_bytes_ -= queue_.front()->size();
  queue_.pop_front();
  if (ec) {
    fail(ec, "websocket write");
    queue_.clear();
    queued_bytes_ = 0;
    // The read side notices the broken connection and finishes the session.
    beast::get_lowest_layer(derived().ws()).close();
    return;
  }
  if (!queue_.empty() && !close_sent_) return do_write();
  if (queue_.empty() && close_requested_ && !close_sent_) do_close();
}

template <class Derived>
void websocket_session<Derived>::close(std::uint16_t code, std::string reason) {
  asio::post(derived().ws().get_executor(),
             [self = derived().shared_from_this(), code, reason = std::move(reason)]() mutable {
               self->request_close(code, std::move(reason));
             });
}

template <class Derived>
void websocket_session<Derived>::request_close(std::uint16_t code, std::string reason) {
  if (!open_ || close_requested_ || finished_) return;
  close_requested_ = true;
  close_reason_ = close_reason(code, reason);
  close_timer_.expires_after(state_->options.close_timeout);
  close_timer_.async_wait(
      beast::bind_front_handler(&websocket_session::on_close_deadline, derived().shared_from_this()));
  // Flush first: whatever the application queued before closing still reaches the client.
  if (!writing_ && queue_.empty()) do_close();
}

template <class Derived>
void websocket_session<Derived>::do_close() {
  if (close_sent_ || finished_) return;
  close_sent_ = true;
  derived().ws().async_close(close_reason_,
                             beast::bind_front_handler(&websocket_session::on_close, derived().shared_from_this()));
}

template <class Derived>
void websocket_session<Derived>::on_close(beast::error_code ec) {
  // The pending read completes with websocket::error::closed and finishes the session.
  if (ec) fail(ec, "websocket close");
}

template <class Derived>
void websocket_session<Derived>::authenticated() {
  asio::post(derived().ws().get_executor(), [self = derived().shared_from_this()] {
    self->authenticated_ = true;
    self->hello_timer_.cancel();
  });
}

template <class Derived>
void websocket_session<Derived>::on_hello_deadline(beast::error_code ec) {
  if (ec == asio::error::operation_aborted || authenticated_ || finished_) return;
  log().debug("no hello from {} in time", remote_address_);
  request_close(policy_violation, "hello timeout");
}

template <class Derived>
void websocket_session<Derived>::on_close_deadline(beast::error_code ec) {
  if (ec == asio::error::operation_aborted || finished_) return;
  // The peer neither read what was queued nor answered the close: tear the socket down.
  beast::get_lowest_layer(derived().ws()).close();
}

template <class Derived>
void websocket_session<Derived>::finish() {
  if (finished_) return;
  finished_ = true;
  hello_timer_.cancel();
  close_timer_.cancel();
  if (!open_) return;
  --state_->counters.websocket_connections;
  if (auto handler = std::move(handler_)) handler->on_closed();
  state_->registry.remove_link(this);
}

template class websocket_session<plain_websocket_session>;
template class websocket_session<ssl_websocket_session>;

plain_websocket_session::plain_websocket_session(beast::tcp_stream&& stream, std::shared_ptr<shared_state> state,
                                                 connection_slot slot)
    : websocket_session(stream.get_executor(), std::move(state), std::move(slot)), ws_(std::move(stream)) {}

ssl_websocket_session::ssl_websocket_session(beast::ssl_stream<beast::tcp_stream>&& stream,
                                             std::shared_ptr<shared_state> state, connection_slot slot)
    : websocket_session(stream.get_executor(), std::move(state), std::move(slot)), ws_(std::move(stream)) {}

void make_websocket_session(beast::tcp_stream stream, http::request<http::string_body> request,
                            std::shared_ptr<shared_state> state, connection_slot slot) {
  std::make_shared<plain_websocket_session>(std::move(stream), std::move(state), std::move(slot))
      ->run(std::move(request));
}

void make_websocket_session(beast::ssl_stream<beast::tcp_stream> stream, http::request<http::string_body> request,
                            std::shared_ptr<shared_state> state, connection_slot slot) {
  std::make_shared<ssl_websocket_session>(std::move(stream), std::move(state), std::move(slot))
      ->run(std::move(request));
}

}  // namespace kelisim::net
