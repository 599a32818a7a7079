#pragma once
// One room of the benchmark: its participants (index 0 is the mediator on Kelisim), the lobby walk
// (hello, accept_rules, admit, set_turn_mode), the paced senders and the receivers' bookkeeping.
// Everything here runs on the room's strand; the run's totals are atomics shared by all rooms.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "latency_histogram.hpp"
#include "participant.hpp"
#include "settings.hpp"

namespace kelisim::bench {

using bench_clock = std::chrono::steady_clock;

// Totals every room adds to, read by the driver while the run goes on.
struct run_counters {
  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::int64_t> connections_failed{0};
  std::atomic<std::int64_t> connections_lost{0};  // failed after they were open
  std::atomic<std::int64_t> welcomed{0};
  std::atomic<std::int64_t> rooms_ready{0};
  std::atomic<std::int64_t> rooms_failed{0};
  std::atomic<std::int64_t> phase_sent{0};
  std::atomic<std::int64_t> phase_expected{0};
  std::atomic<std::int64_t> phase_delivered{0};
};

// What one room saw in one phase; merged across rooms by the driver.
struct phase_result {
  std::int64_t commands_sent = 0;  // every command, setup included
  std::int64_t messages_sent = 0;
  std::int64_t acks = 0;
  std::int64_t expected = 0;
  std::int64_t delivered = 0;
  std::int64_t duplicates = 0;  // a message seen twice or out of order by one receiver
  std::int64_t max_queue = 0;   // deepest client-side send queue (the generator falling behind)
  latency_histogram delivery;
  latency_histogram ack;
  std::map<std::string, std::int64_t> errors;
  void merge(const phase_result& other);
};

struct participant_identity {
  std::string id;     // invite id (kelisim)
  std::string token;  // invite token (kelisim)
};

class bench_room {
public:
  bench_room(boost::asio::any_io_executor strand, boost::asio::ssl::context* tls_context, const settings& config,
             run_counters& counters, int room_number, std::string target, std::vector<participant_identity> people);

  boost::asio::any_io_executor strand() const { return strand_; }
  std::size_t size() const { return people_.size(); }

  // Driver side (any thread): these post onto the strand.
  void connect(std::size_t index);
  void start_phase(bench_clock::time_point start, bench_clock::time_point end, double rate);
  void stop_sending();
  void close_all();
  // Runs on the strand; the driver waits for the result.
  phase_result take_phase_result();

  // Participant side (on the strand).
  void on_open(std::size_t index);
  void on_frame(std::size_t index, std::string_view frame);
  void on_failed(std::size_t index, bool was_open, const std::string& reason);

private:
  struct member {
    std::shared_ptr<participant> connection;
    participant_identity identity;
    bool welcomed = false;
    bool admitted = false;
    std::unique_ptr<boost::asio::steady_timer> pacer;
    bench_clock::time_point next_send;
    std::int64_t next_message = 0;
    std::vector<std::int64_t> sent_at;  // steady-clock ns by message number (ack latency)
  };

  void send_command(std::size_t index, std::string_view frame);
  void schedule(std::size_t index);
  void send_message(std::size_t index);
  void handle_slow(std::size_t index, std::string_view frame, std::int64_t now_ns);
  void record_delivery(std::size_t receiver, std::string_view text, std::int64_t now_ns);
  void record_ack(std::size_t sender, std::string_view id, std::int64_t now_ns);
  void count_error(std::string code);
  void admit_waiting();
  void room_failed(const std::string& why);

  boost::asio::any_io_executor strand_;
  boost::asio::ssl::context* tls_context_;
  const settings& config_;
  run_counters& counters_;
  int room_number_;
  std::string target_;
  std::vector<member> people_;
  std::vector<std::int64_t> last_seen_;  // [receiver * size + sender] = last message number
  std::vector<std::size_t> waiting_admission_;
  bool mediator_welcomed_ = false;
  std::size_t admitted_parties_ = 0;
  bool ready_ = false;
  bool failed_ = false;
  bool sending_ = false;
  bool turn_mode_sent_ = false;
  bench_clock::time_point phase_end_;
  std::chrono::nanoseconds interval_{0};
  std::string frame_;  // reused to compose outgoing messages
  std::string text_;
  phase_result result_;
};

}  // namespace kelisim::bench
