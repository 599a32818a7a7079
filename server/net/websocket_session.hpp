#pragma once
// One WebSocket connection after the upgrade request: text frames only, a bounded send queue
// written several frames per system call, a deadline for the application to accept the client's
// hello, keep-alive pings on a quiet connection (the server's sweep asks), a close that flushes
// what is queued, and a move to the io thread of the connection's room after its hello.
// Framing is ours (websocket_frames.hpp), not Beast's: a waiting connection holds no buffers
// beyond a small read area and a timer that waits only for the hello or a close, and queued
// frames leave in one gathered write.
// Plain and TLS flavours share this code through CRTP.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/application.hpp"
#include "net/beast.hpp"
#include "net/connection_registry.hpp"
#include "net/move_socket.hpp"
#include "net/outbox.hpp"
#include "net/send_queue.hpp"
#include "net/shared_state.hpp"
#include "net/tls_stream.hpp"
#include "net/transport_link.hpp"
#include "net/websocket_frames.hpp"

namespace kelisim::net {

template <class Derived>
class websocket_session : public transport_link {
 public:
  // Writes the 101 response (upgrade_response) and reads frames, starting with any the HTTP
  // session read past the upgrade request.
  void run(std::string upgrade_response, std::string_view early_bytes);

  void send(std::shared_ptr<std::string const> frame) override;
  void close(std::uint16_t code, std::string reason) override;
  void authenticated(std::size_t home) override;
  void when_sent(std::function<void()> then) override;
  const std::string& remote_address() const override { return slot_.address(); }
  void check_alive() override;

 protected:
  websocket_session(const asio::any_io_executor& executor, std::shared_ptr<shared_state> state, connection_slot slot);

  // For the transports' teardown: read and drop until the peer hangs up, then finish.
  void drain();
  // The socket is gone (or must go now): close it and tell the application, once.
  void finish();

 private:
  using clock = std::chrono::steady_clock;
  Derived& derived() { return static_cast<Derived&>(*this); }

  // Runs work(*this) on the io thread the connection lives on, following it if it moves.
  template <class Work>
  void at_home(Work work);
  void start_read();
  // The end of a read handler: the next read, on the connection's new io thread if it should move.
  void read_on();
  void ran_dry();
  void on_read(beast::error_code ec, std::size_t bytes);
  bool take(std::string_view unread);
  bool on_frame(frame_event& event);
  void take_outbox();
  void enqueue(std::shared_ptr<std::string const> frame);
  void drop_unwritten();
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void request_close(std::uint16_t code, std::string_view reason);
  void close_exchanged();
  void keep_alive();
  void arm_deadline(clock::time_point when);
  void on_deadline(beast::error_code ec);

  // A waiting connection reads into this much, inside the session; a read that fills it is
  // followed by reads into a larger buffer, given back once a message is done.
  static constexpr std::size_t small_read_bytes = 256;
  static constexpr std::size_t large_read_bytes = 16 * 1024;
  // One gathered write: Asio gathers at most 64 buffers. Frames up to copy_frame_bytes (chat
  // lines, acks) are copied behind their headers into one buffer, at most copy_budget bytes per
  // write; larger ones go by reference. So a write carries a hundred small frames, not 31 — a
  // room fanning out a long run of events must not outpace its connections' writes.
  static constexpr std::size_t max_write_buffers = 64;
  static constexpr std::size_t copy_frame_bytes = 1024;
  static constexpr std::size_t copy_budget = 16 * 1024;
  // Control bytes (pongs, a ping) waiting behind a write that does not finish stay below this.
  static constexpr std::size_t control_backlog_bytes = 512;

  std::shared_ptr<shared_state> state_;
  connection_slot slot_;
  std::shared_ptr<link_handler> handler_;
  frame_reader reader_;
  std::array<char, small_read_bytes> small_read_;
  std::unique_ptr<char[]> large_read_;
  asio::steady_timer deadline_;

  // The io thread the connection lives on (io_pool index), and where it should move (after the
  // hello, its room's). It moves between two reads, with no write in flight and no timer wait.
  std::atomic<std::uint32_t> home_{0};
  std::uint32_t wanted_home_ = 0;

  // Frames sent from other threads wait in outbox_ until take_outbox() runs on our io thread.
  outbox outbox_;
  // Writing: application frames wait in queue_; control bytes (the 101 response, pongs, the
  // close frame) wait in control_ and go first. The write in flight holds writing_frames_ frames
  // from the front of queue_, and in bytes_in_flight_ the control bytes it took and the frame
  // headers it made.
  send_queue queue_;
  std::size_t queued_bytes_ = 0;
  std::string control_;
  std::string close_frame_;
  std::string bytes_in_flight_;
  std::vector<asio::const_buffer> buffers_in_flight_;
  std::size_t writing_frames_ = 0;
  // when_sent() callbacks, run once queue_ is written out.
  std::vector<std::function<void()>> when_sent_;

  clock::time_point last_heard_;
  clock::time_point hello_deadline_;
  clock::time_point close_deadline_;
  bool deadline_armed_ = false;
  bool ping_sent_ = false;

  bool writing_ = false;
  bool open_ = false;           // counted and registered
  bool authenticated_ = false;
  bool close_requested_ = false;  // no more application frames are queued after this
  bool writing_close_ = false;    // the close frame is in the write in flight
  bool close_written_ = false;
  bool close_received_ = false;   // or the client broke the protocol: nothing more is read
  bool finished_ = false;
};

class plain_websocket_session : public websocket_session<plain_websocket_session>,
                                public std::enable_shared_from_this<plain_websocket_session> {
 public:
  plain_websocket_session(tcp::socket&& socket, std::shared_ptr<shared_state> state, connection_slot slot);
  tcp::socket& stream() { return socket_; }
  tcp::socket& socket() { return socket_; }
  // After the close frames: half-close, then read until the client hangs up (RFC 6455 7.1.1).
  void teardown();
  // Re-registers the socket with another io thread's context; false if it stays.
  bool move_to(const asio::any_io_executor& home) { return move_socket(socket_, home); }

 private:
  tcp::socket socket_;
};

class ssl_websocket_session : public websocket_session<ssl_websocket_session>,
                              public std::enable_shared_from_this<ssl_websocket_session> {
 public:
  ssl_websocket_session(tls_stream&& stream, std::shared_ptr<shared_state> state, connection_slot slot);
  tls_stream& stream() { return stream_; }
  tcp::socket& socket() { return stream_.socket(); }
  // After the close frames: TLS close_notify both ways, then the socket closes.
  void teardown();
  bool move_to(const asio::any_io_executor& home) { return stream_.move_to(home); }

 private:
  tls_stream stream_;
};

// The plain session keeps only the socket: the HTTP stream's timers have no use after the upgrade.
void make_websocket_session(beast::tcp_stream stream, std::string upgrade_response, std::string_view early_bytes,
                            std::shared_ptr<shared_state> state, connection_slot slot);
void make_websocket_session(tls_stream stream, std::string upgrade_response,
                            std::string_view early_bytes, std::shared_ptr<shared_state> state, connection_slot slot);

extern template class websocket_session<plain_websocket_session>;
extern template class websocket_session<ssl_websocket_session>;

}  // namespace kelisim::net
