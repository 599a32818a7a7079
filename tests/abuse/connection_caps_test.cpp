// Connection caps: per address (default 64) and in total. The connection over the cap is refused
// at once, the ones under it keep working, and a freed slot can be used again.
#include <memory>
#include <thread>

#include "abuse_support.hpp"

namespace kelisim::abuse {
namespace {

test::ws_options short_timeouts() {
  test::ws_options options;
  options.connect_timeout = 5s;
  options.io_timeout = 5s;
  return options;
}

// Opens WebSockets until one is refused; returns the open ones.
std::vector<std::unique_ptr<ws_client>> open_until_refused(const server_process& server, int at_most,
                                                           test::upgrade_result& refused) {
  std::vector<std::unique_ptr<ws_client>> open;
  for (int i = 0; i < at_most; ++i) {
    auto client = std::make_unique<ws_client>(server.client(short_timeouts()));
    const auto result = client->try_connect();
    if (!result.ok) {
      refused = result;
      break;
    }
    open.push_back(std::move(client));
  }
  return open;
}

TEST(ConnectionCaps, TheSixtyFifthConnectionFromOneAddressIsRefused) {
  server_process server(server_defaults());
  const json room = server.admin().create_room("Caps room");
  const auto mediator = issue(server, room.at("id").get<std::string>(), "mediator", "Mira");

  test::upgrade_result refused;
  auto open = open_until_refused(server, 70, refused);
  EXPECT_EQ(open.size(), 64u) << "the per-address cap is 64 (transport_options.hpp)";
  EXPECT_FALSE(refused.ok);

  // The 64 held connections are served: one of them completes the handshake.
  ASSERT_FALSE(open.empty());
  EXPECT_EQ(test::text_of(open.front()->join(mediator.token), "type"), "welcome");

  // A slot freed is a slot usable again (the server notices the close).
  open.back()->close();
  open.pop_back();
  bool reused = false;
  for (int attempt = 0; attempt < 50 && !reused; ++attempt) {
    ws_client again = server.client(short_timeouts());
    if (again.try_connect().ok) {
      reused = true;
      open.push_back(std::make_unique<ws_client>(std::move(again)));
    } else {
      std::this_thread::sleep_for(20ms);
    }
  }
  EXPECT_TRUE(reused) << "a closed connection's slot was never given back";
  open.clear();
  // With everything closed, a normal client is served.
  std::string alive;
  for (int attempt = 0; attempt < 100; ++attempt) {
    alive = probe(server, mediator.token);
    if (alive.empty()) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(alive, "");
}

TEST(ConnectionCaps, TheTotalCapHoldsToo) {
  auto options = server_defaults();
  options.extra_args = {"--max-connections", "10"};
  server_process server(options);
  const json room = server.admin().create_room("Total cap room");
  const std::string token = issue(server, room.at("id").get<std::string>(), "mediator", "Mira").token;
  test::upgrade_result refused;
  auto open = open_until_refused(server, 20, refused);
  EXPECT_EQ(open.size(), 10u);
  EXPECT_FALSE(refused.ok);
  open.clear();
  // Served again once the server has seen the closes (until then the cap still counts them).
  std::string alive = "never probed";
  for (int attempt = 0; attempt < 100 && !alive.empty(); ++attempt) {
    alive = probe(server, token);
    if (!alive.empty()) std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(alive, "");
}

}  // namespace
}  // namespace kelisim::abuse
