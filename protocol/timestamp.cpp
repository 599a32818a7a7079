// RFC 3339 timestamps of the wire and the transcript: "2026-11-26T05:02:26.123Z".
// Pure calendar arithmetic through std::chrono: no locale, no time zone database, no gmtime.
#include <chrono>
#include <stdexcept>
#include <string>

#include "protocol/codec.hpp"

namespace kelisim::protocol {
namespace {

// Four-digit years only: 0000-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z.
constexpr time_ms earliest_timestamp = -62'167'219'200'000;
constexpr time_ms latest_timestamp = 253'402'300'799'999;
constexpr std::size_t timestamp_length = 24;  // "YYYY-MM-DDTHH:MM:SS.mmmZ"

void put_digits(std::string& out, std::size_t at, long long value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// Reads `width` ASCII digits at `at`; -1 when any of them is not a digit.
int read_digits(std::string_view s, std::size_t at, int width) noexcept {
  int value = 0;
  for (int i = 0; i < width; ++i) {
    const char c = s[at + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

std::string format_timestamp(time_ms t) {
  using namespace std::chrono;
  if (t < earliest_timestamp || t > latest_timestamp)
    throw std::out_of_range("timestamp outside years 0000-9999");
  const sys_time<milliseconds> moment{milliseconds{t}};
  // floor, not truncation: instants before 1970 still land on the right day.
  const sys_days midnight = floor<days>(moment);
  const year_month_day date{midnight};
  const hh_mm_ss<milliseconds> time{moment - midnight};

  std::string out = "0000-00-00T00:00:00.000Z";
  put_digits(out, 0, static_cast<int>(date.year()), 4);
  put_digits(out, 5, static_cast<unsigned>(date.month()), 2);
  put_digits(out, 8, static_cast<unsigned>(date.day()), 2);
  put_digits(out, 11, time.hours().count(), 2);
  put_digits(out, 14, time.minutes().count(), 2);
  put_digits(out, 17, time.seconds().count(), 2);
  put_digits(out, 20, time.subseconds().count(), 3);
  return out;
}

std::optional<time_ms> parse_timestamp(std::string_view s) noexcept {
  using namespace std::chrono;
  // Exactly the form format_timestamp writes: upper-case T and Z, three fractional digits.
  if (s.size() != timestamp_length || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
      s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z')
    return std::nullopt;
  const int y = read_digits(s, 0, 4);
  const int mo = read_digits(s, 5, 2);
  const int d = read_digits(s, 8, 2);
  const int h = read_digits(s, 11, 2);
  const int mi = read_digits(s, 14, 2);
  const int sec = read_digits(s, 17, 2);
  const int ms = read_digits(s, 20, 3);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || ms < 0) return std::nullopt;
  // A leap second (:60) has no place on a millisecond count since the epoch.
  if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  const auto moment = sys_days{date} + hours{h} + minutes{mi} + seconds{sec} + milliseconds{ms};
  return duration_cast<milliseconds>(moment.time_since_epoch()).count();
}

}  // namespace kelisim::protocol
