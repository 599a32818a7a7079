#include "net/websocket_session.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "net/failure.hpp"
#include "net/log.hpp"

namespace kelisim::net {

template <class Derived>
websocket_session<Derived>::websocket_session(const asio::any_io_executor& executor,
                                              std::shared_ptr<shared_state> state, connection_slot slot)
    : state_(std::move(state)),
      slot_(std::move(slot)),
      reader_(state_->options.message_max),
      deadline_(executor) {}

template <class Derived>
template <class Work>
void websocket_session<Derived>::at_home(Work work) {
  // Work posted to the thread the connection has just left follows it there.
  asio::post(state_->io.executor(home_.load(std::memory_order_acquire)),
             [self = derived().shared_from_this(), work = std::move(work)]() mutable {
               if (self->home_.load(std::memory_order_acquire) != self->state_->io.current())
                 return self->at_home(std::move(work));
               work(*self);
             });
}

template <class Derived>
void websocket_session<Derived>::run(std::string upgrade_response, std::string_view early_bytes) {
  // Called on the io thread the connection was accepted onto.
  const auto here = static_cast<std::uint32_t>(state_->io.current());
  home_.store(here, std::memory_order_release);
  wanted_home_ = here;
  open_ = true;
  ++state_->counters.websocket_connections;
  std::shared_ptr<transport_link> self = derived().shared_from_this();
  const bool registered = state_->registry.add_link(this, self);

  const auto now = clock::now();
  last_heard_ = now;
  hello_deadline_ = now + state_->options.hello_timeout;
  arm_deadline(hello_deadline_);

  control_ = std::move(upgrade_response);
  if (!registered) {
    request_close(close_code::going_away, "going away");
  } else if (state_->app == nullptr || !(handler_ = state_->app->open_link(self))) {
    request_close(close_code::internal_error, "unavailable");
  }
  do_write();
  if (!early_bytes.empty() && !take(early_bytes)) return;
  start_read();
}

template <class Derived>
void websocket_session<Derived>::start_read() {
  char* into = large_read_ ? large_read_.get() : small_read_.data();
  const std::size_t size = large_read_ ? large_read_bytes : small_read_bytes;
  derived().stream().async_read_some(
      asio::buffer(into, size), beast::bind_front_handler(&websocket_session::on_read, derived().shared_from_this()));
}

template <class Derived>
void websocket_session<Derived>::on_read(beast::error_code ec, std::size_t bytes) {
  if (finished_) return;
  if (ec) {
    fail(ec, "websocket read");
    return finish();
  }
  const bool was_large = large_read_ != nullptr;
  if (!take({was_large ? large_read_.get() : small_read_.data(), bytes})) return;

  // A full small read means more is coming (a long message or a burst): read big until the
  // message is done and a read comes back short.
  if (!was_large && bytes == small_read_bytes) {
    large_read_ = std::make_unique_for_overwrite<char[]>(large_read_bytes);
  } else if (was_large && bytes < large_read_bytes && !reader_.mid_message()) {
    large_read_.reset();
  }
  read_on();
}

template <class Derived>
void websocket_session<Derived>::read_on() {
  const auto here = home_.load(std::memory_order_relaxed);
  // Between two reads nothing else of ours waits on the socket or the timer unless a write is
  // in flight or a deadline is armed; then the move waits for a later read.
  if (wanted_home_ == here || writing_ || deadline_armed_ || close_requested_ || finished_) return start_read();
  auto home = state_->io.executor(wanted_home_);
  if (!derived().move_to(home)) {
    wanted_home_ = here;
    return start_read();
  }
  deadline_ = asio::steady_timer(home);
  ++state_->counters.websockets_moved;
  home_.store(wanted_home_, std::memory_order_release);
  // From here on only the new thread touches this session.
  asio::post(home, [self = derived().shared_from_this()] { self->start_read(); });
}

template <class Derived>
bool websocket_session<Derived>::take(std::string_view unread) {
  last_heard_ = clock::now();
  ping_sent_ = false;
  bool more = true;
  while (more && !unread.empty()) {
    frame_event event;
    const std::size_t used = reader_.read(unread, event);
    unread.remove_prefix(used);
    more = on_frame(event) && (used > 0 || event.what != frame_event::kind::none);
  }
  // The close exchange or a violation ends reading here.
  return more && !finished_;
}

template <class Derived>
bool websocket_session<Derived>::on_frame(frame_event& event) {
  switch (event.what) {
    case frame_event::kind::none:
    case frame_event::kind::pong:
      return true;
    case frame_event::kind::message:
      // Closing: nothing more reaches the application.
      if (handler_ && !close_requested_) handler_->on_text(std::move(event.payload));
      return true;
    case frame_event::kind::ping:
      // A client that pings without reading gets no more pongs than fit in the backlog
      // (RFC 6455 5.5.3 lets a pong answer only the latest ping).
      if (!close_written_ && !writing_close_ && control_.size() < control_backlog_bytes) {
        control_ += control_frame(opcode::pong, event.payload);
        do_write();
      }
      return true;
    case frame_event::kind::close:
      // Answer with the client's code; what is queued still goes out first.
      request_close(event.code == close_code::no_status ? close_code::normal : event.code, "");
      break;
    case frame_event::kind::violation:
      log().debug("closing {}: {}", remote_address(), event.payload);
      request_close(event.code, event.payload);
      break;
  }
  // The client's close frame, or a violation after which nothing it sends can be trusted:
  // reading stops here.
  close_received_ = true;
  if (close_written_) close_exchanged();
  return false;
}

template <class Derived>
void websocket_session<Derived>::send(std::shared_ptr<std::string const> frame) {
  if (frame == nullptr || !outbox_.push(std::move(frame))) return;
  at_home([](websocket_session& self) { self.take_outbox(); });
}

template <class Derived>
void websocket_session<Derived>::when_sent(std::function<void()> then) {
  at_home([then = std::move(then)](websocket_session& self) mutable {
    self.take_outbox();  // what was sent before this call
    if (self.finished_) return;
    self.when_sent_.push_back(std::move(then));
    if (!self.writing_) self.ran_dry();
  });
}

template <class Derived>
void websocket_session<Derived>::ran_dry() {
  // Nothing is being written: what waited for the queue to be written out may go on.
  if (!queue_.empty() || when_sent_.empty()) return;
  for (auto& then : std::exchange(when_sent_, {})) then();
}

template <class Derived>
void websocket_session<Derived>::take_outbox() {
  // Queue all that arrived, then write once: the frames share one gathered write.
  outbox_.take_all([this](std::shared_ptr<std::string const>&& frame) { enqueue(std::move(frame)); });
  do_write();
}

template <class Derived>
void websocket_session<Derived>::enqueue(std::shared_ptr<std::string const> frame) {
  if (!open_ || finished_ || close_requested_) return;
  const auto& limits = state_->options;
  if (queue_.size() >= limits.send_queue_frames || queued_bytes_ + frame->size() > limits.send_queue_bytes) {
    ++state_->counters.send_queue_drops;
    log().info("closing slow reader {}: {} frames, {} bytes queued", remote_address(), queue_.size(), queued_bytes_);
    // The client resumes from its last seq later. The close frame follows the write in flight,
    // so the reader learns why at once.
    drop_unwritten();
    return request_close(close_code::policy_violation, "too slow");
  }
  queued_bytes_ += frame->size();
  queue_.push_back(std::move(frame));
}

template <class Derived>
void websocket_session<Derived>::drop_unwritten() {
  // The frames of a write in flight stay: its buffers point into them until it completes.
  while (queue_.size() > writing_frames_) {
    queued_bytes_ -= queue_.back()->size();
    queue_.pop_back();
  }
}

template <class Derived>
void websocket_session<Derived>::do_write() {
  if (writing_ || finished_) return;
  // One gathered write: control bytes first (the 101 response, pongs), then queued frames, then
  // the close frame once every queued frame is ahead of it. First, how many frames fit.
  constexpr std::size_t header_max = sizeof(frame_header::bytes);
  std::size_t frames = 0;
  std::size_t bytes = control_.size();
  std::size_t buffers = 1;  // the bytes before the first frame sent by reference
  if (!close_written_) {
    for (; frames < queue_.size(); ++frames) {
      const std::size_t size = queue_[frames]->size();
      const bool copied = size <= copy_frame_bytes;
      const std::size_t more_bytes = header_max + (copied ? size : 0);
      const std::size_t more_buffers = copied ? 0 : 2;  // the payload, then a new run of bytes
      if (frames > 0 && (bytes + more_bytes > copy_budget || buffers + more_buffers > max_write_buffers - 1)) break;
      bytes += more_bytes;
      buffers += more_buffers;
    }
  }
  const bool with_close = close_requested_ && !close_written_ && frames == queue_.size();
  if (control_.empty() && frames == 0 && !with_close) return;

  // Then the bytes, in one string reserved up front, so appending never moves what the buffers
  // point into; each run of it between frames sent by reference is one buffer.
  bytes_in_flight_ = std::move(control_);
  control_.clear();
  bytes_in_flight_.reserve(bytes);
  buffers_in_flight_.clear();
  std::size_t run_start = 0;
  const auto end_run = [&] {
    if (bytes_in_flight_.size() == run_start) return;
    buffers_in_flight_.emplace_back(bytes_in_flight_.data() + run_start, bytes_in_flight_.size() - run_start);
    run_start = bytes_in_flight_.size();
  };
  for (std::size_t i = 0; i < frames; ++i) {
    const auto& frame = *queue_[i];
    bytes_in_flight_.append(frame_header(opcode::text, frame.size()).view());
    if (frame.size() <= copy_frame_bytes) {
      bytes_in_flight_.append(frame);
      continue;
    }
    end_run();
    buffers_in_flight_.push_back(asio::buffer(frame));
  }
  end_run();
  if (with_close) buffers_in_flight_.push_back(asio::buffer(close_frame_));

  writing_ = true;
  writing_frames_ = frames;
  writing_close_ = with_close;
  asio::async_write(derived().stream(), buffers_in_flight_,
                    beast::bind_front_handler(&websocket_session::on_write, derived().shared_from_this()));
}

template <class Derived>
void websocket_session<Derived>::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  for (; writing_frames_ > 0; --writing_frames_) {
    queued_bytes_ -= queue_.front()->size();
    queue_.pop_front();
  }
  if (finished_) return;
  if (ec) {
    fail(ec, "websocket write");
    return finish();
  }
  if (writing_close_) {
    writing_close_ = false;
    close_written_ = true;
    if (close_received_) return close_exchanged();
  }
  do_write();
  if (!writing_) {
    // Nothing more to write: hold no write buffers while waiting, which is most of the time.
    bytes_in_flight_ = std::string();
    buffers_in_flight_ = {};
    ran_dry();
  }
}

template <class Derived>
void websocket_session<Derived>::close(std::uint16_t code, std::string reason) {
  at_home([code, reason = std::move(reason)](websocket_session& self) {
    // Frames sent before the close go first, even if their hand-over was posted to the thread the
    // connection has since left and arrives after this.
    self.take_outbox();
    self.request_close(code, reason);
  });
}

template <class Derived>
void websocket_session<Derived>::request_close(std::uint16_t code, std::string_view reason) {
  if (!open_ || close_requested_ || finished_) return;
  close_requested_ = true;
  close_frame_ = close_frame(code, reason);
  close_deadline_ = clock::now() + state_->options.close_timeout;
  arm_deadline(close_deadline_);
  // Whatever the application queued before closing still reaches the client first.
  do_write();
}

template <class Derived>
void websocket_session<Derived>::close_exchanged() {
  // Both close frames are through: the transport ends the connection (within close_deadline_).
  derived().teardown();
}

template <class Derived>
void websocket_session<Derived>::authenticated(std::size_t home) {
  auto accept = [home](websocket_session& self) {
    self.authenticated_ = true;
    self.wanted_home_ = static_cast<std::uint32_t>(home);
    // The hello deadline is met: an idle connection keeps no timer wait (and its memory).
    if (self.close_requested_) return;
    self.deadline_armed_ = false;
    self.deadline_.cancel();
  };
  // Usually called while the hello is handled, on this thread: settled at once, the connection
  // moves before its next read.
  if (home_.load(std::memory_order_acquire) == state_->io.current()) return accept(*this);
  at_home(std::move(accept));
}

template <class Derived>
void websocket_session<Derived>::arm_deadline(clock::time_point when) {
  if (deadline_armed_ && deadline_.expiry() <= when) return;
  deadline_armed_ = true;
  deadline_.expires_at(when);  // cancels a later wait: its handler sees operation_aborted
  deadline_.async_wait(beast::bind_front_handler(&websocket_session::on_deadline, derived().shared_from_this()));
}

template <class Derived>
void websocket_session<Derived>::on_deadline(beast::error_code ec) {
  if (ec == asio::error::operation_aborted || finished_) return;
  deadline_armed_ = false;
  const auto now = clock::now();
  if (close_requested_) {
    if (now < close_deadline_) return arm_deadline(close_deadline_);
    // The peer neither read what was queued nor answered the close: tear the socket down.
    return finish();
  }
  if (authenticated_) return;  // from here the server's keep-alive sweep watches the connection
  if (now < hello_deadline_) return arm_deadline(hello_deadline_);
  log().debug("no hello from {} in time", remote_address());
  request_close(close_code::policy_violation, "hello timeout");
}

template <class Derived>
void websocket_session<Derived>::check_alive() {
  at_home([](websocket_session& self) { self.keep_alive(); });
}

template <class Derived>
void websocket_session<Derived>::keep_alive() {
  // Before the hello and while closing, the deadline timer is in charge.
  if (finished_ || close_requested_ || !authenticated_) return;
  // A ping at half the idle timeout; silence for all of it means the peer is gone.
  const auto idle = state_->options.websocket_idle_timeout;
  const auto quiet = clock::now() - last_heard_;
  if (quiet >= idle) {
    log().debug("{} silent for {} ms: dropped", remote_address(), idle.count());
    return finish();
  }
  if (quiet >= idle / 2 && !ping_sent_) {
    ping_sent_ = true;
    control_ += control_frame(opcode::ping, {});
    do_write();
  }
}

template <class Derived>
void websocket_session<Derived>::drain() {
  derived().stream().async_read_some(asio::buffer(small_read_),
                                     [self = derived().shared_from_this()](beast::error_code ec, std::size_t) {
                                       if (ec) return self->finish();
                                       self->drain();
                                     });
}

template <class Derived>
void websocket_session<Derived>::finish() {
  if (finished_) return;
  finished_ = true;
  deadline_.cancel();
  when_sent_.clear();
  beast::error_code ignored;
  derived().socket().close(ignored);
  drop_unwritten();
  if (!open_) return;
  --state_->counters.websocket_connections;
  if (auto handler = std::move(handler_)) handler->on_closed();
  state_->registry.remove_link(this);
}

template class websocket_session<plain_websocket_session>;
template class websocket_session<ssl_websocket_session>;

plain_websocket_session::plain_websocket_session(tcp::socket&& socket, std::shared_ptr<shared_state> state,
                                                 connection_slot slot)
    : websocket_session(socket.get_executor(), std::move(state), std::move(slot)), socket_(std::move(socket)) {}

void plain_websocket_session::teardown() {
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  drain();
}

ssl_websocket_session::ssl_websocket_session(tls_stream&& stream, std::shared_ptr<shared_state> state,
                                             connection_slot slot)
    : websocket_session(stream.get_executor(), std::move(state), std::move(slot)), stream_(std::move(stream)) {}

void ssl_websocket_session::teardown() {
  stream_.async_shutdown([self = shared_from_this()](beast::error_code ec) {
    fail(ec, "tls shutdown");
    self->finish();
  });
}

void make_websocket_session(beast::tcp_stream stream, std::string upgrade_response, std::string_view early_bytes,
                            std::shared_ptr<shared_state> state, connection_slot slot) {
  std::make_shared<plain_websocket_session>(stream.release_socket(), std::move(state), std::move(slot))
      ->run(std::move(upgrade_response), early_bytes);
}

void make_websocket_session(tls_stream stream, std::string upgrade_response,
                            std::string_view early_bytes, std::shared_ptr<shared_state> state, connection_slot slot) {
  std::make_shared<ssl_websocket_session>(std::move(stream), std::move(state), std::move(slot))
      ->run(std::move(upgrade_response), early_bytes);
}

}  // namespace kelisim::net
