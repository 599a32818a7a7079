#include "tests/support/server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace kelisim::test {
namespace {

using clock_type = std::chrono::steady_clock;
// How often start-up and exit are polled: short enough not to matter, long enough not to spin.
constexpr auto poll_interval = std::chrono::milliseconds(5);

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

int open_or_throw(const std::filesystem::path& file, int flags) {
  const int fd = ::open(file.c_str(), flags | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + file.string());
  return fd;
}

// fork + exec with stdin from /dev/null and stdout/stderr into the given files. Everything the
// child needs is prepared before fork(): between fork and exec only async-signal-safe calls.
pid_t spawn(const std::filesystem::path& program, const std::vector<std::string>& args,
            const std::vector<std::pair<std::string, std::string>>& env_overrides,
            const std::filesystem::path& out_file, const std::filesystem::path& err_file) {
  std::vector<std::string> argv_storage;
  argv_storage.push_back(program.string());
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_storage;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& [key, value] : env_overrides) overridden = overridden || key == name;
    if (!overridden) env_storage.push_back(entry);
  }
  for (const auto& [key, value] : env_overrides) env_storage.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  const int in_fd = open_or_throw("/dev/null", O_RDONLY);
  const int out_fd = open_or_throw(out_file, O_WRONLY | O_CREAT | O_TRUNC);
  const int err_fd = out_file == err_file ? out_fd : open_or_throw(err_file, O_WRONLY | O_CREAT | O_TRUNC);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Die with the test, even if it crashes before its destructors run.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    if (::dup2(in_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) ::_exit(126);
    // Nothing of the test (client sockets, other servers' pipes) leaks into the server.
    ::close_range(3, ~0U, 0);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  const int saved = errno;
  ::close(in_fd);
  ::close(out_fd);
  if (err_fd != out_fd) ::close(err_fd);
  if (pid < 0) throw std::system_error(saved, std::generic_category(), "fork");
  return pid;
}

exit_status status_of(int status) {
  exit_status s;
  if (WIFEXITED(status)) {
    s.exited = true;
    s.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    s.signal = WTERMSIG(status);
  }
  return s;
}

// Polls waitpid until the child exits or the deadline passes.
std::optional<exit_status> wait_child(pid_t pid, clock_type::time_point deadline) {
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status_of(status);
    if (r < 0 && errno != EINTR) return exit_status{};  // not our child any more
    if (clock_type::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(poll_interval);
  }
}

}  // namespace

std::string exit_status::describe() const {
  std::string s;
  if (exited) s = "exit code " + std::to_string(code);
  else if (signal != 0) s = std::string("killed by signal ") + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
  else s = "unknown";
  if (timed_out) s += " (did not exit in time: SIGKILLed)";
  return s;
}

std::string random_hex(std::size_t bytes) {
  static const char* digits = "0123456789abcdef";
  std::random_device device;
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    const auto b = device() & 0xffu;
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xf]);
  }
  return out;
}

server_process::server_process(server_options options)
    : options_(std::move(options)), scratch_("kelisim-server"), certificate_(make_test_certificate(scratch_.path())) {
  if (options_.binary.empty() || !std::filesystem::exists(options_.binary))
    throw std::runtime_error("server_process: no server binary at '" + options_.binary.string() + "'");
  if (options_.data_dir.empty()) options_.data_dir = scratch_.path() / "data";
  std::filesystem::create_directories(options_.data_dir);
  if (options_.admin_token.empty()) options_.admin_token = "admin-" + random_hex(24);
  spawn();
  wait_listening();
}

server_process::~server_process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
}

void server_process::spawn() {
  ++run_;
  stdout_file_ = scratch_.path() / ("stdout-" + std::to_string(run_) + ".log");
  stderr_file_ = scratch_.path() / ("stderr-" + std::to_string(run_) + ".log");
  std::vector<std::string> args = {"--host", options_.host, "--port", "0", "--data-dir", options_.data_dir.string()};
  if (options_.tls) {
    args.insert(args.end(), {"--tls-cert", certificate_.cert_file.string(), "--tls-key", certificate_.key_file.string()});
  } else {
    args.emplace_back("--plain");
  }
  if (options_.web_root) args.insert(args.end(), {"--web-root", options_.web_root->string()});
  if (options_.log_level) args.insert(args.end(), {"--log-level", *options_.log_level});
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  auto env = options_.env;
  env.emplace_back("KELISIM_ADMIN_TOKEN", options_.admin_token);
  pid_ = kelisim::test::spawn(options_.binary, args, env, stdout_file_, stderr_file_);
  port_ = 0;
}

void server_process::wait_listening() {
  const auto deadline = clock_type::now() + options_.start_timeout;
  const std::string marker = "listening on ";
  for (;;) {
    const std::string out = read_file(stdout_file_);
    if (const auto at = out.find(marker); at != std::string::npos) {
      const auto end = out.find('\n', at);
      // Only a whole line: the port's digits may still be on their way.
      if (end != std::string::npos) {
        const std::string url = out.substr(at + marker.size(), end - at - marker.size());
        const auto colon = url.rfind(':');
        const auto digits = colon == std::string::npos ? std::string{} : url.substr(colon + 1);
        int port = 0;
        for (const char c : digits) {
          if (c < '0' || c > '9') break;
          port = port * 10 + (c - '0');
        }
        if (port <= 0 || port > 65535)
          throw std::runtime_error("server_process: cannot read a port from '" + url + "'\n" + output_tail());
        port_ = static_cast<std::uint16_t>(port);
        return;
      }
    }
    if (auto gone = reap(false))
      throw std::runtime_error("server_process: the server exited before listening (" + gone->describe() + ")\n" +
                               output_tail());
    if (clock_type::now() >= deadline) {
      kill9();
      throw std::runtime_error("server_process: no listening line within the start deadline\n" + output_tail());
    }
    std::this_thread::sleep_for(poll_interval);
  }
}

std::optional<exit_status> server_process::reap(bool block) {
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  pid_t r = 0;
  do {
    r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return std::nullopt;
  pid_ = -1;
  if (r < 0) return exit_status{};
  return status_of(status);
}

void server_process::restart() {
  if (pid_ > 0) throw std::logic_error("server_process: restart while running");
  spawn();
  wait_listening();
}

std::optional<exit_status> server_process::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  auto status = wait_child(pid_, clock_type::now() + timeout);
  if (status) pid_ = -1;
  return status;
}

exit_status server_process::terminate(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) throw std::logic_error("server_process: terminate when not running");
  ::kill(pid_, SIGTERM);
  if (auto status = wait_exit(timeout)) return *status;
  auto status = kill9();
  status.timed_out = true;
  return status;
}

exit_status server_process::kill9() {
  if (pid_ <= 0) throw std::logic_error("server_process: kill9 when not running");
  ::kill(pid_, SIGKILL);
  return reap(true).value_or(exit_status{});
}

void server_process::send_signal(int signal_number) {
  if (pid_ <= 0) throw std::logic_error("server_process: send_signal when not running");
  ::kill(pid_, signal_number);
}

bool server_process::running() {
  if (pid_ <= 0) return false;
  if (auto gone = reap(false)) return false;
  return true;
}

std::string server_process::origin() const {
  return std::string(options_.tls ? "https://" : "http://") + options_.host + ":" + std::to_string(port_);
}

std::string server_process::stdout_text() const { return read_file(stdout_file_); }
std::string server_process::stderr_text() const { return read_file(stderr_file_); }

std::string server_process::output_tail(std::size_t max_bytes) const {
  auto tail = [max_bytes](std::string s) { return s.size() > max_bytes ? "..." + s.substr(s.size() - max_bytes) : s; };
  return "--- server stdout (run " + std::to_string(run_) + ") ---\n" + tail(stdout_text()) +
         "\n--- server stderr ---\n" + tail(stderr_text()) + "\n---";
}

admin_client server_process::admin() const { return admin_client(options_.host, port_, options_.admin_token, options_.tls); }

ws_client server_process::client(ws_options options) const {
  options.tls = options_.tls;
  return ws_client(options_.host, port_, std::move(options));
}

ws_client server_process::connect(ws_options options) const {
  auto c = client(std::move(options));
  c.connect();
  return c;
}

run_result run_program(const std::filesystem::path& program, const std::vector<std::string>& args,
                       std::chrono::milliseconds timeout) {
  scratch_dir dir("kelisim-run");
  const auto out = dir.path() / "output.log";
  const pid_t pid = spawn(program, args, {}, out, out);
  run_result result;
  if (auto status = wait_child(pid, clock_type::now() + timeout)) {
    result.status = *status;
  } else {
    ::kill(pid, SIGKILL);
    int raw_status = 0;
    ::waitpid(pid, &raw_status, 0);
    result.status = status_of(raw_status);
    result.status.timed_out = true;
  }
  result.output = read_file(out);
  return result;
}

}  // namespace kelisim::test
