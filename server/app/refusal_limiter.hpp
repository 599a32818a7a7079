#pragma once
// How many refused credentials (a bad admin token, an invitation that does not verify) from one
// remote address are written to the audit log.
//
// Repeating a bad token is free for the sender: with one audit row per refusal, anyone could grow
// the database without bound and keep the store's single writer — the one every live room waits
// on — busy with audit rows. Each address gets a token bucket: a refusal it admits is
// audited as before; beyond it the admin API answers 429 and a refused hello is still refused but
// not written down. The next audited refusal from that address says how many were left out, so
// the log still counts them.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "app/token_bucket.hpp"

namespace kelisim::app {

class refusal_limiter {
 public:
  using clock = token_bucket::clock;

  struct settings {
    double burst = 400;                 // refusals audited at once from one address
    double per_second = 0.1;            // then one every 10 s
    std::size_t max_addresses = 4096;   // addresses tracked; past it, new ones are not audited
  };

  struct verdict {
    bool audit = false;               // write this refusal to the audit log
    std::uint64_t left_out = 0;       // refusals from this address not audited since the last one
  };

  refusal_limiter() : refusal_limiter(settings{}) {}
  explicit refusal_limiter(settings s) : settings_(s) {}

  // One more refusal from `address`.
  verdict refused(const std::string& address, clock::time_point now = clock::now());

  // Refusals not audited so far, all addresses together.
  std::uint64_t left_out_total() const;

  // Seconds until an address past its limit has one more audited refusal (for Retry-After).
  int refill_seconds() const;

 private:
  struct address_record {
    token_bucket audits;
    std::uint64_t left_out = 0;  // refusals not audited since the last one that was
  };

  // Forgets addresses whose bucket is full again and owes no count: they are as good as new.
  void forget_settled(clock::time_point now);

  const settings settings_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, address_record> addresses_;
  std::uint64_t left_out_total_ = 0;
};

// What an audited refusal adds about the ones before it that were not written: "" when none.
std::string not_itemised(std::uint64_t left_out);

}  // namespace kelisim::app
