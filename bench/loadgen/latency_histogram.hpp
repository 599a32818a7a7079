#pragma once
// A log-linear latency histogram in the spirit of HdrHistogram: 64 linear sub-buckets per power of
// two (relative error under 1.6 %), nanosecond values up to ~18 minutes. Recording is one index
// computation and one increment; the bucket array is allocated on the first value, so the
// thousands of idle connections of mode (iii) cost nothing.
#include <cstdint>
#include <vector>

namespace kelisim::bench {

class latency_histogram {
public:
  void record(std::int64_t nanoseconds);
  void merge(const latency_histogram& other);
  void clear();

  std::uint64_t count() const { return count_; }
  std::int64_t max() const { return max_; }
  // The smallest recorded bucket's upper edge at or above the given quantile (0..1), in ns.
  std::int64_t quantile(double q) const;

private:
  static constexpr int sub_bits = 6;
  static constexpr int sub_count = 1 << sub_bits;
  static constexpr int magnitudes = 40;
  static constexpr int bucket_count = sub_count * (magnitudes + 1);

  static int index_of(std::uint64_t v);
  static std::int64_t upper_edge(int index);

  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  std::int64_t max_ = 0;
};

}  // namespace kelisim::bench
