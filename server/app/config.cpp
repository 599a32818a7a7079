#include "app/config.hpp"

#include <algorithm>
#include <array>
#include <sstream>

#include <CLI/CLI.hpp>

namespace kelisim::app {

namespace {

constexpr std::array<const char*, 7> log_levels{"trace", "debug", "info", "warn", "error", "critical", "off"};

// "https://example.org:8443" (scheme, host, optional port; no path). Trailing slash removed.
std::string normalize_origin(std::string origin) {
  if (!origin.empty() && origin.back() == '/') origin.pop_back();
  const auto scheme_end = origin.find("://");
  const auto scheme = origin.substr(0, scheme_end == std::string::npos ? 0 : scheme_end);
  if (scheme != "http" && scheme != "https")
    throw CLI::ValidationError("--allowed-origin", "'" + origin + "' is not an origin like https://example.org");
  const auto authority = origin.substr(scheme_end + 3);
  if (authority.empty() || authority.find_first_of("/?#@ ") != std::string::npos)
    throw CLI::ValidationError("--allowed-origin", "'" + origin + "' is not an origin like https://example.org");
  return origin;
}

std::string normalize_public_url(std::string url) {
  if (!url.starts_with("https://") && !url.starts_with("http://"))
    throw CLI::ValidationError("--public-url", "'" + url + "' must start with https:// or http://");
  if (url.find_first_of(" ?#") != std::string::npos)
    throw CLI::ValidationError("--public-url", "'" + url + "' must be a plain base URL");
  if (url.back() != '/') url.push_back('/');
  return url;
}

}  // namespace

std::filesystem::path default_web_root() {
#ifdef KELISIM_SOURCE_DIR
  std::error_code ec;
  const auto in_source_tree = std::filesystem::path(KELISIM_SOURCE_DIR) / "web-client";
  if (std::filesystem::is_directory(in_source_tree, ec)) return in_source_tree;
#endif
  return "web-client";
}

std::string scheme(const config& settings) { return settings.plain ? "http" : "https"; }

std::string resolved_public_url(const config& settings, std::uint16_t bound_port) {
  if (!settings.public_url.empty()) return settings.public_url;
  std::string host = settings.host;
  if (host == "0.0.0.0" || host == "::" || host.empty()) host = "localhost";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return scheme(settings) + "://" + host + ":" + std::to_string(bound_port) + "/";
}

command_line parse_command_line(int argc, const char* const argv[]) {
  command_line result;
  config& cfg = result.settings;
  cfg.web_root = default_web_root();
  int port = cfg.port;
  std::string public_url;

  CLI::App cli{"Kelisim: a real-time server for online mediation (HTTPS + WebSocket on one port).", "kelisim"};
  // A later value wins, so wrapper scripts can set defaults and still pass the user's arguments on.
  cli.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cli.set_config("--config", "", "Read options from this TOML/INI file (keys are the long option names, e.g. port = 9443)");
  cli.add_option("--host", cfg.host, "Address to listen on")->capture_default_str();
  cli.add_option("--port", port, "TCP port to listen on; 0 picks any free port")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cli.add_option("--data-dir", cfg.data_dir, "Directory for the transcript database and the admin token (created if missing)")
      ->capture_default_str();
  cli.add_option("--web-root", cfg.web_root, "Directory of the web client served as static files")
      ->capture_default_str();
  cli.add_option("--tls-cert", cfg.tls_cert, "TLS certificate chain (PEM)")->capture_default_str();
  cli.add_option("--tls-key", cfg.tls_key, "TLS private key (PEM)")->capture_default_str();
  cli.add_flag("--plain", cfg.plain,
               "Serve plain HTTP/WS without TLS; only behind a TLS-terminating proxy");
  cli.add_flag("--demo", cfg.demo,
               "Make sure a demo room exists and print invite links for a mediator and two parties");
  cli.add_option("--log-level", cfg.log_level, "Log level: trace, debug, info, warn, error, critical, off")
      ->check(CLI::IsMember(std::vector<std::string>(log_levels.begin(), log_levels.end())))
      ->capture_default_str();
  cli.add_option("--log-format", cfg.log_format, "Log lines as plain text or JSON (one object per line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cli.add_option("--allowed-origin", cfg.allowed_origins,
                 "An extra Origin allowed to open WebSockets, e.g. https://mediation.example.org (repeatable). "
                 "The server's own origin is always allowed")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  cli.add_option("--max-connections", cfg.max_connections, "Cap on open connections in total")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--max-connections-per-address", cfg.max_connections_per_address,
                 "Cap on open connections from one client address")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--public-url", public_url,
                 "Base URL used in invite links (default: scheme://host:port/ of this server)");

  auto* verify = cli.add_subcommand("verify", "Check an exported JSON transcript offline and exit");
  verify->add_option("file", result.verify_file, "The exported transcript (JSON)")->required();
  cli.require_subcommand(0, 1);

  try {
    cli.parse(argc, argv);
    cfg.port = static_cast<std::uint16_t>(port);
    for (auto& origin : cfg.allowed_origins) origin = normalize_origin(origin);
    if (!public_url.empty()) cfg.public_url = normalize_public_url(public_url);
    if (auto* file = cli.get_config_ptr(); file != nullptr && file->count() > 0) cfg.config_file = file->as<std::string>();
    result.what = verify->parsed() ? command::verify : command::serve;
  } catch (const CLI::CallForHelp&) {
    result.what = command::exit;
    result.exit_code = 0;
    result.output = cli.help();
  } catch (const CLI::CallForAllHelp&) {
    result.what = command::exit;
    result.exit_code = 0;
    result.output = cli.help("", CLI::AppFormatMode::All);
  } catch (const CLI::ParseError& error) {
    result.what = command::exit;
    result.exit_code = 2;
    result.output = std::string("kelisim: ") + error.what() + " (see --help)";
  }
  return result;
}

}  // namespace kelisim::app
