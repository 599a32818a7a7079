#pragma once
// The server's configuration: command line (CLI11), optionally a TOML/INI file (--config) with
// the same option names. The option names are a contract that scripts and tests rely on.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kelisim::app {

struct config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8443;  // 0: any free port
  std::filesystem::path data_dir = "data";
  std::filesystem::path web_root;  // default: default_web_root()
  std::filesystem::path tls_cert = "certs/dev-cert.pem";
  std::filesystem::path tls_key = "certs/dev-key.pem";
  bool plain = false;
  bool demo = false;  // create (once) and announce a demo room with invite links
  std::string log_level = "info";   // trace, debug, info, warn, error, critical, off
  std::string log_format = "text";  // text or json
  std::filesystem::path config_file;
  std::vector<std::string> allowed_origins;  // normalized: scheme://host[:port], no trailing slash
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_address = 64;
  // Base URL for links handed to people (invites), with a trailing slash. Empty until resolved:
  // main fills it in from scheme, host and the bound port before the application is built.
  std::string public_url;
};

enum class command { serve, verify, exit };

struct command_line {
  command what = command::serve;
  config settings;
  std::string verify_file;  // command::verify
  int exit_code = 0;        // command::exit: 0 after --help, 2 after a bad option
  std::string output;       // command::exit: the help text (stdout) or one error line (stderr)
};

// Never throws and never prints: the caller prints `output` and exits with `exit_code`.
command_line parse_command_line(int argc, const char* const argv[]);

// "https" or "http".
std::string scheme(const config& settings);
// settings.public_url when given, else scheme://host:port/ (a wildcard host becomes localhost).
std::string resolved_public_url(const config& settings, std::uint16_t bound_port);
// The web-client directory of the source tree this binary was built from, if it is there,
// else ./web-client.
std::filesystem::path default_web_root();

}  // namespace kelisim::app
