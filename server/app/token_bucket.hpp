#pragma once
// A token bucket: at most `burst` tokens, refilled at `per_second`; every admitted act takes one.
// Used for a connection's command rate and for how many refusals an address gets audited.
#include <algorithm>
#include <chrono>

namespace kelisim::app {

class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  token_bucket(double burst, double per_second, clock::time_point now)
      : burst_(burst), per_second_(per_second), tokens_(burst), refilled_at_(now) {}

  // Refills for the time since the last call, then takes a token if there is a whole one.
  bool take(clock::time_point now) {
    refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

  // Refilled to the brim by `now`: as good as a new bucket.
  bool full(clock::time_point now) {
    refill(now);
    return tokens_ >= burst_;
  }

 private:
  void refill(clock::time_point now) {
    const double elapsed = std::chrono::duration<double>(now - refilled_at_).count();
    if (elapsed <= 0) return;
    tokens_ = std::min(burst_, tokens_ + elapsed * per_second_);
    refilled_at_ = now;
  }

  double burst_;
  double per_second_;
  double tokens_;
  clock::time_point refilled_at_;
};

}  // namespace kelisim::app
