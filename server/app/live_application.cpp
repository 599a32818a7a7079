#include "app/live_application.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "app/default_rules.hpp"

#include "app/invites.hpp"
#include "app/make_application.hpp"
#include "app/participant_connection.hpp"
#include "store/sqlite_store.hpp"

namespace kelisim::app {

live_application::live_application(net::io_pool& io,
                                   const application_settings& settings,
                                   net::transport_counters& transport)
    : store_(std::make_unique<store::sqlite_store>(settings.data_dir)),
      signer_(auth::load_or_create_signing_key(settings.data_dir)),
      data_dir_(settings.data_dir),
      rooms_(io, *store_, metrics_),
      services_{*store_, signer_, rooms_, metrics_, transport, refusals_, settings.admin_token,
                settings.public_url, settings.connection_limits},
      api_(services_) {
  const auto loaded = rooms_.load_all();
  spdlog::info("{} room(s) replayed from {}", loaded, settings.data_dir);
}

live_application::~live_application() {
  flush();
  for (const auto& room : rooms_.all()) room->release_after_stop();
}

void live_application::handle_http(net::http::request<net::http::string_body> request,
                                   net::request_info info, net::respond_fn respond) {
  api_.handle(std::move(request), std::move(info), std::move(respond));
}

std::shared_ptr<net::link_handler> live_application::open_link(
    std::shared_ptr<net::client_link> link) {
  return std::make_shared<participant_connection>(std::move(link), services_);
}

void live_application::stopping() {
  for (const auto& room : rooms_.all()) room->close_all(1001, "going away");
}

void live_application::flush() {
  if (store_) store_->flush();
}

void live_application::announce_demo(const std::string& saved) {
  // Saved as "<room id>\n" then "<who>\t<token>\n" lines; links are built with today's URL.
  std::istringstream lines(saved);
  std::string room_id, entry;
  std::getline(lines, room_id);
  std::string out = "kelisim: demo room " + room_id + "\n";
  while (std::getline(lines, entry)) {
    const auto tab = entry.find('\t');
    if (tab == std::string::npos) continue;
    out += "kelisim: demo " + entry.substr(0, tab) + ": " + services_.public_url + "/#token=" +
           entry.substr(tab + 1) + "\n";
  }
  // The person who ran the server reads these on the terminal, next to "listening on".
  std::printf("%s", out.c_str());
  std::fflush(stdout);
}

void live_application::create_demo_room() {
  // The invitations are kept (mode 0600, beside the signing key) so that every later start
  // announces the same demo room instead of making a new one.
  const auto saved = std::filesystem::path(data_dir_) / "demo-invites.txt";
  if (std::ifstream in{saved}) {
    std::stringstream content;
    content << in.rdbuf();
    const auto text = content.str();
    const auto room = rooms_.find(text.substr(0, text.find('\n')));
    if (room && room->summary().snapshot.phase != protocol::room_phase::ended) return announce_demo(text);
  }
  protocol::cmd::create_room demo{
      "Demo: neighbours and the shared fence", "ru", protocol::turn_mode::moderated, 120,
      std::string(default_rules("ru"))};
  rooms_.create(demo, [this, saved](std::shared_ptr<room_host> host, std::optional<engine::rejection> refused) {
    if (!host) {
      spdlog::error("demo room not created: {}", refused ? refused->reason : "unknown");
      return;
    }
    std::string content = host->id() + "\n";
    auto invite = [&](const char* who, protocol::role as, const char* name, std::optional<std::string> side) {
      if (auto issued = issue_invite(services_, host->id(), as, name, std::move(side)))
        content += std::string(who) + "\t" + issued->token + "\n";
    };
    invite("mediator", protocol::role::mediator, "Медиатор", std::nullopt);
    invite("party A", protocol::role::party, "Айгүл", std::string("A"));
    invite("party B", protocol::role::party, "Ерлан", std::string("B"));
    const int fd = ::open(saved.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      [[maybe_unused]] const auto written = ::write(fd, content.data(), content.size());
      ::close(fd);
    }
    announce_demo(content);
  });
}

std::shared_ptr<net::application> make_application(const config& settings,
                                                   net::transport_counters& counters,
                                                   std::string admin_token,
                                                   net::io_pool& io) {
  application_settings app_settings;
  app_settings.data_dir = settings.data_dir.string();
  // Invite links are public_url + "#token=..." with exactly one slash before the fragment.
  app_settings.public_url = settings.public_url;
  while (!app_settings.public_url.empty() && app_settings.public_url.back() == '/')
    app_settings.public_url.pop_back();
  app_settings.admin_token = std::move(admin_token);
  auto application = std::make_shared<live_application>(io, app_settings, counters);
  if (settings.demo) application->create_demo_room();
  return application;
}

}  // namespace kelisim::app
