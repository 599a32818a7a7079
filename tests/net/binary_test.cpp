// The kelisim binary as a child process: serves over TLS on port 0, exits 0 on SIGTERM, writes
// the admin token with mode 0600, logs JSON lines on request, and turns bad configuration into
// one line on stderr and exit status 2.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "test_client.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_certificate.hpp"

namespace kelisim::net {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

test::server_options binary_options(const fs::path& web_root) {
  test::server_options options;
  options.binary = KELISIM_BINARY;
  options.web_root = web_root;
  return options;
}

std::size_t count_lines(const std::string& text) {
  std::size_t lines = 0;
  for (const char c : text) lines += c == '\n';
  return lines;
}

class binary_test : public ::testing::Test {
 protected:
  binary_test() {
    fs::create_directories(web_root());
    std::ofstream(web_root() / "index.html") << "<h1>Kelisim</h1>";
    certificate_ = test::make_test_certificate(scratch_.path());
  }
  fs::path web_root() const { return scratch_.path() / "web"; }

  // Runs the binary with these arguments to completion (it must fail fast).
  test::run_result run_failing(std::vector<std::string> args) {
    std::vector<std::string> all = {"--host", "127.0.0.1", "--port", "0", "--data-dir",
                                    (scratch_.path() / "data").string(), "--web-root", web_root().string()};
    all.insert(all.end(), args.begin(), args.end());
    return test::run_program(KELISIM_BINARY, all, 20s);
  }

  test::scratch_dir scratch_{"kelisim-net-binary"};
  test::test_certificate certificate_;
};

TEST_F(binary_test, serves_over_tls_and_exits_0_on_sigterm) {
  test::server_process server(binary_options(web_root()));
  const auto health = net_test::fetch(server.port(), "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_NE(health.body.find(R"("status":"ok")"), std::string::npos) << health.body;
  EXPECT_FALSE(health.header("strict-transport-security").empty());
  const auto home = net_test::fetch(server.port(), "/");
  EXPECT_EQ(home.status, 200);
  EXPECT_EQ(home.body, "<h1>Kelisim</h1>");
  EXPECT_NE(server.stdout_text().find("kelisim: listening on https://127.0.0.1:"), std::string::npos);

  // An open WebSocket does not hold up the shutdown.
  net_test::ws_client client;
  EXPECT_EQ(client.connect(server.port()), 101);

  const auto status = server.terminate(10s);
  EXPECT_TRUE(status.exited) << status.describe() << "\n" << server.output_tail();
  EXPECT_EQ(status.code, 0) << server.output_tail();
  EXPECT_FALSE(status.timed_out);
}

TEST_F(binary_test, generates_the_admin_token_file_with_mode_0600) {
  auto options = binary_options(web_root());
  options.env = {{"KELISIM_ADMIN_TOKEN", ""}};
  test::server_process server(options);
  const auto token_file = server.data_dir() / "admin-token";
  ASSERT_TRUE(fs::exists(token_file)) << server.output_tail();
  struct stat info {};
  ASSERT_EQ(::stat(token_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  std::ifstream in(token_file);
  std::string token;
  in >> token;
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos);
  // The token itself never reaches the output.
  EXPECT_EQ(server.stdout_text().find(token), std::string::npos);
  EXPECT_EQ(server.stderr_text().find(token), std::string::npos);
  EXPECT_EQ(server.terminate().code, 0);
}

TEST_F(binary_test, logs_json_lines_when_asked) {
  auto options = binary_options(web_root());
  options.extra_args = {"--log-format", "json"};
  options.log_level = "debug";
  test::server_process server(options);
  net_test::fetch(server.port(), "/");
  EXPECT_EQ(server.terminate().code, 0);
  const auto log = server.stderr_text();
  ASSERT_FALSE(log.empty());
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_TRUE(line.starts_with("{\"ts\":\"") && line.ends_with("}")) << line;
  }
}

TEST_F(binary_test, bad_configuration_is_one_line_and_status_2) {
  struct bad_case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<bad_case> cases = {
      {{"--tls-cert", "/nonexistent/x.pem", "--tls-key", certificate_.key_file.string()},
       "kelisim: cannot read TLS certificate /nonexistent/x.pem: No such file or directory"},
      {{"--tls-cert", certificate_.cert_file.string(), "--tls-key", "/nonexistent/k.pem"},
       "kelisim: cannot read TLS private key /nonexistent/k.pem: No such file or directory"},
      {{"--tls-cert", certificate_.cert_file.string(), "--tls-key", certificate_.key_file.string(), "--web-root",
        "/nonexistent/web"},
       "kelisim: cannot read web root /nonexistent/web"},
      {{"--port", "99999"}, "kelisim: --port"},
      {{"--log-format", "xml"}, "kelisim: --log-format"},
      {{"--bogus"}, "kelisim: "},
  };
  for (const auto& [args, expected] : cases) {
    const auto result = run_failing(args);
    EXPECT_TRUE(result.status.exited) << result.status.describe();
    EXPECT_EQ(result.status.code, 2) << result.output;
    EXPECT_TRUE(result.output.starts_with(expected)) << result.output;
    EXPECT_EQ(count_lines(result.output), 1u) << result.output;
  }

  // An unusable data directory: a file where the directory should be.
  std::ofstream(scratch_.path() / "file") << "x";
  const auto data = test::run_program(
      KELISIM_BINARY, {"--port", "0", "--data-dir", (scratch_.path() / "file" / "data").string(), "--web-root",
                       web_root().string(), "--tls-cert", certificate_.cert_file.string(), "--tls-key",
                       certificate_.key_file.string()},
      20s);
  EXPECT_EQ(data.status.code, 2) << data.output;
  EXPECT_TRUE(data.output.starts_with("kelisim: cannot create data directory")) << data.output;
}

TEST_F(binary_test, a_taken_port_is_status_2) {
  test::server_process first(binary_options(web_root()));
  const auto result = run_failing({"--port", std::to_string(first.port()), "--tls-cert",
                                   certificate_.cert_file.string(), "--tls-key", certificate_.key_file.string()});
  EXPECT_EQ(result.status.code, 2) << result.output;
  EXPECT_TRUE(result.output.starts_with("kelisim: cannot listen on 127.0.0.1:" + std::to_string(first.port())))
      << result.output;
  EXPECT_EQ(first.terminate().code, 0);
}

}  // namespace
}  // namespace kelisim::net
