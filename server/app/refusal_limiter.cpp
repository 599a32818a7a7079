#include "app/refusal_limiter.hpp"

#include <cmath>
#include <iterator>
#include <utility>

namespace kelisim::app {

void refusal_limiter::forget_settled(clock::time_point now) {
  // std::erase_if hands its predicate a const entry; full() refills the bucket, so walk by hand.
  for (auto it = addresses_.begin(); it != addresses_.end();) {
    const bool settled = it->second.left_out == 0 && it->second.audits.full(now);
    it = settled ? addresses_.erase(it) : std::next(it);
  }
}

refusal_limiter::verdict refusal_limiter::refused(const std::string& address, clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto found = addresses_.find(address);
  if (found == addresses_.end()) {
    if (addresses_.size() >= settings_.max_addresses) forget_settled(now);
    if (addresses_.size() >= settings_.max_addresses) {
      // Too many addresses refused at once to keep count of each: stop writing, count the total.
      ++left_out_total_;
      return {};
    }
    found = addresses_.emplace(address, address_record{token_bucket(settings_.burst, settings_.per_second, now)}).first;
  }
  auto& record = found->second;
  if (!record.audits.take(now)) {
    ++record.left_out;
    ++left_out_total_;
    return {};
  }
  return {true, std::exchange(record.left_out, 0)};
}

std::string not_itemised(std::uint64_t left_out) {
  if (left_out == 0) return {};
  return " (and " + std::to_string(left_out) + " earlier refusals from this address, not itemised)";
}

int refusal_limiter::refill_seconds() const {
  return static_cast<int>(std::ceil(1.0 / settings_.per_second));
}

std::uint64_t refusal_limiter::left_out_total() const {
  std::lock_guard lock(mutex_);
  return left_out_total_;
}

}  // namespace kelisim::app
