#include "latency_histogram.hpp"

#include <algorithm>
#include <bit>

namespace kelisim::bench {

int latency_histogram::index_of(std::uint64_t v) {
  if (v < sub_count) return static_cast<int>(v);
  // Values in [2^m, 2^(m+1)) with m >= sub_bits share one row of sub_count buckets.
  const int m = std::bit_width(v) - 1;
  const int row = std::min(m - sub_bits + 1, magnitudes);
  const int shift = m - sub_bits;
  const int sub = static_cast<int>((v >> shift) & (sub_count - 1));
  return row * sub_count + sub;
}

std::int64_t latency_histogram::upper_edge(int index) {
  const int row = index / sub_count;
  const int sub = index % sub_count;
  if (row == 0) return sub;
  const int shift = row - 1;
  return ((static_cast<std::int64_t>(sub_count + sub) + 1) << shift) - 1;
}

void latency_histogram::record(std::int64_t nanoseconds) {
  const auto v = static_cast<std::uint64_t>(std::max<std::int64_t>(nanoseconds, 0));
  if (buckets_.empty()) buckets_.assign(bucket_count, 0);
  ++buckets_[static_cast<std::size_t>(index_of(v))];
  ++count_;
  max_ = std::max(max_, static_cast<std::int64_t>(v));
}

void latency_histogram::merge(const latency_histogram& other) {
  if (other.count_ == 0) return;
  if (buckets_.empty()) buckets_.assign(bucket_count, 0);
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

void latency_histogram::clear() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
  max_ = 0;
}

std::int64_t latency_histogram::quantile(double q) const {
  if (count_ == 0) return 0;
  // Rank of the value at quantile q (1-based), so q = 1 is the largest value.
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(q * static_cast<double>(count_) + 0.999999));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(upper_edge(static_cast<int>(i)), max_);
  }
  return max_;
}

}  // namespace kelisim::bench
