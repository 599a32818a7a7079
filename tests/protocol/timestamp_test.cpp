// RFC 3339 UTC timestamps with exactly three fractional digits and a Z.
#include <gtest/gtest.h>

#include "protocol/codec.hpp"

namespace kelisim::protocol {
namespace {

struct timestamp_case {
  time_ms t;
  const char* text;
};

TEST(Timestamp, FormatsAndParsesKnownInstants) {
  const timestamp_case cases[] = {
      {0, "1970-01-01T00:00:00.000Z"},
      {1, "1970-01-01T00:00:00.001Z"},
      {-1, "1969-12-31T23:59:59.999Z"},
      {1'795'669'346'123, "2026-11-26T05:02:26.123Z"},
      {951'782'400'000, "2000-02-29T00:00:00.000Z"},        // leap day of a /400 year
      {1'709'251'199'999, "2024-02-29T23:59:59.999Z"},
      {1'735'689'599'999, "2024-12-31T23:59:59.999Z"},      // last ms of a leap year
      {4'107'542'400'000, "2100-03-01T00:00:00.000Z"},      // 2100 is not a leap year
      {-62'167'219'200'000, "0000-01-01T00:00:00.000Z"},
      {253'402'300'799'999, "9999-12-31T23:59:59.999Z"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(format_timestamp(c.t), c.text);
    EXPECT_EQ(parse_timestamp(c.text), c.t);
  }
}

TEST(Timestamp, RoundTripsAcrossTheRange) {
  for (time_ms t = -62'167'219'200'000; t < 253'402'300'799'999; t += 7'777'777'777'777)
    EXPECT_EQ(parse_timestamp(format_timestamp(t)), t) << t;
}

TEST(Timestamp, OutsideFourDigitYearsIsRefused) {
  EXPECT_THROW(format_timestamp(-62'167'219'200'001), std::out_of_range);
  EXPECT_THROW(format_timestamp(253'402'300'800'000), std::out_of_range);
  EXPECT_THROW(format_timestamp(std::numeric_limits<time_ms>::min()), std::out_of_range);
}

TEST(Timestamp, ParsesOnlyTheExactForm) {
  for (const char* bad : {
           "",
           "2026-11-26T05:02:26Z",           // no milliseconds
           "2026-11-26T05:02:26.12Z",        // two digits
           "2026-11-26T05:02:26.1234Z",      // four digits
           "2026-11-26T05:02:26.123",        // no Z
           "2026-11-26T05:02:26.123+00:00",  // offset instead of Z
           "2026-11-26t05:02:26.123z",       // lower case
           "2026-11-26 05:02:26.123Z",       // space
           "2026-13-01T00:00:00.000Z",       // month 13
           "2026-00-10T00:00:00.000Z",       // month 0
           "2026-02-29T00:00:00.000Z",       // not a leap year
           "2100-02-29T00:00:00.000Z",       // century, not a leap year
           "2026-04-31T00:00:00.000Z",       // April has 30 days
           "2026-11-00T00:00:00.000Z",       // day 0
           "2026-11-26T24:00:00.000Z",       // hour 24
           "2026-11-26T05:60:00.000Z",       // minute 60
           "2026-12-31T23:59:60.000Z",       // leap second
           "+026-11-26T05:02:26.123Z",       // sign
           "2026-11-26T05:02:2a.123Z",       // letter
           "２026-11-26T05:02:26.123Z",      // full-width digit
       }) {
    EXPECT_FALSE(parse_timestamp(bad)) << bad;
  }
}

}  // namespace
}  // namespace kelisim::protocol
