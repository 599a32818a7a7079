#include "app/metrics.hpp"

#include <sstream>

namespace kelisim::app {

void metrics::command_received(std::string_view type) {
  std::lock_guard lock(mutex_);
  auto it = commands_.find(type);
  if (it == commands_.end()) it = commands_.emplace(std::string(type), 0).first;
  ++it->second;
}

void metrics::error_sent(std::string_view code) {
  std::lock_guard lock(mutex_);
  auto it = errors_.find(code);
  if (it == errors_.end()) it = errors_.emplace(std::string(code), 0).first;
  ++it->second;
}

void metrics::commit_observed(double seconds) {
  std::lock_guard lock(mutex_);
  std::size_t bucket = 0;
  while (bucket < latency_bounds.size() && seconds > latency_bounds[bucket]) ++bucket;
  ++commit_buckets_[bucket];
  commit_sum_ += seconds;
  ++commit_count_;
}

std::string metrics::render(const net::transport_counters& transport, const store::store_stats& store,
                            std::uint64_t refusals_not_audited) const {
  std::ostringstream out;
  auto gauge = [&](const char* name, const char* help, auto value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
        << name << ' ' << value << '\n';
  };
  auto counter = [&](const char* name, const char* help, auto value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n"
        << name << ' ' << value << '\n';
  };
  gauge("kelisim_http_connections", "Open HTTP connections.", transport.http_connections.load());
  gauge("kelisim_websocket_connections", "Open WebSocket connections.",
        transport.websocket_connections.load());
  counter("kelisim_connections_refused_total", "Connections refused by caps, origin or TLS.",
          transport.connections_refused.load());
  counter("kelisim_send_queue_drops_total", "Slow readers closed because their send queue was full.",
          transport.send_queue_drops.load());
  counter("kelisim_websockets_moved_total", "WebSockets moved to their room's io thread after hello.",
          transport.websockets_moved.load());
  counter("kelisim_http_requests_total", "HTTP requests served.", transport.http_requests.load());
  counter("kelisim_refusals_not_audited_total",
          "Refused admin tokens and invitations past the per-address audit limit.", refusals_not_audited);
  gauge("kelisim_rooms", "Rooms loaded.", rooms_.load());
  counter("kelisim_deliveries_total", "Event frames queued to clients.", deliveries_.load());
  counter("kelisim_events_committed_total", "Events durably committed.", store.events_committed);
  counter("kelisim_store_transactions_total", "Group-commit transactions.", store.transactions);
  counter("kelisim_store_appends_failed_total", "Append requests that failed.", store.appends_failed);
  gauge("kelisim_store_last_batch_events", "Events in the last commit batch.", store.last_batch_size);
  gauge("kelisim_store_max_batch_events", "Largest commit batch so far.", store.max_batch_size);
  counter("kelisim_store_commit_seconds_total", "Time spent committing.", store.commit_seconds_total);
  counter("kelisim_store_checkpoints_total", "Write-ahead log checkpoints, run beside the writer.",
          store.checkpoints);

  std::lock_guard lock(mutex_);
  out << "# HELP kelisim_commands_total Commands received, by type.\n"
         "# TYPE kelisim_commands_total counter\n";
  for (const auto& [type, n] : commands_)
    out << "kelisim_commands_total{type=\"" << type << "\"} " << n << '\n';
  out << "# HELP kelisim_errors_total Errors sent to clients, by code.\n"
         "# TYPE kelisim_errors_total counter\n";
  for (const auto& [code, n] : errors_)
    out << "kelisim_errors_total{code=\"" << code << "\"} " << n << '\n';
  out << "# HELP kelisim_commit_latency_seconds From append to durable, per command.\n"
         "# TYPE kelisim_commit_latency_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < latency_bounds.size(); ++i) {
    cumulative += commit_buckets_[i];
    out << "kelisim_commit_latency_seconds_bucket{le=\"" << latency_bounds[i] << "\"} "
        << cumulative << '\n';
  }
  cumulative += commit_buckets_.back();
  out << "kelisim_commit_latency_seconds_bucket{le=\"+Inf\"} " << cumulative << '\n'
      << "kelisim_commit_latency_seconds_sum " << commit_sum_ << '\n'
      << "kelisim_commit_latency_seconds_count " << commit_count_ << '\n';
  return out.str();
}

}  // namespace kelisim::app
