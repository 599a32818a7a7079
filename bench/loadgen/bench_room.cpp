#include "bench_room.hpp"

#include <boost/asio/post.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace kelisim::bench {

namespace net = boost::asio;

namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(bench_clock::now().time_since_epoch()).count();
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Reads a decimal integer at s[pos...] and moves pos past it and one separator.
bool read_number(std::string_view s, std::size_t& pos, std::int64_t& value) {
  if (pos >= s.size()) return false;
  const auto [end, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), value);
  if (ec != std::errc()) return false;
  pos = static_cast<std::size_t>(end - s.data()) + 1;
  return true;
}

// The text of a frame's "text" member, raw (our texts hold no escapes), or empty.
std::string_view text_member(std::string_view frame) {
  constexpr std::string_view key = "\"text\":\"";
  const auto at = frame.find(key);
  if (at == std::string_view::npos) return {};
  const auto begin = at + key.size();
  const auto end = frame.find('"', begin);
  if (end == std::string_view::npos) return {};
  return frame.substr(begin, end - begin);
}

std::atomic<int> reported_problems{0};

void report_problem(int room, std::size_t index, std::string_view what) {
  // The first few problems verbatim, so a failing run says why; the rest only as counts.
  if (reported_problems.fetch_add(1) < 10)
    std::fprintf(stderr, "loadgen: room %d participant %zu: %.*s\n", room, index, static_cast<int>(std::min<std::size_t>(what.size(), 400)),
                 what.data());
}

}  // namespace

void phase_result::merge(const phase_result& other) {
  commands_sent += other.commands_sent;
  messages_sent += other.messages_sent;
  acks += other.acks;
  expected += other.expected;
  delivered += other.delivered;
  duplicates += other.duplicates;
  max_queue = std::max(max_queue, other.max_queue);
  delivery.merge(other.delivery);
  ack.merge(other.ack);
  for (const auto& [code, n] : other.errors) errors[code] += n;
}

bench_room::bench_room(net::any_io_executor strand, net::ssl::context* tls_context, const settings& config, run_counters& counters,
                       int room_number, std::string target, std::vector<participant_identity> people)
    : strand_(std::move(strand)),
      tls_context_(tls_context),
      config_(config),
      counters_(counters),
      room_number_(room_number),
      target_(std::move(target)) {
  people_.resize(people.size());
  for (std::size_t i = 0; i < people.size(); ++i) people_[i].identity = std::move(people[i]);
  last_seen_.assign(people_.size() * people_.size(), -1);
}

void bench_room::connect(std::size_t index) {
  net::post(strand_, [this, index] {
    endpoint_settings where;
    where.host = config_.host;
    where.port = config_.port;
    where.target = target_;
    if (config_.source_addresses > 0) {
      const auto n = (static_cast<std::size_t>(room_number_) * people_.size() + index) % static_cast<std::size_t>(config_.source_addresses);
      where.source_address = "127.0.0." + std::to_string(2 + n);
    }
    people_[index].connection = make_participant(strand_, tls_context_, std::move(where), *this, index);
    people_[index].connection->start();
  });
}

void bench_room::send_command(std::size_t index, std::string_view frame) {
  ++result_.commands_sent;
  auto& connection = people_[index].connection;
  connection->send(frame);
  result_.max_queue = std::max<std::int64_t>(result_.max_queue, static_cast<std::int64_t>(connection->queued()));
}

void bench_room::on_open(std::size_t index) {
  counters_.connections_open.fetch_add(1, std::memory_order_relaxed);
  if (config_.target == target_kind::relay) {
    people_[index].welcomed = true;
    counters_.welcomed.fetch_add(1, std::memory_order_relaxed);
    bool all = true;
    for (const auto& m : people_) all = all && m.welcomed;
    if (all && !ready_) {
      ready_ = true;
      counters_.rooms_ready.fetch_add(1);
    }
    return;
  }
  const std::string hello = R"({"type":"hello","v":1,"token":")" + people_[index].identity.token + "\"}";
  send_command(index, hello);
}

void bench_room::on_frame(std::size_t index, std::string_view frame) {
  const auto now = now_ns();
  // Fast paths for the two frames that make up the load; everything else is parsed properly.
  if (starts_with(frame, R"({"type":"event",)")) {
    if (frame.find(R"("kind":"message")") != std::string_view::npos) {
      const auto text = text_member(frame);
      if (!text.empty()) return record_delivery(index, text, now);
    }
  } else if (starts_with(frame, R"({"type":"ack","id":"m)")) {
    constexpr std::size_t id_at = sizeof(R"({"type":"ack","id":")") - 1;
    const auto id_end = frame.find('"', id_at);
    if (id_end != std::string_view::npos) return record_ack(index, frame.substr(id_at, id_end - id_at), now);
  } else if (config_.target == target_kind::relay) {
    const auto text = text_member(frame);
    if (!text.empty()) return record_delivery(index, text, now);
  }
  handle_slow(index, frame, now);
}

void bench_room::handle_slow(std::size_t index, std::string_view frame, std::int64_t now) {
  const auto j = nlohmann::json::parse(frame, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    count_error("generator:unparsable_frame");
    return report_problem(room_number_, index, frame);
  }
  const auto type = j.value("type", std::string());
  auto& who = people_[index];
  if (type == "welcome") {
    if (who.welcomed) return;
    who.welcomed = true;
    counters_.welcomed.fetch_add(1, std::memory_order_relaxed);
    if (config_.mode == workload::idle) {
      bool all = true;
      for (const auto& m : people_) all = all && m.welcomed;
      if (all && !ready_) {
        ready_ = true;
        counters_.rooms_ready.fetch_add(1);
      }
      return;
    }
    if (index == 0) {
      mediator_welcomed_ = true;
      return admit_waiting();
    }
    return send_command(index, R"({"type":"accept_rules","id":"r"})");
  }
  if (type == "ack") {
    const auto id = j.value("id", std::string());
    if (id == "r") {
      waiting_admission_.push_back(index);
      return admit_waiting();
    }
    if (id == "t" && !ready_) {
      ready_ = true;
      counters_.rooms_ready.fetch_add(1);
      return;
    }
    if (!id.empty() && id[0] == 'm') record_ack(index, id, now);
    return;
  }
  if (type == "event") {
    const auto kind = j.value("kind", std::string());
    if (kind == "message") {
      const auto text = j.value("text", std::string());
      return record_delivery(index, text, now);
    }
    if (kind == "admitted" && index != 0 && j.value("participant", std::string()) == who.identity.id && !who.admitted) {
      who.admitted = true;
      ++admitted_parties_;
      return admit_waiting();
    }
    return;
  }
  if (type == "error") {
    count_error(j.value("code", std::string("unknown")));
    report_problem(room_number_, index, frame);
    if (!ready_) room_failed("setup refused");
    return;
  }
}

void bench_room::admit_waiting() {
  if (!mediator_welcomed_) return;
  for (const auto party : waiting_admission_) {
    const std::string admit = R"({"type":"admit","id":"a)" + std::to_string(party) + R"(","participant":")" +
                              people_[party].identity.id + "\"}";
    send_command(0, admit);
  }
  waiting_admission_.clear();
  if (admitted_parties_ + 1 == people_.size() && !ready_ && !failed_ && !turn_mode_sent_) {
    turn_mode_sent_ = true;
    send_command(0, R"({"type":"set_turn_mode","id":"t","mode":"open","turn_seconds":0})");
  }
}

void bench_room::record_delivery(std::size_t receiver, std::string_view text, std::int64_t now) {
  std::size_t pos = 0;
  std::int64_t sent_ns = 0, sender = 0, number = 0;
  if (!read_number(text, pos, sent_ns) || !read_number(text, pos, sender) || !read_number(text, pos, number) || sender < 0 ||
      static_cast<std::size_t>(sender) >= people_.size()) {
    count_error("generator:foreign_message");
    return;
  }
  auto& last = last_seen_[receiver * people_.size() + static_cast<std::size_t>(sender)];
  if (number <= last) {
    ++result_.duplicates;
    return;
  }
  last = number;
  ++result_.delivered;
  counters_.phase_delivered.fetch_add(1, std::memory_order_relaxed);
  result_.delivery.record(now - sent_ns);
}

void bench_room::record_ack(std::size_t sender, std::string_view id, std::int64_t now) {
  std::int64_t number = 0;
  std::size_t pos = 1;
  auto& who = people_[sender];
  if (!read_number(id, pos, number) || number < 0 || static_cast<std::size_t>(number) >= who.sent_at.size()) return;
  ++result_.acks;
  result_.ack.record(now - who.sent_at[static_cast<std::size_t>(number)]);
}

void bench_room::count_error(std::string code) { ++result_.errors[std::move(code)]; }

void bench_room::room_failed(const std::string& why) {
  if (failed_) return;
  failed_ = true;
  counters_.rooms_failed.fetch_add(1);
  report_problem(room_number_, 0, why);
}

void bench_room::on_failed(std::size_t index, bool was_open, const std::string& reason) {
  if (was_open)
    counters_.connections_lost.fetch_add(1);
  else
    counters_.connections_failed.fetch_add(1);
  count_error(reason);
  report_problem(room_number_, index, reason);
  if (!ready_) room_failed("a connection failed during setup");
}

void bench_room::start_phase(bench_clock::time_point start, bench_clock::time_point end, double rate) {
  net::post(strand_, [this, start, end, rate] {
    sending_ = true;
    phase_end_ = end;
    interval_ = std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / rate));
    for (std::size_t i = 0; i < people_.size(); ++i) {
      auto& who = people_[i];
      if (!who.connection) continue;
      if (!who.pacer) who.pacer = std::make_unique<net::steady_timer>(strand_);
      // Spread the senders' phases evenly (golden-ratio sequence) so rooms do not fire in lockstep.
      const double fraction = std::fmod(0.618034 * static_cast<double>(static_cast<std::size_t>(room_number_) * people_.size() + i), 1.0);
      who.next_send = start + std::chrono::nanoseconds(static_cast<std::int64_t>(fraction * static_cast<double>(interval_.count())));
      if (who.next_send < end) schedule(i);
    }
  });
}

void bench_room::schedule(std::size_t index) {
  auto& who = people_[index];
  who.pacer->expires_at(who.next_send);
  who.pacer->async_wait([this, index](boost::system::error_code ec) {
    if (ec || !sending_) return;
    send_message(index);
    auto& who = people_[index];
    // Open loop: the schedule does not slip when the server is slow (no coordinated omission).
    who.next_send += interval_;
    if (who.next_send < phase_end_) schedule(index);
  });
}

void bench_room::send_message(std::size_t index) {
  auto& who = people_[index];
  const auto number = who.next_message++;
  const auto sent = now_ns();
  // Text: "<send time ns> <sender index> <message number> xxxx…", padded to text_bytes.
  text_.clear();
  char digits[64];
  auto append_number = [&](std::int64_t v) {
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
    text_.append(digits, end);
    text_.push_back(' ');
  };
  append_number(sent);
  append_number(static_cast<std::int64_t>(index));
  append_number(number);
  if (text_.size() < static_cast<std::size_t>(config_.text_bytes)) text_.append(static_cast<std::size_t>(config_.text_bytes) - text_.size(), 'x');

  frame_.assign(R"({"type":"say","id":"m)");
  frame_.append(digits, std::to_chars(digits, digits + sizeof digits, number).ptr);
  frame_.append(R"(","channel":"joint","text":")");
  frame_.append(text_);
  frame_.append("\"}");

  if (who.sent_at.size() <= static_cast<std::size_t>(number)) who.sent_at.resize(static_cast<std::size_t>(number) + 1024);
  who.sent_at[static_cast<std::size_t>(number)] = sent;
  ++result_.messages_sent;
  result_.expected += static_cast<std::int64_t>(people_.size());
  counters_.phase_sent.fetch_add(1, std::memory_order_relaxed);
  counters_.phase_expected.fetch_add(static_cast<std::int64_t>(people_.size()), std::memory_order_relaxed);
  send_command(index, frame_);
}

void bench_room::stop_sending() {
  net::post(strand_, [this] {
    sending_ = false;
    for (auto& who : people_)
      if (who.pacer) who.pacer->cancel();
  });
}

void bench_room::close_all() {
  net::post(strand_, [this] {
    for (auto& who : people_)
      if (who.connection) who.connection->close();
  });
}

phase_result bench_room::take_phase_result() {
  phase_result taken = std::move(result_);
  result_ = phase_result{};
  return taken;
}

}  // namespace kelisim::bench
