#include "process_stats.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <unistd.h>

namespace kelisim::bench {

std::optional<process_sample> sample_process(pid_t pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::ifstream stat_file(base + "/stat");
  std::string stat_line;
  if (!stat_file || !std::getline(stat_file, stat_line)) return std::nullopt;
  // The command name (field 2) may contain spaces; fields after it start past the last ')'.
  const auto close_paren = stat_line.rfind(')');
  if (close_paren == std::string::npos) return std::nullopt;
  std::istringstream fields(stat_line.substr(close_paren + 2));
  std::string field;
  long long utime = 0, stime = 0;
  // After ')' come field 3 (state) onwards; utime is field 14, stime 15.
  for (int n = 3; n <= 15 && fields >> field; ++n) {
    if (n == 14) utime = std::stoll(field);
    if (n == 15) stime = std::stoll(field);
  }
  process_sample s;
  const long ticks = sysconf(_SC_CLK_TCK);
  s.cpu_us = (utime + stime) * 1'000'000 / (ticks > 0 ? ticks : 100);

  std::ifstream status_file(base + "/status");
  std::string line;
  while (std::getline(status_file, line)) {
    auto value_of = [&](const char* key) -> std::optional<std::int64_t> {
      const std::string k = key;
      if (line.compare(0, k.size(), k) != 0) return std::nullopt;
      return std::stoll(line.substr(k.size()));
    };
    if (auto v = value_of("VmRSS:")) s.rss_kb = *v;
    if (auto v = value_of("VmHWM:")) s.hwm_kb = *v;
    if (auto v = value_of("Threads:")) s.threads = static_cast<int>(*v);
  }

  // The durable store's cost on the disk: WAL frames, checkpoints, fsync'd metadata.
  std::ifstream io_file(base + "/io");
  while (std::getline(io_file, line)) {
    constexpr std::string_view key = "write_bytes: ";
    if (line.compare(0, key.size(), key) == 0) s.disk_write_bytes = std::stoll(line.substr(key.size()));
  }
  return s;
}

std::int64_t own_cpu_us() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto us = [](const timeval& t) { return static_cast<std::int64_t>(t.tv_sec) * 1'000'000 + t.tv_usec; };
  return us(u.ru_utime) + us(u.ru_stime);
}

std::uint64_t raise_fd_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return 0;
  if (r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
    getrlimit(RLIMIT_NOFILE, &r);
  }
  return r.rlim_cur;
}

}  // namespace kelisim::bench
