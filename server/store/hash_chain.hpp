#pragma once
// The transcript's tamper evidence: SHA-256 over each payload, chained over the previous hash.
// Definition (see transcript_store.hpp): payload_hash = SHA-256(body);
// hash = SHA-256(prev_hash ‖ seq as 8 bytes big-endian ‖ payload_hash) over the raw 32-byte
// digests (not their hex), everything stored as lowercase hex; seq 1 chains to 64 zeros.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "server/store/transcript_store.hpp"

namespace kelisim::store {

// 64 '0': the prev_hash of a room's first event.
inline constexpr std::string_view zero_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

// SHA-256(prev ‖ seq big-endian ‖ payload) as lowercase hex. Both inputs must be 64 hex digits
// (either case); anything else throws std::invalid_argument.
std::string chain_hash(std::string_view prev_hash_hex, seq_t seq, std::string_view payload_hash_hex);

// True if `s` is 64 lowercase hex digits (the stored form of every hash).
bool is_hash_hex(std::string_view s) noexcept;

// The stored form of `event` as the room's next event after `prev_hash`.
stored_event seal_event(const room_id& room, const new_event& event, std::string_view prev_hash);

enum class chain_fault {
  seq_gap,                // seq is not the previous seq + 1 (or the first is not 1)
  payload_hash_mismatch,  // payload_hash is not SHA-256(body)
  prev_link_broken,       // prev_hash is not the previous event's hash (or zeros for seq 1)
  hash_mismatch,          // hash is not chain_hash(prev_hash, seq, payload_hash)
};
std::string_view to_string(chain_fault fault) noexcept;

struct chain_break {
  seq_t seq = 0;  // the first event that does not verify
  chain_fault fault = chain_fault::hash_mismatch;
  std::string reason;  // one line for a person: what was expected and what was found
};

// Checks one room's complete log in order, from seq 1. An empty body means the payload was purged
// (retention): its payload_hash is then taken on trust and the chain still verifies.
// Returns the first break, or nullopt if the whole chain holds.
std::optional<chain_break> verify_chain(std::span<const stored_event> events);

}  // namespace kelisim::store
