// Command line and config-file parsing: defaults, every option, files, and bad values.
#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "tests/support/scratch_dir.hpp"

namespace kelisim::app {
namespace {

command_line parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"kelisim"};
  argv.insert(argv.end(), args.begin(), args.end());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

TEST(config, defaults) {
  const auto line = parse({});
  ASSERT_EQ(line.what, command::serve) << line.output;
  const auto& cfg = line.settings;
  EXPECT_EQ(cfg.host, "127.0.0.1");
  EXPECT_EQ(cfg.port, 8443);
  EXPECT_EQ(cfg.data_dir, "data");
  EXPECT_EQ(cfg.tls_cert, "certs/dev-cert.pem");
  EXPECT_EQ(cfg.tls_key, "certs/dev-key.pem");
  EXPECT_FALSE(cfg.plain);
  EXPECT_EQ(cfg.log_level, "info");
  EXPECT_EQ(cfg.log_format, "text");
  EXPECT_TRUE(cfg.allowed_origins.empty());
  EXPECT_EQ(cfg.max_connections, 10000u);
  EXPECT_EQ(cfg.max_connections_per_address, 64u);
  EXPECT_TRUE(cfg.public_url.empty());
  EXPECT_EQ(cfg.web_root.filename(), "web-client");
  EXPECT_EQ(resolved_public_url(cfg, 8443), "https://127.0.0.1:8443/");
}

TEST(config, every_option_on_the_command_line) {
  const auto line = parse({"--host", "0.0.0.0", "--port", "0", "--data-dir", "/tmp/k", "--web-root", "/srv/web",
                           "--tls-cert", "c.pem", "--tls-key", "k.pem", "--plain", "--log-level", "debug",
                           "--log-format", "json", "--allowed-origin", "https://a.example/", "--allowed-origin",
                           "http://b.example:8080", "--max-connections", "50", "--max-connections-per-address", "5",
                           "--public-url", "https://mediation.example.org"});
  ASSERT_EQ(line.what, command::serve) << line.output;
  const auto& cfg = line.settings;
  EXPECT_EQ(cfg.host, "0.0.0.0");
  EXPECT_EQ(cfg.port, 0);
  EXPECT_EQ(cfg.data_dir, "/tmp/k");
  EXPECT_EQ(cfg.web_root, "/srv/web");
  EXPECT_EQ(cfg.tls_cert, "c.pem");
  EXPECT_EQ(cfg.tls_key, "k.pem");
  EXPECT_TRUE(cfg.plain);
  EXPECT_EQ(cfg.log_level, "debug");
  EXPECT_EQ(cfg.log_format, "json");
  EXPECT_EQ(cfg.allowed_origins, (std::vector<std::string>{"https://a.example", "http://b.example:8080"}));
  EXPECT_EQ(cfg.max_connections, 50u);
  EXPECT_EQ(cfg.max_connections_per_address, 5u);
  EXPECT_EQ(cfg.public_url, "https://mediation.example.org/");
  EXPECT_EQ(resolved_public_url(cfg, 1234), "https://mediation.example.org/");
  auto derived = cfg;
  derived.public_url.clear();
  EXPECT_EQ(resolved_public_url(derived, 1234), "http://localhost:1234/");
}

TEST(config, config_file_with_the_same_names) {
  test::scratch_dir dir("kelisim-net-config");
  const auto file = dir.path() / "kelisim.toml";
  std::ofstream(file) << "# Kelisim\n"
                         "port = 9443\n"
                         "host = \"::1\"\n"
                         "plain = true\n"
                         "log-level = \"warn\"\n"
                         "allowed-origin = [\"https://a.example\", \"https://b.example\"]\n"
                         "max-connections-per-address = 8\n";
  const auto line = parse({"--config", file.c_str(), "--log-format", "json"});
  ASSERT_EQ(line.what, command::serve) << line.output;
  const auto& cfg = line.settings;
  EXPECT_EQ(cfg.port, 9443);
  EXPECT_EQ(cfg.host, "::1");
  EXPECT_TRUE(cfg.plain);
  EXPECT_EQ(cfg.log_level, "warn");
  EXPECT_EQ(cfg.log_format, "json");
  EXPECT_EQ(cfg.allowed_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(cfg.max_connections_per_address, 8u);
  EXPECT_EQ(cfg.config_file, file);
  EXPECT_EQ(resolved_public_url(cfg, 9443), "http://[::1]:9443/");

  // The command line wins over the file.
  const auto overridden = parse({"--config", file.c_str(), "--port", "7000"});
  ASSERT_EQ(overridden.what, command::serve) << overridden.output;
  EXPECT_EQ(overridden.settings.port, 7000);
}

TEST(config, a_later_value_wins) {
  // scripts/run-server.sh sets --data-dir and --web-root and passes the user's arguments after them.
  const auto line = parse({"--data-dir", "data", "--port", "1", "--data-dir", "/srv/kelisim", "--port", "2"});
  ASSERT_EQ(line.what, command::serve) << line.output;
  EXPECT_EQ(line.settings.data_dir, "/srv/kelisim");
  EXPECT_EQ(line.settings.port, 2);
}

TEST(config, bad_values_give_one_line_and_status_2) {
  const std::vector<std::vector<const char*>> bad = {
      {"--port", "70000"},
      {"--port", "-1"},
      {"--port", "https"},
      {"--log-level", "loud"},
      {"--log-format", "xml"},
      {"--max-connections", "0"},
      {"--max-connections-per-address", "-3"},
      {"--allowed-origin", "evil.example"},
      {"--allowed-origin", "https://a.example/path"},
      {"--public-url", "ftp://x"},
      {"--no-such-option"},
      {"--config", "/nonexistent/kelisim.toml"},
      {"verify"},
      {"--port"},
  };
  for (const auto& args : bad) {
    std::vector<const char*> argv{"kelisim"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto line = parse_command_line(static_cast<int>(argv.size()), argv.data());
    const std::string shown = args.front();
    EXPECT_EQ(line.what, command::exit) << shown;
    EXPECT_EQ(line.exit_code, 2) << shown;
    EXPECT_TRUE(line.output.starts_with("kelisim: ")) << line.output;
    EXPECT_EQ(line.output.find('\n'), std::string::npos) << line.output;
  }
}

TEST(config, help_explains_every_option) {
  const auto line = parse({"--help"});
  ASSERT_EQ(line.what, command::exit);
  EXPECT_EQ(line.exit_code, 0);
  for (const char* option : {"--host", "--port", "--data-dir", "--web-root", "--tls-cert", "--tls-key", "--plain",
                             "--log-level", "--log-format", "--config", "--allowed-origin", "--max-connections",
                             "--max-connections-per-address", "--public-url", "verify"})
    EXPECT_NE(line.output.find(option), std::string::npos) << option;
}

TEST(config, verify_subcommand) {
  const auto line = parse({"verify", "export.json"});
  ASSERT_EQ(line.what, command::verify) << line.output;
  EXPECT_EQ(line.verify_file, "export.json");
}

}  // namespace
}  // namespace kelisim::app
