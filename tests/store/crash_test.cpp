// Durable before visible: a child process appends under load and is killed with SIGKILL at
// random moments (fixed seed); after every kill the same database is reopened and every
// acknowledged event must be there, with no seq gap, an intact chain and no duplicate receipt.
// (Committed but unacknowledged events may be there too: that is fine.)
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include "server/store/hash_chain.hpp"
#include "server/store/sqlite_store.hpp"
#include "temp_dir.hpp"

namespace kelisim::store {
namespace {

using clock = std::chrono::steady_clock;

struct round_output {
  std::map<room_id, seq_t> acknowledged;  // highest acknowledged seq per room
  std::size_t acks = 0;
  std::vector<std::string> failures;  // "FAIL ..." lines: the store refused an append
  bool killed = false;
};

void take_lines(std::string& pending, round_output& out) {
  std::size_t start = 0;
  for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n', start)) {
    const std::string line = pending.substr(start, end - start);
    start = end + 1;
    if (line.rfind("FAIL", 0) == 0) {
      out.failures.push_back(line);
      continue;
    }
    std::istringstream fields(line);
    room_id room;
    seq_t seq = 0;
    if (!(fields >> room >> seq)) {
      out.failures.push_back("unreadable line: " + line);
      continue;
    }
    auto& highest = out.acknowledged[room];
    highest = std::max(highest, seq);
    ++out.acks;
  }
  pending.erase(0, start);
}

// When a round's kill comes: `delay` after the worker starts, or after its first acknowledgement
// (so that even a slow, sanitized build is killed under load, not only during start-up).
enum class kill_clock { from_start, from_first_ack };

// Runs the worker on `data_dir`, kills it with SIGKILL, and returns what it acknowledged.
round_output run_and_kill(const std::filesystem::path& data_dir, kill_clock from, std::chrono::milliseconds delay) {
  round_output out;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2 failed";
    return out;
  }
  const std::string worker = KELISIM_APPEND_WORKER;
  const std::string dir = data_dir.string();
  char* const args[] = {const_cast<char*>(worker.c_str()), const_cast<char*>(dir.c_str()), nullptr};

  const pid_t child = ::fork();
  if (child == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::dup2(fds[1], STDOUT_FILENO);
    ::execv(args[0], args);
    ::_exit(127);
  }
  ::close(fds[1]);
  if (child < 0) {
    ::close(fds[0]);
    ADD_FAILURE() << "fork failed";
    return out;
  }

  std::string pending;
  char buffer[8192];
  // Waiting for a first acknowledgement is bounded too: a worker that never acknowledges fails below.
  auto deadline = clock::now() + (from == kill_clock::from_start ? delay : std::chrono::milliseconds(20'000));
  bool armed = from == kill_clock::from_start;
  bool eof = false;
  // Read acknowledgements until the moment chosen for the kill.
  while (!eof) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) break;
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    const auto n = ::read(fds[0], buffer, sizeof buffer);
    if (n <= 0) {
      eof = true;
      break;
    }
    pending.append(buffer, static_cast<std::size_t>(n));
    take_lines(pending, out);
    if (!armed && out.acks > 0) {
      deadline = clock::now() + delay;
      armed = true;
    }
  }
  ::kill(child, SIGKILL);
  // Whatever the child wrote before it died was acknowledged too.
  for (;;) {
    const auto n = ::read(fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    pending.append(buffer, static_cast<std::size_t>(n));
  }
  take_lines(pending, out);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  out.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  if (!out.killed) ADD_FAILURE() << "worker ended by itself (status " << status << ") before the kill";
  return out;
}

TEST(store_crash, acknowledged_events_survive_sigkill) {
  testing::temp_dir dir;
  std::mt19937 random(20261126);
  // Half the kills count from start-up (open, migration, reading the tail: early ones land there),
  // half from the first acknowledgement, under full load.
  std::uniform_int_distribution<int> kill_after_ms(1, 60);
  constexpr int rounds = 60;
  int rounds_with_acks = 0;

  std::map<room_id, seq_t> acknowledged;  // over all rounds
  std::size_t total_acks = 0;
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const auto from = round % 2 == 0 ? kill_clock::from_start : kill_clock::from_first_ack;
    const auto out = run_and_kill(dir.path(), from, std::chrono::milliseconds(kill_after_ms(random)));
    if (from == kill_clock::from_first_ack) {
      EXPECT_GT(out.acks, 0u) << "the worker never acknowledged an append";
    }
    if (out.acks > 0) ++rounds_with_acks;
    for (const auto& failure : out.failures) ADD_FAILURE() << failure;
    for (const auto& [room, seq] : out.acknowledged) acknowledged[room] = std::max(acknowledged[room], seq);
    total_acks += out.acks;

    sqlite_store store(dir.path());
    for (const auto& [room, highest] : acknowledged) {
      const auto events = store.events_after(room, 0);
      const auto broken = verify_chain(events);
      EXPECT_EQ(broken, std::nullopt) << room << " breaks at seq " << broken->seq << ": " << broken->reason;
      ASSERT_FALSE(events.empty()) << room << ": acknowledged up to " << highest << ", nothing stored";
      EXPECT_GE(events.back().seq, highest) << room << ": an acknowledged event is missing";

      // Each append carried exactly one event and its receipt, in one transaction.
      const auto receipts = store.receipts(room);
      EXPECT_EQ(receipts.size(), events.size()) << room;
      std::set<std::pair<std::string, std::string>> unique;
      for (const auto& r : receipts) {
        EXPECT_TRUE(unique.emplace(r.participant, r.command_id).second) << "duplicate receipt " << r.command_id;
        EXPECT_EQ(r.command_id, "cmd-" + std::to_string(r.ack_seq));
        EXPECT_GE(r.ack_seq, 1);
        EXPECT_LE(r.ack_seq, events.back().seq);
      }
    }
    if (::testing::Test::HasFatalFailure()) return;
  }
  // Not vacuous: the worker really was acknowledging appends when it was killed.
  EXPECT_GE(rounds_with_acks, rounds / 2);
  EXPECT_GT(total_acks, static_cast<std::size_t>(rounds));
  EXPECT_EQ(acknowledged.size(), 4u);
  ::testing::Test::RecordProperty("acknowledged_appends", static_cast<int>(total_acks));
}

}  // namespace
}  // namespace kelisim::store
