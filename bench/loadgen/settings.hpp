#pragma once
// Everything one generator run is told on its command line.
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace kelisim::bench {

enum class target_kind { kelisim, relay };
enum class workload { load, idle, ramp };

struct settings {
  target_kind target = target_kind::kelisim;
  workload mode = workload::load;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  bool tls = false;
  std::string admin_token;        // kelisim: KELISIM_ADMIN_TOKEN or --admin-token
  pid_t server_pid = 0;           // 0: no server figures
  std::string label;              // names the run in the report and the JSON line

  int rooms = 100;
  int participants = 4;           // per room; kelisim: 1 mediator + parties
  double rate = 20;               // messages per second per participant
  double duration_s = 20;
  int text_bytes = 64;            // length of each message text (ASCII)
  double drain_timeout_s = 10;    // after the send window, how long to wait for stragglers

  std::vector<double> ramp_rates = {2, 4, 8, 12, 16, 20, 24, 28};
  double ramp_step_s = 5;
  double ramp_p99_limit_ms = 50;

  double idle_hold_s = 5;         // idle mode: how long the connections stay up after the last welcome

  int threads = 2;
  int connect_concurrency = 256;  // connections in their handshake at once
  int admin_connections = 4;      // parallel keep-alive connections for the admin API
  int source_addresses = 0;       // >0: bind connections round-robin to 127.0.0.2 .. 127.0.0.(1+n)
  double max_runtime_s = 600;     // hard stop of the whole run, whatever happens
  std::string json_out;           // append the JSON lines here too
};

}  // namespace kelisim::bench
