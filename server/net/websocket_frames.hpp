#pragma once
// RFC 6455 framing for the server side of an established connection, without I/O.
//
// frame_reader takes the bytes a client sent, in whatever pieces they arrive, and yields whole
// text messages, pings, pongs and the close frame — or the close code a violation earns. It keeps
// only a partial frame header and a message still being assembled, so an idle connection holds
// nothing. The server writes only unmasked, unfragmented frames: frame_header() is all it needs.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kelisim::net {

namespace close_code {
// Close codes (RFC 6455 7.4.1) the transport sends or answers with.
constexpr std::uint16_t normal = 1000;
constexpr std::uint16_t going_away = 1001;
constexpr std::uint16_t protocol_error = 1002;
constexpr std::uint16_t unsupported_data = 1003;
constexpr std::uint16_t no_status = 1005;  // never on the wire: a close frame without a body
constexpr std::uint16_t invalid_payload = 1007;
constexpr std::uint16_t policy_violation = 1008;
constexpr std::uint16_t too_big = 1009;
constexpr std::uint16_t internal_error = 1011;
}  // namespace close_code

enum class opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// What one call to frame_reader::read found.
struct frame_event {
  enum class kind {
    none,     // the bytes so far end inside a frame: read more
    message,  // a whole text message, valid UTF-8, in `payload`
    ping,     // answer with a pong carrying `payload`
    pong,
    close,    // the client's close frame: `code` (no_status without a body) and `payload`, the reason
    violation // the client broke the protocol: close with `code`, `payload` says why
  };
  kind what = kind::none;
  std::uint16_t code = 0;
  std::string payload;
};

class frame_reader {
 public:
  explicit frame_reader(std::size_t message_max) : message_max_(message_max) {}

  // Consumes bytes from the front of `bytes` up to the end of the next event and returns how
  // many it took; `event` says what ended there (kind::none when all of `bytes` was taken and
  // no frame finished). After a violation the reader is spent: it takes nothing more.
  std::size_t read(std::string_view bytes, frame_event& event);

  // True while a message is partly assembled (memory held beyond the reader itself).
  bool mid_message() const noexcept { return in_message_; }

 private:
  std::size_t read_header(std::string_view bytes, frame_event& event);
  bool start_frame(frame_event& event);
  void finish_frame(frame_event& event);
  void fail(frame_event& event, std::uint16_t code, std::string_view why);

  const std::size_t message_max_;

  // The header of the frame being read, as far as it has arrived (at most 2 + 8 + 4 bytes).
  std::array<unsigned char, 14> header_{};
  std::uint8_t header_size_ = 0;
  bool in_payload_ = false;
  bool failed_ = false;

  // The current frame, once its header is complete.
  bool fin_ = false;
  opcode opcode_ = opcode::continuation;
  std::array<unsigned char, 4> mask_{};
  std::uint64_t remaining_ = 0;
  std::uint64_t unmasked_ = 0;  // payload bytes of this frame unmasked so far (the mask's phase)

  // A data message assembled over one or more frames, and a control frame's body.
  bool in_message_ = false;
  std::string message_;
  std::string control_;
};

// The header of an unmasked, final server frame carrying `payload_size` bytes; at most 10 bytes.
struct frame_header {
  std::array<char, 10> bytes{};
  std::size_t size = 0;
  frame_header(opcode op, std::size_t payload_size) noexcept;
  std::string_view view() const noexcept { return {bytes.data(), size}; }
};

// A whole close frame with this code and reason (the reason cut to fit a control frame).
std::string close_frame(std::uint16_t code, std::string_view reason);
// A whole control frame (ping or pong) carrying `payload` (at most 125 bytes).
std::string control_frame(opcode op, std::string_view payload);

}  // namespace kelisim::net
