#include "process_stats.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <unistd.h>

namespace kelisim::bench {

namespace {

struct stat_line {
  std::string name;        // field 2, without its parentheses
  std::int64_t cpu_us = 0;  // utime + stime
};

// A /proc/.../stat file: a process's or one thread's.
std::optional<stat_line> read_stat(const std::string& path) {
  std::ifstream file(path);
  std::string line;
  if (!file || !std::getline(file, line)) return std::nullopt;
  // The command name (field 2) may contain spaces; fields after it start past the last ')'.
  const auto open_paren = line.find('(');
  const auto close_paren = line.rfind(')');
  if (open_paren == std::string::npos || close_paren == std::string::npos || close_paren < open_paren)
    return std::nullopt;
  std::istringstream fields(line.substr(close_paren + 2));
  std::string field;
  long long utime = 0, stime = 0;
  // After ')' come field 3 (state) onwards; utime is field 14, stime 15.
  for (int n = 3; n <= 15 && fields >> field; ++n) {
    if (n == 14) utime = std::stoll(field);
    if (n == 15) stime = std::stoll(field);
  }
  const long ticks = sysconf(_SC_CLK_TCK);
  return stat_line{line.substr(open_paren + 1, close_paren - open_paren - 1),
                   (utime + stime) * 1'000'000 / (ticks > 0 ? ticks : 100)};
}

}  // namespace

std::optional<process_sample> sample_process(pid_t pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  const auto whole = read_stat(base + "/stat");
  if (!whole) return std::nullopt;
  process_sample s;
  s.cpu_us = whole->cpu_us;
  // A thread that ends between the listing and the read is simply not counted.
  std::error_code ec;
  for (std::filesystem::directory_iterator task(base + "/task", ec), end; !ec && task != end; task.increment(ec)) {
    if (const auto thread = read_stat(task->path().string() + "/stat")) s.thread_cpu_us[thread->name] += thread->cpu_us;
  }

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
