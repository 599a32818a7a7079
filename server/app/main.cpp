// kelisim: parse the configuration, prepare logging, data and TLS, build the application, serve
// until SIGINT/SIGTERM, then let the application flush its storage and exit 0.
// Configuration problems end with one line on stderr and exit status 2.
#include <cstdio>
#include <exception>
#include <memory>

#include <spdlog/spdlog.h>

#include "app/config.hpp"
#include "app/logging.hpp"
#include "app/make_application.hpp"
#include "app/startup.hpp"
#include "app/verify_command.hpp"
#include "net/server.hpp"
#include "net/startup_error.hpp"

namespace {

using namespace kelisim;

constexpr int bad_configuration = 2;

net::server_options server_options(const app::config& settings) {
  net::server_options options;
  options.host = settings.host;
  options.port = settings.port;
  options.tls = !settings.plain;
  options.tls_certificate = settings.tls_cert;
  options.tls_private_key = settings.tls_key;
  options.web_root = settings.web_root;
  options.transport.max_connections = settings.max_connections;
  options.transport.max_connections_per_address = settings.max_connections_per_address;
  options.transport.allowed_origins = settings.allowed_origins;
  return options;
}

// The origin of the public URL may differ from the Host header (a proxy in front): allow it too.
void allow_public_origin(net::server_options& options, const std::string& public_url) {
  const auto scheme_end = public_url.find("://");
  const auto path = public_url.find('/', scheme_end + 3);
  options.transport.allowed_origins.push_back(public_url.substr(0, path));
}

int serve(app::config settings) {
  app::setup_logging(settings.log_level, settings.log_format);
  app::prepare_data_dir(settings.data_dir);
  auto token = app::load_admin_token(settings.data_dir);

  auto options = server_options(settings);
  if (!settings.public_url.empty()) allow_public_origin(options, settings.public_url);
  // Loads TLS, checks the web root and binds: every remaining configuration error surfaces here.
  auto server = std::make_unique<net::server>(std::move(options));
  settings.public_url = app::resolved_public_url(settings, server->port());

  auto application =
      app::make_application(settings, server->counters(), std::move(token.value), server->io());

  const auto listening = app::scheme(settings) + "://" + settings.host + ":" + std::to_string(server->port()) + "/";
  // stdout, one line each: scripts and tests wait for "listening on".
  std::printf("kelisim: listening on %s\n", listening.c_str());
  std::printf("kelisim: open %s\n", settings.public_url.c_str());
  std::printf("kelisim: admin token in %s\n", token.source.c_str());
  std::fflush(stdout);
  spdlog::info("serving {} (web root {}, data {})", listening, settings.web_root.string(), settings.data_dir.string());

  server->run(application);

  // The application goes first (flushing storage), while the io threads its rooms live on exist.
  application.reset();
  server.reset();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char* argv[]) {
  auto command_line = app::parse_command_line(argc, argv);
  switch (command_line.what) {
    case app::command::exit:
      std::fprintf(command_line.exit_code == 0 ? stdout : stderr, "%s\n", command_line.output.c_str());
      return command_line.exit_code;
    case app::command::verify:
      return app::run_verify(command_line.verify_file);
    case app::command::serve:
      break;
  }
  try {
    return serve(std::move(command_line.settings));
  } catch (const net::startup_error& error) {
    std::fprintf(stderr, "kelisim: %s\n", error.what());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "kelisim: cannot start: %s\n", error.what());
  }
  return bad_configuration;
}
