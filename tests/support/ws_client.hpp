#pragma once
// A synchronous WebSocket client for tests, over WSS (verify_none: the test certificate is
// self-signed) or plain WS. Every operation has a deadline; nothing blocks forever.
//
// Frames are read continuously in the background of every call (a read is always pending), so
// pings are answered and nothing is lost while a test is busy sending. Every frame received is
// appended to a log that is never consumed: `raw_log()` is what a confidentiality scan reads.
// A cursor walks the log for step-by-step reading (`next`, `receive_until`); `wait_for` searches
// without moving it.
//
// Failures (deadline passed, unexpected error frame) throw std::runtime_error whose message
// includes the frames received so far: in a GoogleTest body that is reported as the failure.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

namespace kelisim::test {

using json = nlohmann::json;
using namespace std::chrono_literals;

struct ws_options {
  bool tls = true;
  std::string target = "/ws";
  std::optional<std::string> origin;  // an Origin header on the upgrade request
  std::chrono::milliseconds connect_timeout = 10s;
  std::chrono::milliseconds io_timeout = 10s;  // default deadline of sends and receives
  // SO_RCVBUF for the socket (set before connecting): a small one makes a client that stops
  // reading back up into the server quickly (slow-reader tests).
  std::optional<int> receive_buffer_bytes;
};

// The outcome of the opening handshake (TCP, TLS, HTTP upgrade).
struct upgrade_result {
  bool ok = false;
  int http_status = 0;  // the server's answer to the upgrade request (101 when ok), 0 if none
  std::string error;    // why it failed, for messages
};

// How the connection ended, once it has.
struct close_info {
  bool closed = false;          // the connection is over
  int code = 0;                 // close code from the server's close frame; 0 if none was received
  std::string reason;           // close reason text
  std::string error;            // the transport error when there was no close frame (eof, reset...)
};

// A frame as received: text (JSON expected) or binary.
struct ws_frame {
  std::string data;
  bool text = true;
  json parsed;  // discarded (is_discarded()) when not JSON
};

// WebSocket opcodes, for hand-made frames.
enum class ws_opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

class ws_client {
 public:
  ws_client(std::string host, std::uint16_t port, ws_options options = {});
  ~ws_client();
  ws_client(ws_client&&) noexcept;
  ws_client& operator=(ws_client&&) noexcept;
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  // The opening handshake. `connect` throws when it fails; `try_connect` reports.
  void connect();
  upgrade_result try_connect();

  // ---- sending (each waits until written, or throws at the io deadline) ----
  void send_text(std::string_view text);
  void send_binary(std::string_view data);
  void send_json(const json& message);
  // Report instead of throwing (abuse tests expect the server to hang up mid-write).
  std::error_code try_send_text(std::string_view text);
  std::error_code try_send_binary(std::string_view data);
  // Bytes written straight to the TLS/TCP stream after the upgrade, bypassing the WebSocket
  // framing (see `masked_frame`). The client's own framing state is not updated.
  std::error_code send_raw(std::string_view bytes);
  // A client frame as RFC 6455 lays it out: FIN, opcode, mask bit, length, mask key, masked payload.
  static std::string masked_frame(ws_opcode opcode, std::string_view payload, bool fin = true);

  // ---- protocol v1 helpers ----
  // Sends hello; `v` is the protocol version.
  void hello(const std::string& token, std::optional<std::int64_t> resume_after = std::nullopt, int v = 1);
  // hello, then waits for the answer: returns the welcome; throws if an error came instead.
  json join(const std::string& token, std::optional<std::int64_t> resume_after = std::nullopt);
  // Sends a command {type, id, ...fields}; returns the id (generated "t<n>" when empty).
  std::string send_command(std::string_view type, json fields = json::object(), std::string id = {});
  // Sends a command and waits for its ack or error (searching frames after the send, without
  // moving the cursor). Returns that frame.
  json request(std::string_view type, json fields = json::object(), std::string id = {});
  // request() that must be acked: returns the ack's seq (throws on an error frame).
  std::int64_t ok(std::string_view type, json fields = json::object(), std::string id = {});
  // request() that must be refused: returns the error frame (throws on an ack).
  json refused(std::string_view type, json fields = json::object(), std::string id = {});
  // Waits for the ack or error answering command `id`, searching from log index `from`.
  json wait_answer(const std::string& id, std::size_t from = 0);

  // ---- receiving ----
  // The next frame at the cursor, waiting up to `timeout`; nullopt if none came (or closed).
  std::optional<json> next(std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // Frames from the cursor up to and including the first matching `pred`; throws at the deadline.
  std::vector<json> receive_until(const std::function<bool(const json&)>& pred,
                                  std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // The first frame at index >= `from` matching `pred`, waiting for it; the cursor does not move.
  json wait_for(const std::function<bool(const json&)>& pred, std::size_t from = 0,
                std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // An event of this kind (optionally matching more), searched from `from`; cursor unchanged.
  json wait_event(std::string_view kind, std::size_t from = 0,
                  const std::function<bool(const json&)>& also = nullptr,
                  std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // Processes what has arrived without waiting.
  void poll();
  // Waits until at least `count` frames are in the log (or the connection ended, or the timeout
  // passed); never throws. True when the log has `count` frames.
  bool await_frame_count(std::size_t count, std::chrono::milliseconds timeout);

  // ---- closing ----
  // Waits until the server ends the connection; returns how (closed=false if it did not).
  close_info wait_closed(std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // wait_closed() that must end with this close code; throws otherwise.
  void expect_close(int code, std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // A client-initiated close handshake (1000 by default).
  void close(int code = 1000);
  // Drops the TCP connection without a close handshake (a crashed or vanished client).
  void drop();
  bool is_open() const noexcept;
  const close_info& closed() const noexcept;

  // ---- the log ----
  std::size_t frame_count() const noexcept;
  std::size_t cursor() const noexcept;
  void set_cursor(std::size_t index);
  const std::vector<ws_frame>& log() const noexcept;
  std::vector<std::string> raw_log() const;          // every frame's bytes, in order
  std::vector<json> frames(std::size_t from = 0) const;  // parsed frames (non-JSON skipped)
  std::vector<json> events(std::size_t from = 0) const;  // {"type":"event"} frames only
  // A readable dump of the frames from `from` (for failure messages).
  std::string dump(std::size_t from = 0) const;

  const std::string& host() const noexcept;
  std::uint16_t port() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// A string member of a frame, or "" when the frame is not an object or the member is not a string.
std::string text_of(const json& frame, std::string_view key);

// Predicates for the receive helpers.
std::function<bool(const json&)> is_type(std::string type);
std::function<bool(const json&)> is_event(std::string kind);

}  // namespace kelisim::test
