#pragma once
// The real kelisim binary as a child process of a test: port 0, a temp data dir, the test
// certificate, an admin token in KELISIM_ADMIN_TOKEN, stdout/stderr captured to files. Start-up
// waits (with a deadline, polling the output) for "kelisim: listening on https://HOST:PORT".
// The destructor always reaps the child (SIGKILL if still running); the child also dies with
// the test process (PR_SET_PDEATHSIG).
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/admin_client.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/test_certificate.hpp"
#include "tests/support/ws_client.hpp"

namespace kelisim::test {

struct server_options {
  std::filesystem::path binary;              // required
  std::filesystem::path data_dir;            // empty: <scratch>/data
  bool tls = true;                           // false: --plain
  std::string host = "127.0.0.1";
  std::string admin_token;                   // empty: a random one
  std::optional<std::filesystem::path> web_root;
  std::optional<std::string> log_level;      // --log-level
  std::vector<std::string> extra_args;       // appended as given (e.g. {"--allowed-origin", "..."})
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing in) the environment
  std::chrono::milliseconds start_timeout = std::chrono::seconds(20);
};

struct exit_status {
  bool exited = false;  // exited normally; `code` is valid
  int code = -1;
  int signal = 0;       // killed by this signal
  bool timed_out = false;  // terminate(): did not exit before the deadline (then SIGKILLed)
  std::string describe() const;
};

class server_process {
 public:
  // Starts the server and waits until it listens; throws with its output if it does not.
  explicit server_process(server_options options);
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  // Starts again on the same data dir, certificate and token (after terminate() or kill9()).
  // The new port may differ.
  void restart();
  // SIGTERM, then waits for the exit (SIGKILL after the deadline: timed_out is set).
  exit_status terminate(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // SIGKILL and reap.
  exit_status kill9();
  // Sends a signal and returns at once (e.g. SIGTERM, then let clients answer the close
  // handshake, then wait_exit()).
  void send_signal(int signal_number);
  // Waits for the child to exit by itself.
  std::optional<exit_status> wait_exit(std::chrono::milliseconds timeout);
  bool running();

  std::uint16_t port() const noexcept { return port_; }
  const std::string& host() const noexcept { return options_.host; }
  bool tls() const noexcept { return options_.tls; }
  const std::string& admin_token() const noexcept { return options_.admin_token; }
  const std::filesystem::path& data_dir() const noexcept { return options_.data_dir; }
  const std::filesystem::path& binary() const noexcept { return options_.binary; }
  const test_certificate& certificate() const noexcept { return certificate_; }
  pid_t pid() const noexcept { return pid_; }
  std::string origin() const;  // "https://127.0.0.1:PORT" (the server's own origin)

  // What the current (or last) run wrote.
  std::string stdout_text() const;
  std::string stderr_text() const;
  std::string output_tail(std::size_t max_bytes = 8000) const;  // both, for failure messages

  admin_client admin() const;
  ws_client client(ws_options options = {}) const;  // not yet connected; tls follows the server
  ws_client connect(ws_options options = {}) const; // connected (throws if the upgrade fails)

 private:
  void spawn();
  void wait_listening();
  std::optional<exit_status> reap(bool block);

  server_options options_;
  scratch_dir scratch_;
  test_certificate certificate_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  int run_ = 0;
  std::filesystem::path stdout_file_;
  std::filesystem::path stderr_file_;
};

// Runs a program to completion (no shell), capturing stdout+stderr; for `kelisim verify FILE`.
struct run_result {
  exit_status status;
  std::string output;
};
run_result run_program(const std::filesystem::path& program, const std::vector<std::string>& args,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A random hex string of 2*bytes characters (tokens, unique markers).
std::string random_hex(std::size_t bytes = 16);

}  // namespace kelisim::test
