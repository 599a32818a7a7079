#include "app/live_application.hpp"

#include <spdlog/spdlog.h>

#include "app/invites.hpp"
#include "app/make_application.hpp"
#include "app/participant_connection.hpp"
#include "store/sqlite_store.hpp"

namespace kelisim::app {

live_application::live_application(boost::asio::any_io_executor io,
                                   const application_settings& settings,
                                   net::transport_counters& transport)
    : store_(std::make_unique<store::sqlite_store>(settings.data_dir)),
      signer_(auth::load_or_create_signing_key(settings.data_dir)),
      rooms_(io, *store_, metrics_),
      services_{*store_, signer_, rooms_, metrics_, transport, settings.admin_token,
                settings.public_url, settings.connection_limits},
      api_(services_) {
  const auto loaded = rooms_.load_all();
  spdlog::info("{} room(s) replayed from {}", loaded, settings.data_dir);
}

live_application::~live_application() { flush(); }

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

void live_application::create_demo_room() {
  protocol::cmd::create_room demo{
      "Demo: neighbours and the shared fence", "ru", protocol::turn_mode::moderated, 120,
      "1. Speak one at a time.\n2. Respect each other.\n3. What is said in a caucus stays there "
      "unless you allow it to be shared.\n4. The session is recorded in a transcript."};
  rooms_.create(demo, [this](std::shared_ptr<room_host> host, std::optional<engine::rejection> refused) {
    if (!host) {
      spdlog::error("demo room not created: {}", refused ? refused->reason : "unknown");
      return;
    }
    auto log = [&](const char* who, protocol::role as, const char* name, std::optional<std::string> side) {
      if (auto invite = issue_invite(services_, host->id(), as, name, std::move(side)))
        spdlog::info("demo room {}: {} link: {}", host->id(), who, invite->url);
    };
    log("mediator", protocol::role::mediator, "Mediator", std::nullopt);
    log("party A", protocol::role::party, "Party A", std::string("A"));
    log("party B", protocol::role::party, "Party B", std::string("B"));
  });
}

std::shared_ptr<net::application> make_application(const config& settings,
                                                   net::transport_counters& counters,
                                                   std::string admin_token,
                                                   boost::asio::io_context& io) {
  application_settings app_settings;
  app_settings.data_dir = settings.data_dir.string();
  // Invite links are public_url + "#token=..." with exactly one slash before the fragment.
  app_settings.public_url = settings.public_url;
  while (!app_settings.public_url.empty() && app_settings.public_url.back() == '/')
    app_settings.public_url.pop_back();
  app_settings.admin_token = std::move(admin_token);
  return std::make_shared<live_application>(io.get_executor(), app_settings, counters);
}

}  // namespace kelisim::app
