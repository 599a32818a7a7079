// kelisim_loadgen: drives Kelisim (protocol v1) or the baseline relay with R rooms x C participants
// and reports delivery and ack latency, throughput, errors and the server's CPU and memory.
// See bench/README.md.
#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "admin_client.hpp"
#include "bench_room.hpp"
#include "process_stats.hpp"
#include "report.hpp"
#include "settings.hpp"

namespace net = boost::asio;
using namespace std::chrono_literals;

namespace kelisim::bench {
namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : fallback;
}

// Creates the rooms and their invites through the admin API, several keep-alive connections at once.
std::vector<std::vector<participant_identity>> create_rooms(const settings& config, net::ssl::context* tls) {
  const auto rooms = static_cast<std::size_t>(config.rooms);
  const auto people = static_cast<std::size_t>(config.participants);
  std::vector<std::string> room_ids(rooms);
  std::vector<std::vector<participant_identity>> identities(rooms, std::vector<participant_identity>(people));
  std::mutex failure_mutex;
  std::string failure;

  auto in_parallel = [&](std::size_t jobs, auto&& job) {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> workers;
    const auto n = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, config.admin_connections)), std::max<std::size_t>(jobs, 1));
    for (std::size_t w = 0; w < n; ++w)
      workers.emplace_back([&] {
        admin_client admin(config.host, config.port, tls, config.admin_token);
        for (std::size_t i = next++; i < jobs; i = next++) {
          try {
            job(admin, i);
          } catch (const std::exception& e) {
            std::lock_guard lock(failure_mutex);
            if (failure.empty()) failure = e.what();
            next = jobs;
          }
        }
      });
    for (auto& w : workers) w.join();
    if (!failure.empty()) throw std::runtime_error("admin API: " + failure);
  };

  in_parallel(rooms, [&](admin_client& admin, std::size_t r) {
    const auto room = admin.post("/api/rooms", {{"title", "bench room " + std::to_string(r)},
                                                {"language", "en"},
                                                {"turn_mode", "open"},
                                                {"turn_seconds", 0}});
    room_ids[r] = room.at("id").get<std::string>();
  });
  in_parallel(rooms * people, [&](admin_client& admin, std::size_t k) {
    const auto r = k / people, p = k % people;
    nlohmann::json body = {{"name", "bench " + std::to_string(r) + "." + std::to_string(p)}};
    if (p == 0) {
      body["role"] = "mediator";
    } else {
      body["role"] = "party";
      body["side"] = p % 2 == 1 ? "A" : "B";
    }
    const auto invite = admin.post("/api/rooms/" + room_ids[r] + "/invites", body);
    identities[r][p] = {invite.at("invite_id").get<std::string>(), invite.at("token").get<std::string>()};
  });
  return identities;
}

class driver {
public:
  explicit driver(settings config) : config_(std::move(config)), io_(config_.threads) {
    if (config_.tls) {
      tls_ = std::make_unique<net::ssl::context>(net::ssl::context::tls_client);
      // The benchmark talks to a freshly generated self-signed certificate on 127.0.0.1.
      tls_->set_verify_mode(net::ssl::verify_none);
    }
  }

  int run() {
    if (config_.server_pid > 0 && !sample_process(config_.server_pid)) {
      std::fprintf(stderr, "loadgen: no process %d\n", static_cast<int>(config_.server_pid));
      return 2;
    }
    std::vector<std::vector<participant_identity>> identities;
    const auto setup_started = bench_clock::now();
    if (config_.target == target_kind::kelisim) {
      identities = create_rooms(config_, tls_.get());
    } else {
      identities.assign(static_cast<std::size_t>(config_.rooms), std::vector<participant_identity>(static_cast<std::size_t>(config_.participants)));
    }
    if (config_.target == target_kind::kelisim)
      std::printf("loadgen: %d rooms x %d invites created through the admin API in %.1f s\n", config_.rooms, config_.participants,
                  std::chrono::duration<double>(bench_clock::now() - setup_started).count());

    for (int r = 0; r < config_.rooms; ++r) {
      const std::string target = config_.target == target_kind::kelisim ? "/ws" : "/room/" + std::to_string(r);
      rooms_.push_back(std::make_unique<bench_room>(net::make_strand(io_), tls_.get(), config_, counters_, r, target,
                                                    std::move(identities[static_cast<std::size_t>(r)])));
    }
    auto work = net::make_work_guard(io_);
    for (int t = 0; t < config_.threads; ++t) threads_.emplace_back([this] { io_.run(); });

    const auto before_connect = server_sample();
    const bool ready = connect_all();
    int status = ready ? 0 : 1;
    if (!ready) std::fprintf(stderr, "loadgen: setup incomplete (%lld of %d rooms ready)\n",
                             static_cast<long long>(counters_.rooms_ready.load()), config_.rooms);
    const auto setup = collect();

    if (config_.mode == workload::idle) {
      status = run_idle(before_connect) ? status : 1;
    } else if (ready && config_.mode == workload::load) {
      status = run_phase(config_.rate, config_.duration_s, setup.commands_sent, -1).ok ? 0 : 1;
    } else if (ready && config_.mode == workload::ramp) {
      status = run_ramp(setup.commands_sent);
    }

    for (auto& room : rooms_) room->close_all();
    std::this_thread::sleep_for(500ms);
    work.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
    return status;
  }

private:
  struct phase_outcome {
    bool ok = false;
    double p99_ms = 0;
    std::int64_t deliveries_per_s = 0;
  };

  std::optional<process_sample> server_sample() const {
    if (config_.server_pid <= 0) return std::nullopt;
    return sample_process(config_.server_pid);
  }

  connection_totals connections() const {
    return {attempted_, counters_.connections_open.load(), counters_.connections_failed.load(), counters_.connections_lost.load(),
            counters_.welcomed.load()};
  }

  // Opens every connection, at most connect_concurrency in their handshakes at once, and waits
  // until every room is ready (lobby walked, open mode set) or has failed.
  bool connect_all() {
    const auto deadline = bench_clock::now() + std::chrono::seconds(60) +
                          std::chrono::milliseconds(static_cast<std::int64_t>(config_.rooms) * config_.participants * 2);
    for (auto& room : rooms_) {
      for (std::size_t i = 0; i < room->size(); ++i) {
        while (attempted_ - counters_.welcomed.load() - counters_.connections_failed.load() >= config_.connect_concurrency &&
               bench_clock::now() < deadline)
          std::this_thread::sleep_for(1ms);
        room->connect(i);
        ++attempted_;
      }
    }
    while (counters_.rooms_ready.load() + counters_.rooms_failed.load() < config_.rooms && bench_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    return counters_.rooms_ready.load() == config_.rooms && counters_.rooms_failed.load() == 0;
  }

  phase_result collect() {
    phase_result total;
    for (auto& room : rooms_) {
      std::promise<phase_result> taken;
      net::post(room->strand(), [&] { taken.set_value(room->take_phase_result()); });
      total.merge(taken.get_future().get());
    }
    return total;
  }

  phase_outcome run_phase(double rate, double seconds, std::int64_t setup_commands, int step) {
    counters_.phase_sent = 0;
    counters_.phase_expected = 0;
    counters_.phase_delivered = 0;
    traffic_report report;
    report.rate = rate;
    report.window_s = seconds;
    report.setup_commands = setup_commands;
    const auto start = bench_clock::now() + 100ms;
    const auto end = start + std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9));
    report.server_before = server_sample();
    const auto own_before = own_cpu_us();
    for (auto& room : rooms_) room->start_phase(start, end, rate);
    std::this_thread::sleep_until(end);
    for (auto& room : rooms_) room->stop_sending();
    // Drain: every expected delivery, or give up after drain_timeout_s.
    const auto give_up = bench_clock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(config_.drain_timeout_s * 1000));
    while (counters_.phase_delivered.load() < counters_.phase_expected.load() && bench_clock::now() < give_up) std::this_thread::sleep_for(5ms);
    // Late acks trail the events by a little; give them a moment.
    std::this_thread::sleep_for(50ms);
    report.server_after = server_sample();
    report.generator_cpu_us = own_cpu_us() - own_before;
    report.traffic = collect();

    auto figures = describe_run(config_, connections());
    if (step >= 0) figures["ramp_step"] = step;
    figures["traffic"] = describe_traffic(report);
    emit(step >= 0 ? "ramp step " + std::to_string(step) + " at " + std::to_string(rate) + "/s" : "load", figures);

    phase_outcome outcome;
    const auto& t = report.traffic;
    outcome.p99_ms = static_cast<double>(t.delivery.quantile(0.99)) / 1e6;
    outcome.deliveries_per_s = static_cast<std::int64_t>(static_cast<double>(t.delivered) / seconds);
    outcome.ok = t.expected > 0 && t.delivered == t.expected && t.duplicates == 0 && counters_.connections_lost.load() == 0;
    return outcome;
  }

  int run_ramp(std::int64_t setup_commands) {
    nlohmann::json steps = nlohmann::json::array();
    std::int64_t best = 0;
    double best_rate = 0;
    std::string stopped = "rates exhausted";
    int step = 0;
    for (const double rate : config_.ramp_rates) {
      if (rate > 30) std::fprintf(stderr, "loadgen: %.1f/s per connection exceeds the server's rate limit (30/s sustained)\n", rate);
      const auto outcome = run_phase(rate, config_.ramp_step_s, step == 0 ? setup_commands : 0, step);
      steps.push_back({{"rate", rate}, {"deliveries_per_s", outcome.deliveries_per_s}, {"p99_ms", outcome.p99_ms}, {"ok", outcome.ok}});
      ++step;
      if (!outcome.ok) {
        stopped = "delivery below 100%";
        break;
      }
      if (outcome.p99_ms > config_.ramp_p99_limit_ms) {
        stopped = "p99 above limit";
        break;
      }
      best = outcome.deliveries_per_s;
      best_rate = rate;
    }
    auto figures = describe_run(config_, connections());
    figures["ramp"] = {{"steps", steps},
                       {"stopped", stopped},
                       {"best_rate_per_participant", best_rate},
                       {"best_deliveries_per_s", best},
                       {"p99_limit_ms", config_.ramp_p99_limit_ms}};
    emit("ramp summary", figures);
    return best > 0 ? 0 : 1;
  }

  bool run_idle(const std::optional<process_sample>& before) {
    idle_report report;
    report.server_before = before;
    report.hold_s = config_.idle_hold_s;
    // Let the server settle (allocators return, lobby events written) before reading its memory.
    std::this_thread::sleep_for(1s);
    report.server_after = server_sample();
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<std::int64_t>(config_.idle_hold_s * 1000)));
    report.server_held = server_sample();
    const auto totals = connections();
    auto figures = describe_run(config_, totals);
    figures["idle"] = describe_idle(report, totals);
    const auto setup = collect();
    figures["idle"]["commands_sent"] = setup.commands_sent;
    figures["idle"]["errors"] = nlohmann::json::object();
    for (const auto& [code, n] : setup.errors) figures["idle"]["errors"][code] = n;
    emit("idle", figures);
    return totals.welcomed == attempted_ && totals.lost == 0;
  }

  void emit(const std::string& title, const nlohmann::json& figures) {
    print_table(config_.label.empty() ? title : config_.label + " — " + title, figures);
    const auto line = figures.dump();
    std::printf("JSON %s\n", line.c_str());
    std::fflush(stdout);
    if (!config_.json_out.empty()) std::ofstream(config_.json_out, std::ios::app) << line << '\n';
  }

  settings config_;
  net::io_context io_;
  std::unique_ptr<net::ssl::context> tls_;
  run_counters counters_;
  std::vector<std::unique_ptr<bench_room>> rooms_;
  std::vector<std::thread> threads_;
  std::int64_t attempted_ = 0;
};

}  // namespace
}  // namespace kelisim::bench

int main(int argc, char** argv) {
  using namespace kelisim::bench;
  settings config;
  CLI::App cli{"kelisim_loadgen: load generator for Kelisim (protocol v1) and the baseline relay"};
  std::string target = "kelisim", mode = "load";
  int server_pid = 0;
  cli.add_option("--target", target, "kelisim or relay")->check(CLI::IsMember({"kelisim", "relay"}));
  cli.add_option("--mode", mode, "load, idle or ramp")->check(CLI::IsMember({"load", "idle", "ramp"}));
  cli.add_option("--host", config.host, "Server address (loopback only)");
  cli.add_option("--port", config.port, "Server port")->required();
  cli.add_flag("--tls", config.tls, "WSS/HTTPS instead of plain");
  cli.add_option("--admin-token", config.admin_token, "Admin token (default: $KELISIM_ADMIN_TOKEN)");
  cli.add_option("--server-pid", server_pid, "PID of the server, for its CPU time and memory");
  cli.add_option("--label", config.label, "Name of the run in the report");
  cli.add_option("--rooms", config.rooms, "Rooms")->check(CLI::Range(1, 100000));
  cli.add_option("--participants", config.participants, "Participants per room (kelisim: 1 mediator + parties)")->check(CLI::Range(1, 1000));
  cli.add_option("--rate", config.rate, "Messages per second per participant")->check(CLI::Range(0.01, 10000.0));
  cli.add_option("--duration", config.duration_s, "Send window, seconds")->check(CLI::Range(0.1, 600.0));
  cli.add_option("--text-bytes", config.text_bytes, "Message text length")->check(CLI::Range(24, 8000));
  cli.add_option("--drain-timeout", config.drain_timeout_s, "Seconds to wait for stragglers after the window")->check(CLI::Range(0.1, 120.0));
  cli.add_option("--ramp-rates", config.ramp_rates, "Ramp: per-participant rates to step through")->delimiter(',');
  cli.add_option("--ramp-step", config.ramp_step_s, "Ramp: seconds per step")->check(CLI::Range(0.5, 120.0));
  cli.add_option("--ramp-p99-ms", config.ramp_p99_limit_ms, "Ramp: stop when p99 delivery latency passes this");
  cli.add_option("--idle-hold", config.idle_hold_s, "Idle: seconds to hold the connections")->check(CLI::Range(0.0, 600.0));
  cli.add_option("--threads", config.threads, "Generator threads on its one io_context")->check(CLI::Range(1, 64));
  cli.add_option("--connect-concurrency", config.connect_concurrency, "Connections in their handshake at once")->check(CLI::Range(1, 10000));
  cli.add_option("--admin-connections", config.admin_connections, "Parallel admin API connections")->check(CLI::Range(1, 64));
  cli.add_option("--source-addresses", config.source_addresses, "Spread connections over 127.0.0.2..(1+n)")->check(CLI::Range(0, 250));
  cli.add_option("--max-runtime", config.max_runtime_s, "Hard stop of the whole run, seconds")->check(CLI::Range(1.0, 3600.0));
  cli.add_option("--json-out", config.json_out, "Append the JSON lines to this file");
  CLI11_PARSE(cli, argc, argv);
  config.target = target == "relay" ? target_kind::relay : target_kind::kelisim;
  config.mode = mode == "idle" ? workload::idle : mode == "ramp" ? workload::ramp : workload::load;
  config.server_pid = static_cast<pid_t>(server_pid);
  if (config.admin_token.empty()) config.admin_token = env_or("KELISIM_ADMIN_TOKEN", "");

  // Benchmark traffic stays on this machine.
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(config.host, ec);
  if (ec || !address.is_loopback()) {
    std::fprintf(stderr, "loadgen: --host must be a loopback address\n");
    return 2;
  }
  if (config.target == target_kind::kelisim && config.admin_token.empty()) {
    std::fprintf(stderr, "loadgen: set KELISIM_ADMIN_TOKEN or --admin-token\n");
    return 2;
  }
  if (config.target == target_kind::kelisim && config.rate > 30)
    std::fprintf(stderr, "loadgen: note: %.1f/s per connection is above the server's rate limit (30/s sustained)\n", config.rate);

  const auto fds = raise_fd_limit();
  const auto needed = static_cast<std::uint64_t>(config.rooms) * static_cast<std::uint64_t>(config.participants) + 64;
  if (fds < needed) {
    std::fprintf(stderr, "loadgen: RLIMIT_NOFILE is %llu, %llu needed\n", static_cast<unsigned long long>(fds),
                 static_cast<unsigned long long>(needed));
    return 2;
  }

  // The generator always stops by itself, whatever the server does.
  std::thread([limit = config.max_runtime_s] {
    std::this_thread::sleep_for(std::chrono::duration<double>(limit));
    std::fprintf(stderr, "loadgen: --max-runtime of %.0f s reached, stopping\n", limit);
    std::fflush(stdout);
    std::_Exit(3);
  }).detach();

  try {
    return driver(config).run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loadgen: %s\n", e.what());
    return 1;
  }
}
