#include "app/refusal_limiter.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace kelisim::app {

void refusal_limiter::refill(bucket& b, clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - b.refilled_at).count();
  if (elapsed <= 0) return;
  b.tokens = std::min(settings_.burst, b.tokens + elapsed * settings_.per_second);
  b.refilled_at = now;
}

void refusal_limiter::forget_settled(clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    refill(it->second, now);
    const bool settled = it->second.tokens >= settings_.burst && it->second.left_out == 0;
    it = settled ? buckets_.erase(it) : std::next(it);
  }
}

refusal_limiter::verdict refusal_limiter::refused(const std::string& address, clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto found = buckets_.find(address);
  if (found == buckets_.end()) {
    if (buckets_.size() >= settings_.max_addresses) forget_settled(now);
    if (buckets_.size() >= settings_.max_addresses) {
      // Too many addresses refused at once to keep count of each: stop writing, count the total.
      ++left_out_total_;
      return {};
    }
    found = buckets_.emplace(address, bucket{settings_.burst, now, 0}).first;
  }
  auto& b = found->second;
  refill(b, now);
  if (b.tokens < 1.0) {
    ++b.left_out;
    ++left_out_total_;
    return {};
  }
  b.tokens -= 1.0;
  return {true, std::exchange(b.left_out, 0)};
}

std::string not_itemised(std::uint64_t left_out) {
  if (left_out == 0) return {};
  return " (and " + std::to_string(left_out) + " earlier refusals from this address, not itemised)";
}

std::uint64_t refusal_limiter::left_out_total() const {
  std::lock_guard lock(mutex_);
  return left_out_total_;
}

}  // namespace kelisim::app
