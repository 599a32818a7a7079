#include "net/websocket_frames.hpp"

#include <algorithm>

#include "protocol/text.hpp"

namespace kelisim::net {

namespace {
constexpr std::size_t control_max = 125;

bool is_control(opcode op) { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }

bool known_opcode(std::uint8_t op) { return op <= 2 || (op >= 8 && op <= 10); }

// Codes a peer may send (RFC 6455 7.4, the IANA registry up to 1014, and the private ranges).
bool valid_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

std::size_t header_size_for(const std::array<unsigned char, 14>& header) {
  const auto length7 = header[1] & 0x7F;
  return 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + 4;
}
}  // namespace

std::size_t frame_reader::read(std::string_view bytes, frame_event& event) {
  event.what = frame_event::kind::none;
  event.code = 0;
  event.payload.clear();
  std::size_t used = 0;
  while (!failed_ && used < bytes.size()) {
    if (!in_payload_) {
      used += read_header(bytes.substr(used), event);
      if (failed_ || !in_payload_) return used;
    } else {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size() - used));
      std::string& body = is_control(opcode_) ? control_ : message_;
      const std::size_t start = body.size();
      body.append(bytes.data() + used, n);
      for (std::size_t i = 0; i < n; ++i)
        body[start + i] = static_cast<char>(static_cast<unsigned char>(body[start + i]) ^ mask_[(unmasked_ + i) & 3]);
      unmasked_ += n;
      remaining_ -= n;
      used += n;
    }
    if (in_payload_ && remaining_ == 0) {
      finish_frame(event);
      if (event.what != frame_event::kind::none) return used;
    }
  }
  return used;
}

std::size_t frame_reader::read_header(std::string_view bytes, frame_event& event) {
  std::size_t used = 0;
  while (used < bytes.size() && (header_size_ < 2 || header_size_ < header_size_for(header_))) {
    header_[header_size_++] = static_cast<unsigned char>(bytes[used++]);
    // The first two bytes already tell most violations: answer them before any length arrives.
    if (header_size_ == 2 && !start_frame(event)) return used;
  }
  if (header_size_ < 2 || header_size_ < header_size_for(header_)) return used;

  const auto length7 = header_[1] & 0x7F;
  std::uint64_t length = length7;
  std::size_t at = 2;
  if (length7 == 126) {
    length = (std::uint64_t{header_[2]} << 8) | header_[3];
    at = 4;
    if (length < 126) {
      fail(event, close_code::protocol_error, "length not minimally encoded");
      return used;
    }
  } else if (length7 == 127) {
    length = 0;
    for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | header_[i];
    at = 10;
    if ((length >> 63) != 0 || length <= 0xFFFF) {
      fail(event, close_code::protocol_error, "length not minimally encoded");
      return used;
    }
  }
  if (!is_control(opcode_) && length > message_max_ - message_.size()) {
    fail(event, close_code::too_big, "message too big");
    return used;
  }
  std::copy_n(header_.begin() + static_cast<std::ptrdiff_t>(at), 4, mask_.begin());
  header_size_ = 0;
  in_payload_ = true;
  remaining_ = length;
  unmasked_ = 0;
  if (is_control(opcode_)) {
    control_.clear();
  } else if (opcode_ == opcode::text) {
    in_message_ = true;
    message_.clear();
  }
  return used;
}

bool frame_reader::start_frame(frame_event& event) {
  const auto first = header_[0];
  const auto second = header_[1];
  fin_ = (first & 0x80) != 0;
  if ((first & 0x70) != 0) return fail(event, close_code::protocol_error, "reserved bits set"), false;
  const auto op = static_cast<std::uint8_t>(first & 0x0F);
  if (!known_opcode(op)) return fail(event, close_code::protocol_error, "reserved opcode"), false;
  opcode_ = static_cast<opcode>(op);
  if ((second & 0x80) == 0) return fail(event, close_code::protocol_error, "client frames must be masked"), false;
  if (is_control(opcode_)) {
    if (!fin_) return fail(event, close_code::protocol_error, "fragmented control frame"), false;
    if ((second & 0x7F) > control_max) return fail(event, close_code::protocol_error, "control frame too long"), false;
    return true;
  }
  if (opcode_ == opcode::continuation && !in_message_)
    return fail(event, close_code::protocol_error, "continuation without a message"), false;
  if (opcode_ != opcode::continuation && in_message_)
    return fail(event, close_code::protocol_error, "new message inside a fragmented one"), false;
  if (opcode_ == opcode::binary) return fail(event, close_code::unsupported_data, "text frames only"), false;
  return true;
}

void frame_reader::finish_frame(frame_event& event) {
  in_payload_ = false;
  switch (opcode_) {
    case opcode::ping:
      event.what = frame_event::kind::ping;
      event.payload = control_;
      return;
    case opcode::pong:
      event.what = frame_event::kind::pong;
      return;
    case opcode::close: {
      if (control_.empty()) {
        event.what = frame_event::kind::close;
        event.code = close_code::no_status;
        event.payload.clear();
        return;
      }
      if (control_.size() < 2) return fail(event, close_code::protocol_error, "close body of one byte");
      const auto code = static_cast<std::uint16_t>((static_cast<unsigned char>(control_[0]) << 8) |
                                                   static_cast<unsigned char>(control_[1]));
      if (!valid_close_code(code)) return fail(event, close_code::protocol_error, "invalid close code");
      const std::string_view reason = std::string_view(control_).substr(2);
      if (!protocol::valid_utf8(reason)) return fail(event, close_code::invalid_payload, "close reason is not UTF-8");
      event.what = frame_event::kind::close;
      event.code = code;
      event.payload.assign(reason);
      return;
    }
    default:
      break;
  }
  if (!fin_) return;
  in_message_ = false;
  if (!protocol::valid_utf8(message_)) return fail(event, close_code::invalid_payload, "text is not UTF-8");
  event.what = frame_event::kind::message;
  // Moved out whole: the reader keeps no buffer between messages.
  event.payload = std::move(message_);
  message_ = std::string();
}

void frame_reader::fail(frame_event& event, std::uint16_t code, std::string_view why) {
  failed_ = true;
  in_message_ = false;
  message_ = std::string();
  event.what = frame_event::kind::violation;
  event.code = code;
  event.payload.assign(why);
}

frame_header::frame_header(opcode op, std::size_t payload_size) noexcept {
  bytes[0] = static_cast<char>(0x80 | static_cast<std::uint8_t>(op));
  if (payload_size < 126) {
    bytes[1] = static_cast<char>(payload_size);
    size = 2;
  } else if (payload_size <= 0xFFFF) {
    bytes[1] = 126;
    bytes[2] = static_cast<char>((payload_size >> 8) & 0xFF);
    bytes[3] = static_cast<char>(payload_size & 0xFF);
    size = 4;
  } else {
    bytes[1] = 127;
    const auto length = static_cast<std::uint64_t>(payload_size);
    for (std::size_t i = 0; i < 8; ++i) bytes[2 + i] = static_cast<char>((length >> (8 * (7 - i))) & 0xFF);
    size = 10;
  }
}

std::string control_frame(opcode op, std::string_view payload) {
  payload = payload.substr(0, std::min(payload.size(), control_max));
  const frame_header header(op, payload.size());
  std::string frame(header.view());
  frame.append(payload);
  return frame;
}

std::string close_frame(std::uint16_t code, std::string_view reason) {
  if (code == close_code::no_status) return control_frame(opcode::close, {});
  // Cut the reason to fit beside the code, and never inside a UTF-8 sequence.
  std::size_t keep = std::min(reason.size(), control_max - 2);
  while (keep > 0 && keep < reason.size() && (static_cast<unsigned char>(reason[keep]) & 0xC0) == 0x80) --keep;
  std::string body;
  body.push_back(static_cast<char>(code >> 8));
  body.push_back(static_cast<char>(code & 0xFF));
  body.append(reason.substr(0, keep));
  return control_frame(opcode::close, body);
}

}  // namespace kelisim::net
