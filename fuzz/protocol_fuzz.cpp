// Protocol decoding under arbitrary bytes: decode_client and decode_canonical_event never crash,
// never throw, and whatever they accept round-trips: encoding it and decoding the result gives a
// message that encodes to the very same text (encode . decode is idempotent on accepted input).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/codec.hpp"

namespace {

using namespace kelisim::protocol;

[[noreturn]] void broken(const char* property, std::string_view first, std::string_view second) {
  std::fprintf(stderr, "property broken: %s\n  first:  %.*s\n  second: %.*s\n", property,
               static_cast<int>(first.size()), first.data(), static_cast<int>(second.size()),
               second.data());
  std::abort();
}

std::string encode_client(const client_message& m) {
  return std::visit([](const auto& body) { return encode(body); }, m);
}

void check_client_frame(std::string_view frame) {
  const auto decoded = decode_client(frame);
  const auto* message = std::get_if<client_message>(&decoded);
  if (message == nullptr) {
    // A refusal names a code; it may carry the id only if the frame had one readable.
    return;
  }
  // decode_client never yields an internal command, so encode() must not throw here.
  const std::string once = encode_client(*message);
  const auto again = decode_client(once);
  const auto* message_again = std::get_if<client_message>(&again);
  if (message_again == nullptr) broken("an accepted frame re-encodes to a refused one", frame, once);
  if (message_again->index() != message->index()) broken("hello/command changed on round trip", frame, once);
  const std::string twice = encode_client(*message_again);
  if (once != twice) broken("decode(encode(m)) != m for a client frame", once, twice);
  if (const auto* c = std::get_if<command_message>(message)) {
    const auto* c2 = std::get_if<command_message>(message_again);
    if (c->id != c2->id || c->body.index() != c2->body.index())
      broken("command id or kind changed on round trip", once, twice);
  }
}

void check_canonical_event(std::string_view text) {
  const auto decoded = decode_canonical_event(text);
  const auto* e = std::get_if<event>(&decoded);
  if (e == nullptr) return;
  const std::string once = canonical_event(*e);
  const auto again = decode_canonical_event(once);
  const auto* e2 = std::get_if<event>(&again);
  if (e2 == nullptr) broken("an accepted canonical event re-encodes to a refused one", text, once);
  if (e2->seq != e->seq || e2->ts != e->ts || e2->actor != e->actor || e2->body.index() != e->body.index())
    broken("canonical event header changed on round trip", once, canonical_event(*e2));
  const std::string twice = canonical_event(*e2);
  if (once != twice) broken("decode(canonical(e)) != e", once, twice);
  // The wire form (what participants receive) must encode every accepted event too.
  const event_message wire{e, false};
  static_cast<void>(encode(wire));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_client_frame(input);
  check_canonical_event(input);
  return 0;
}
