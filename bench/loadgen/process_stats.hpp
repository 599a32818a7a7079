#pragma once
// What the kernel says about the server under test: CPU time (utime + stime from /proc/<pid>/stat,
// and per thread from /proc/<pid>/task/<tid>/stat),
// memory (VmRSS, VmHWM from /proc/<pid>/status) and bytes sent to disk (write_bytes from
// /proc/<pid>/io). Reading another process's /proc entries needs no privileges when it runs as
// the same user.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>

namespace kelisim::bench {

struct process_sample {
  std::int64_t cpu_us = 0;   // user + system CPU time
  std::int64_t rss_kb = 0;   // VmRSS
  std::int64_t hwm_kb = 0;   // VmHWM (peak RSS)
  int threads = 0;
  std::int64_t disk_write_bytes = -1;  // -1: /proc/<pid>/io not readable
  // CPU time by thread name (threads of one name summed): shows which part of a server the time
  // goes to, e.g. Kelisim's io threads against its store's writer and checkpointer.
  std::map<std::string, std::int64_t> thread_cpu_us;
};

// Empty when the process is gone or /proc is unreadable.
std::optional<process_sample> sample_process(pid_t pid);

// This process's own CPU time (the generator competes with the server for the same cores).
std::int64_t own_cpu_us();

// Raise RLIMIT_NOFILE's soft limit to the hard limit; returns the new soft limit.
std::uint64_t raise_fd_limit();

}  // namespace kelisim::bench
