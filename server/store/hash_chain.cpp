#include "server/store/hash_chain.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>

namespace kelisim::store {
namespace {

using digest = std::array<unsigned char, 32>;

// The store's writer hashes every event twice, so the algorithm is fetched once (OpenSSL 3's
// implicit fetch on each EVP_Digest looks it up again and allocates a context every time) and
// each thread reuses one digest context.
const EVP_MD* sha256_algorithm() {
  static const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> fetched(EVP_MD_fetch(nullptr, "SHA2-256", nullptr),
                                                                       &EVP_MD_free);
  if (!fetched) throw std::runtime_error("SHA-256 is not available (OpenSSL EVP_MD_fetch)");
  return fetched.get();
}

digest sha256(const void* data, std::size_t size) {
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                                     &EVP_MD_CTX_free);
  digest out{};
  unsigned int out_size = 0;
  if (!context || EVP_DigestInit_ex2(context.get(), sha256_algorithm(), nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), data, size) != 1 ||
      EVP_DigestFinal_ex(context.get(), out.data(), &out_size) != 1 || out_size != out.size())
    throw std::runtime_error("SHA-256 failed (OpenSSL EVP_Digest)");
  return out;
}

std::string to_hex(const digest& d) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex(d.size() * 2, '0');
  for (std::size_t i = 0; i < d.size(); ++i) {
    hex[2 * i] = digits[d[i] >> 4];
    hex[2 * i + 1] = digits[d[i] & 0x0f];
  }
  return hex;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void decode_hex_into(std::string_view hex, unsigned char* out, const char* what) {
  if (hex.size() != 64) throw std::invalid_argument(std::string(what) + " is not 64 hex digits");
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) throw std::invalid_argument(std::string(what) + " is not 64 hex digits");
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
}

std::string shorten(std::string_view hash) {
  return hash.size() > 16 ? std::string(hash.substr(0, 16)) + "…" : std::string(hash);
}

}  // namespace

std::string sha256_hex(std::string_view bytes) { return to_hex(sha256(bytes.data(), bytes.size())); }

std::string chain_hash(std::string_view prev_hash_hex, seq_t seq, std::string_view payload_hash_hex) {
  std::array<unsigned char, 32 + 8 + 32> input{};
  decode_hex_into(prev_hash_hex, input.data(), "prev_hash");
  const auto s = static_cast<std::uint64_t>(seq);
  for (int i = 0; i < 8; ++i) input[32 + i] = static_cast<unsigned char>(s >> (56 - 8 * i));
  decode_hex_into(payload_hash_hex, input.data() + 40, "payload_hash");
  return to_hex(sha256(input.data(), input.size()));
}

bool is_hash_hex(std::string_view s) noexcept {
  if (s.size() != 64) return false;
  for (const char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

stored_event seal_event(const room_id& room, const new_event& event, std::string_view prev_hash) {
  stored_event e;
  e.room = room;
  e.seq = event.seq;
  e.ts = event.ts;
  e.kind = event.kind;
  e.body = event.body;
  e.payload_hash = sha256_hex(event.body);
  e.prev_hash = std::string(prev_hash);
  e.hash = chain_hash(e.prev_hash, e.seq, e.payload_hash);
  return e;
}

std::string_view to_string(chain_fault fault) noexcept {
  switch (fault) {
    case chain_fault::seq_gap: return "seq_gap";
    case chain_fault::payload_hash_mismatch: return "payload_hash_mismatch";
    case chain_fault::prev_link_broken: return "prev_link_broken";
    case chain_fault::hash_mismatch: return "hash_mismatch";
  }
  return "hash_mismatch";
}

std::optional<chain_break> verify_chain(std::span<const stored_event> events) {
  std::string previous(zero_hash);
  seq_t expected = 1;
  for (const auto& e : events) {
    if (e.seq != expected)
      return chain_break{e.seq, chain_fault::seq_gap,
                         "expected seq " + std::to_string(expected) + ", found " + std::to_string(e.seq)};
    if (!is_hash_hex(e.payload_hash) || (!e.body.empty() && sha256_hex(e.body) != e.payload_hash))
      return chain_break{e.seq, chain_fault::payload_hash_mismatch,
                         "payload_hash " + shorten(e.payload_hash) + " is not the SHA-256 of the body"};
    if (e.prev_hash != previous)
      return chain_break{e.seq, chain_fault::prev_link_broken,
                         "prev_hash " + shorten(e.prev_hash) + " does not match the hash of seq " +
                             std::to_string(expected - 1) + " (" + shorten(previous) + ")"};
    if (!is_hash_hex(e.hash) || chain_hash(e.prev_hash, e.seq, e.payload_hash) != e.hash)
      return chain_break{e.seq, chain_fault::hash_mismatch,
                         "hash " + shorten(e.hash) + " is not SHA-256(prev_hash ‖ seq ‖ payload_hash)"};
    previous = e.hash;
    ++expected;
  }
  return std::nullopt;
}

}  // namespace kelisim::store
