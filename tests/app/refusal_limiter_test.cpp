// refusal_limiter: which refused credentials from an address are audited, with time passed in.
#include "app/refusal_limiter.hpp"

#include <gtest/gtest.h>

namespace kelisim::app {
namespace {

using namespace std::chrono_literals;
using clock_type = refusal_limiter::clock;

const clock_type::time_point t0{};

TEST(RefusalLimiter, AuditsTheBurstThenOneEveryRefillAndCountsTheRest) {
  refusal_limiter limiter({.burst = 3, .per_second = 0.1, .max_addresses = 16});
  for (int i = 0; i < 3; ++i) {
    const auto v = limiter.refused("10.0.0.1", t0);
    EXPECT_TRUE(v.audit) << i;
    EXPECT_EQ(v.left_out, 0u);
  }
  EXPECT_FALSE(limiter.refused("10.0.0.1", t0).audit);
  EXPECT_FALSE(limiter.refused("10.0.0.1", t0 + 9s).audit);
  EXPECT_EQ(limiter.left_out_total(), 2u);
  // Ten seconds after the burst one more is audited, carrying the count of those left out.
  const auto after = limiter.refused("10.0.0.1", t0 + 10s);
  EXPECT_TRUE(after.audit);
  EXPECT_EQ(after.left_out, 2u);
  EXPECT_EQ(limiter.refused("10.0.0.1", t0 + 10s).left_out, 0u);
  EXPECT_EQ(limiter.left_out_total(), 3u);
}

TEST(RefusalLimiter, AddressesHaveBucketsOfTheirOwn) {
  refusal_limiter limiter({.burst = 1, .per_second = 0.1, .max_addresses = 16});
  EXPECT_TRUE(limiter.refused("10.0.0.1", t0).audit);
  EXPECT_FALSE(limiter.refused("10.0.0.1", t0).audit);
  EXPECT_TRUE(limiter.refused("10.0.0.2", t0).audit);
}

TEST(RefusalLimiter, TracksABoundedNumberOfAddressesAndForgetsSettledOnes) {
  refusal_limiter limiter({.burst = 1, .per_second = 0.1, .max_addresses = 2});
  EXPECT_TRUE(limiter.refused("a", t0).audit);
  EXPECT_TRUE(limiter.refused("b", t0).audit);
  // Both buckets are empty: a third address cannot be tracked and is not audited.
  EXPECT_FALSE(limiter.refused("c", t0).audit);
  EXPECT_EQ(limiter.left_out_total(), 1u);
  // Once their buckets are full again "a" and "b" are forgotten, and "c" gets a bucket.
  EXPECT_TRUE(limiter.refused("c", t0 + 10s).audit);
  // "c" now owes a count, so it is kept; "d" still fits beside it, but "e" does not.
  EXPECT_FALSE(limiter.refused("c", t0 + 10s).audit);
  EXPECT_TRUE(limiter.refused("d", t0 + 10s).audit);
  EXPECT_FALSE(limiter.refused("e", t0 + 10s).audit);
}

TEST(RefusalLimiter, NotItemisedSaysHowManyOrNothing) {
  EXPECT_EQ(not_itemised(0), "");
  EXPECT_EQ(not_itemised(7), " (and 7 earlier refusals from this address, not itemised)");
}

}  // namespace
}  // namespace kelisim::app
