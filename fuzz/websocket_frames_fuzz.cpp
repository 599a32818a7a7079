// RFC 6455 frame_reader under arbitrary client bytes arriving in arbitrary pieces. The first byte
// picks how the rest is cut: all at once, byte by byte, pieces of one fixed size, or pieces of
// pseudo-random sizes. Whatever the bytes: read never takes more than it was given; it takes
// something whenever it is given something and has not failed, and takes everything when it finds
// no event; messages are valid UTF-8 of at most message_max bytes, pings at most 125 bytes, close
// reasons valid UTF-8 with a code a peer may send; a violation carries one of the codes the reader
// uses, leaves no message half-assembled, and afterwards the reader takes nothing at all. The
// events found do not depend on the cutting: they equal those of one read of all the bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "net/websocket_frames.hpp"
#include "protocol/text.hpp"

namespace {

using kelisim::net::frame_event;
using kelisim::net::frame_reader;
namespace close_code = kelisim::net::close_code;
using kind = frame_event::kind;

constexpr std::size_t message_max = 4096;
constexpr std::size_t control_max = 125;

[[noreturn]] void broken(const char* what, const frame_event& event) {
  std::fprintf(stderr, "websocket frames invariant broken: %s\n  event kind %d, code %u, payload %zu bytes\n", what,
               static_cast<int>(event.what), static_cast<unsigned>(event.code), event.payload.size());
  std::abort();
}

// What an event means: a pong carries nothing, and only close and violation carry a code.
struct seen {
  kind what;
  std::uint16_t code;
  std::string payload;
  bool operator==(const seen&) const = default;
};

seen meaning(const frame_event& e) {
  switch (e.what) {
    case kind::pong: return {e.what, 0, {}};
    case kind::close:
    case kind::violation: return {e.what, e.code, e.payload};
    default: return {e.what, 0, e.payload};
  }
}

void check(const frame_event& event, const frame_reader& reader) {
  switch (event.what) {
    case kind::none:
    case kind::pong: break;
    case kind::message:
      if (event.payload.size() > message_max) broken("message over message_max", event);
      if (!kelisim::protocol::valid_utf8(event.payload)) broken("message not UTF-8", event);
      if (reader.mid_message()) broken("mid_message after a whole message", event);
      break;
    case kind::ping:
      if (event.payload.size() > control_max) broken("ping over 125 bytes", event);
      break;
    case kind::close:
      if (event.code == close_code::no_status) {
        if (!event.payload.empty()) broken("close without status but with a reason", event);
      } else if (event.code < 1000 || event.code > 4999 || event.code == 1004 || event.code == 1005 ||
                 event.code == 1006 || event.payload.size() > control_max - 2 ||
                 !kelisim::protocol::valid_utf8(event.payload)) {
        broken("close with a code a peer may not send, or a bad reason", event);
      }
      break;
    case kind::violation:
      if (event.code != close_code::protocol_error && event.code != close_code::unsupported_data &&
          event.code != close_code::invalid_payload && event.code != close_code::too_big)
        broken("violation with an unexpected close code", event);
      if (reader.mid_message()) broken("mid_message after a violation", event);
      break;
  }
}

// Sizes of the pieces the input is cut into, from the first byte.
class cutter {
 public:
  explicit cutter(std::uint8_t choice) : mode_(choice & 3), size_(static_cast<std::size_t>(choice >> 2) + 1), state_(choice) {}

  std::size_t next(std::size_t left) {
    switch (mode_) {
      case 0: return left;                     // all at once
      case 1: return 1;                        // byte by byte
      case 2: return std::min(size_, left);    // 1 to 64 bytes at a time
      default:                                 // 1 to 300 bytes, pseudo-random
        state_ = state_ * 1103515245u + 12345u;
        return std::min<std::size_t>((state_ >> 16) % 300 + 1, left);
    }
  }

 private:
  unsigned mode_;
  std::size_t size_;
  std::uint32_t state_;
};

std::vector<seen> read_all(std::string_view input, cutter cut) {
  frame_reader reader(message_max);
  std::vector<seen> events;
  bool failed = false;
  while (!input.empty()) {
    std::string_view piece = input.substr(0, cut.next(input.size()));
    input.remove_prefix(piece.size());
    while (!piece.empty()) {
      frame_event event;
      const std::size_t used = reader.read(piece, event);
      if (used > piece.size()) broken("read took more than it was given", event);
      if (failed) {
        if (used != 0 || event.what != kind::none) broken("read took bytes after a violation", event);
        break;
      }
      if (used == 0) broken("read took nothing from a reader that has not failed", event);
      if (event.what == kind::none && used != piece.size()) broken("no event, yet bytes left over", event);
      check(event, reader);
      if (event.what != kind::none) events.push_back(meaning(event));
      if (event.what == kind::violation) failed = true;
      piece.remove_prefix(used);
    }
  }
  if (failed) {
    // Even a well-formed frame is refused now (a masked empty text frame).
    frame_event event;
    if (reader.read(std::string_view("\x81\x80\x00\x00\x00\x00", 6), event) != 0 || event.what != kind::none)
      broken("read took a frame after a violation", event);
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto in_pieces = read_all(input, cutter(data[0]));
  const auto at_once = read_all(input, cutter(0));
  if (in_pieces != at_once) {
    std::fprintf(stderr, "websocket frames property broken: %zu events in pieces (cut %u), %zu at once\n",
                 in_pieces.size(), static_cast<unsigned>(data[0]), at_once.size());
    std::abort();
  }
  return 0;
}
