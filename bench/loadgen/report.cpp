#include "report.hpp"

#include <cmath>
#include <cstdio>

namespace kelisim::bench {

namespace {

// Rounded to a number of decimals, so the JSON line does not print 0.30000000000000004.
double round_to(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

nlohmann::json latency_figures(const latency_histogram& h) {
  // Whole microseconds: the histogram's buckets are 1.6 % wide anyway.
  auto us = [](std::int64_t ns) { return (ns + 500) / 1000; };
  return {{"count", h.count()},
          {"p50_us", us(h.quantile(0.50))},
          {"p90_us", us(h.quantile(0.90))},
          {"p99_us", us(h.quantile(0.99))},
          {"max_us", us(h.max())}};
}

void flatten(const std::string& prefix, const nlohmann::json& j, std::vector<std::pair<std::string, std::string>>& rows) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) flatten(prefix.empty() ? it.key() : prefix + "." + it.key(), it.value(), rows);
    return;
  }
  rows.emplace_back(prefix, j.is_string() ? j.get<std::string>() : j.dump());
}

}  // namespace

nlohmann::json describe_run(const settings& config, const connection_totals& connections) {
  const char* modes[] = {"load", "idle", "ramp"};
  return {{"label", config.label},
          {"target", config.target == target_kind::kelisim ? "kelisim" : "relay"},
          {"transport", config.tls ? "tls" : "plain"},
          {"mode", modes[static_cast<int>(config.mode)]},
          {"rooms", config.rooms},
          {"participants", config.participants},
          {"text_bytes", config.text_bytes},
          {"connections",
           {{"attempted", connections.attempted},
            {"open", connections.open},
            {"failed", connections.failed},
            {"lost", connections.lost},
            {"welcomed", connections.welcomed}}}};
}

nlohmann::json describe_traffic(const traffic_report& r) {
  const auto& t = r.traffic;
  nlohmann::json j;
  j["rate_per_participant"] = r.rate;
  j["window_s"] = r.window_s;
  j["commands_sent"] = r.setup_commands + t.commands_sent;
  j["messages_sent"] = t.messages_sent;
  j["acks"] = t.acks;
  j["deliveries_expected"] = t.expected;
  j["deliveries"] = t.delivered;
  j["delivered_pct"] = t.expected == 0 ? 100.0 : round_to(100.0 * static_cast<double>(t.delivered) / static_cast<double>(t.expected), 3);
  j["duplicates"] = t.duplicates;
  j["deliveries_per_s"] = std::llround(static_cast<double>(t.delivered) / r.window_s);
  j["delivery_latency"] = latency_figures(t.delivery);
  j["ack_latency"] = latency_figures(t.ack);
  j["errors"] = nlohmann::json::object();
  for (const auto& [code, n] : t.errors) j["errors"][code] = n;
  j["generator_max_send_queue"] = t.max_queue;
  j["generator_cpu_ms"] = r.generator_cpu_us / 1000;
  if (r.server_before && r.server_after) {
    const auto cpu_us = r.server_after->cpu_us - r.server_before->cpu_us;
    j["server"] = {{"cpu_ms", cpu_us / 1000},
                   {"cpu_cores", round_to(static_cast<double>(cpu_us) / 1e6 / r.window_s, 2)},
                   {"cpu_us_per_delivery", t.delivered == 0 ? 0.0 : round_to(static_cast<double>(cpu_us) / static_cast<double>(t.delivered), 2)},
                   {"rss_kb", r.server_after->rss_kb},
                   {"hwm_kb", r.server_after->hwm_kb},
                   {"threads", r.server_after->threads}};
    auto& by_thread = j["server"]["cpu_us_per_delivery_by_thread"] = nlohmann::json::object();
    for (const auto& [name, after_us] : r.server_after->thread_cpu_us) {
      const auto before = r.server_before->thread_cpu_us.find(name);
      const auto spent = after_us - (before == r.server_before->thread_cpu_us.end() ? 0 : before->second);
      by_thread[name] = t.delivered == 0 ? 0.0 : round_to(static_cast<double>(spent) / static_cast<double>(t.delivered), 2);
    }
    if (r.server_before->disk_write_bytes >= 0 && r.server_after->disk_write_bytes >= 0) {
      const auto written = r.server_after->disk_write_bytes - r.server_before->disk_write_bytes;
      j["server"]["disk_write_mb"] = round_to(static_cast<double>(written) / 1e6, 1);
      j["server"]["disk_bytes_per_message"] =
          t.messages_sent == 0 ? 0 : std::llround(static_cast<double>(written) / static_cast<double>(t.messages_sent));
    }
  }
  return j;
}

nlohmann::json describe_idle(const idle_report& r, const connection_totals& connections) {
  nlohmann::json j;
  j["hold_s"] = r.hold_s;
  if (r.server_before && r.server_after) {
    const auto grown_kb = r.server_after->rss_kb - r.server_before->rss_kb;
    j["server"] = {{"rss_before_kb", r.server_before->rss_kb},
                   {"rss_after_kb", r.server_after->rss_kb},
                   {"hwm_kb", r.server_after->hwm_kb},
                   {"threads", r.server_after->threads},
                   {"bytes_per_connection",
                    connections.welcomed == 0 ? 0 : std::llround(static_cast<double>(grown_kb) * 1024.0 / static_cast<double>(connections.welcomed))}};
    if (r.server_held) j["server"]["rss_after_hold_kb"] = r.server_held->rss_kb;
  }
  return j;
}

void print_table(const std::string& title, const nlohmann::json& figures) {
  std::vector<std::pair<std::string, std::string>> rows;
  flatten("", figures, rows);
  std::size_t width = 0;
  for (const auto& [k, v] : rows) width = std::max(width, k.size());
  std::printf("\n== %s ==\n", title.c_str());
  for (const auto& [k, v] : rows) std::printf("  %-*s  %s\n", static_cast<int>(width), k.c_str(), v.c_str());
  std::fflush(stdout);
}

}  // namespace kelisim::bench
