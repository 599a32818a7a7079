#pragma once
// Application counters exposed at /metrics in Prometheus text format.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "net/application.hpp"
#include "store/transcript_store.hpp"

namespace kelisim::app {

class metrics {
 public:
  void command_received(std::string_view type);
  void error_sent(std::string_view code);
  // Time from handing events to the store until they were durable, in seconds.
  void commit_observed(double seconds);
  void deliveries(std::uint64_t frames) { deliveries_.fetch_add(frames, std::memory_order_relaxed); }
  void set_rooms(std::int64_t n) { rooms_.store(n, std::memory_order_relaxed); }

  // `refusals_not_audited`: refused credentials past refusal_limiter, counted but not written.
  std::string render(const net::transport_counters& transport, const store::store_stats& store,
                     std::uint64_t refusals_not_audited) const;

 private:
  static constexpr std::array<double, 10> latency_bounds{0.0005, 0.001, 0.002, 0.005, 0.01,
                                                         0.02,   0.05,  0.1,   0.5,   1.0};
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t, std::less<>> commands_;
  std::map<std::string, std::uint64_t, std::less<>> errors_;
  std::array<std::uint64_t, latency_bounds.size() + 1> commit_buckets_{};
  double commit_sum_ = 0;
  std::uint64_t commit_count_ = 0;
  std::atomic<std::uint64_t> deliveries_{0};
  std::atomic<std::int64_t> rooms_{0};
};

}  // namespace kelisim::app
