#pragma once
// JSON codec of protocol v1. Decoding untrusted input never throws: it returns a typed message or
// a precise decode_error (code + field). Encoding produces compact UTF-8 JSON text.
#include <string>
#include <string_view>
#include <variant>

#include "protocol/messages.hpp"

namespace kelisim::protocol {

// A client frame: hello or a command. Enforces every limit of the spec (frame size, depth,
// string lengths in code points, id syntax, numeric ranges). Never yields an internal command.
std::variant<client_message, decode_error> decode_client(std::string_view frame) noexcept;

// Server -> client frames. Strings that are not UTF-8 (the decoder admits none) are written with
// U+FFFD rather than throwing.
std::string encode(const welcome& m);
std::string encode(const event_message& m);  // wire form: no audience; throws std::invalid_argument if m.e is null
std::string encode(const ack& m);
std::string encode(const error& m);
std::string encode(const presence& m);

// Client -> server frames (for tests, the load generator and other tools).
std::string encode(const hello& m);
std::string encode(const command_message& m);  // throws std::invalid_argument for internal commands

// The transcript form of an event: canonical JSON (sorted keys, no whitespace) with the audience,
// stored by the transcript store and hashed for the tamper-evident chain. Round-trips exactly.
std::string canonical_event(const event& e);
std::variant<event, decode_error> decode_canonical_event(std::string_view text) noexcept;

// RFC 3339 UTC with exactly three fractional digits and a Z: "2026-11-26T05:02:26.123Z".
// Years 0000-9999 only; outside them format_timestamp throws std::out_of_range. parse_timestamp
// accepts exactly the form format_timestamp writes (upper-case T and Z, three digits, no leap second).
std::string format_timestamp(time_ms t);
std::optional<time_ms> parse_timestamp(std::string_view s) noexcept;

}  // namespace kelisim::protocol
