#pragma once
// The figures of one run (or one ramp step): a human table on stdout and one JSON line for tools.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "bench_room.hpp"
#include "process_stats.hpp"
#include "settings.hpp"

namespace kelisim::bench {

struct connection_totals {
  std::int64_t attempted = 0;
  std::int64_t open = 0;
  std::int64_t failed = 0;
  std::int64_t lost = 0;
  std::int64_t welcomed = 0;
};

struct traffic_report {
  double rate = 0;           // per participant, messages/s
  double window_s = 0;       // send window
  phase_result traffic;
  std::int64_t setup_commands = 0;
  std::optional<process_sample> server_before, server_after;
  std::int64_t generator_cpu_us = 0;
};

struct idle_report {
  std::optional<process_sample> server_before, server_after, server_held;
  double hold_s = 0;
};

nlohmann::json describe_run(const settings& config, const connection_totals& connections);
nlohmann::json describe_traffic(const traffic_report& r);
nlohmann::json describe_idle(const idle_report& r, const connection_totals& connections);

// Prints the JSON object as an aligned "key  value" table (nested objects flattened with dots).
void print_table(const std::string& title, const nlohmann::json& figures);

}  // namespace kelisim::bench
