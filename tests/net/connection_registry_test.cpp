// Connection caps and the live-link registry used at shutdown.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "net/connection_registry.hpp"

namespace kelisim::net {
namespace {

TEST(connection_registry, caps_per_address_and_in_total) {
  connection_registry registry(3, 2);
  auto a1 = registry.try_admit("10.0.0.1");
  auto a2 = registry.try_admit("10.0.0.1");
  ASSERT_TRUE(a1 && a2);
  EXPECT_FALSE(registry.try_admit("10.0.0.1")) << "third from one address";
  auto b1 = registry.try_admit("10.0.0.2");
  ASSERT_TRUE(b1);
  EXPECT_FALSE(registry.try_admit("10.0.0.3")) << "total cap";
  EXPECT_EQ(registry.open_connections(), 3u);

  a1.reset();  // a closed connection gives its place back
  EXPECT_EQ(registry.open_connections(), 2u);
  auto a3 = registry.try_admit("10.0.0.1");
  EXPECT_TRUE(a3);

  // A moved slot is counted once.
  std::optional<connection_slot> moved(std::move(*b1));
  b1.reset();
  EXPECT_EQ(registry.open_connections(), 3u);
  moved.reset();
  EXPECT_EQ(registry.open_connections(), 2u);
}

struct recording_link final : transport_link {
  void send(std::shared_ptr<std::string const>) override {}
  void check_alive() override { ++checks; }
  void close(std::uint16_t code, std::string reason) override { closes.emplace_back(code, std::move(reason)); }
  void authenticated(std::size_t) override {}
  void when_sent(std::function<void()>) override {}
  const std::string& remote_address() const override { return address; }
  std::string address = "127.0.0.1";
  std::vector<std::pair<std::uint16_t, std::string>> closes;
  int checks = 0;
};

TEST(connection_registry, the_keep_alive_sweep_reaches_every_live_link) {
  connection_registry registry(10, 10);
  auto first = std::make_shared<recording_link>();
  auto second = std::make_shared<recording_link>();
  ASSERT_TRUE(registry.add_link(first.get(), first));
  ASSERT_TRUE(registry.add_link(second.get(), second));
  registry.check_all_alive();
  registry.remove_link(second.get());
  registry.check_all_alive();
  EXPECT_EQ(first->checks, 2);
  EXPECT_EQ(second->checks, 1);
}

TEST(connection_registry, shutdown_closes_every_link_and_reports_drained) {
  connection_registry registry(10, 10);
  auto first = std::make_shared<recording_link>();
  auto second = std::make_shared<recording_link>();
  ASSERT_TRUE(registry.add_link(first.get(), first));
  ASSERT_TRUE(registry.add_link(second.get(), second));

  int drained = 0;
  registry.close_all_links(1001, "going away", [&] { ++drained; });
  ASSERT_EQ(first->closes.size(), 1u);
  EXPECT_EQ(first->closes[0].first, 1001);
  EXPECT_EQ(first->closes[0].second, "going away");
  EXPECT_EQ(second->closes.size(), 1u);
  EXPECT_EQ(drained, 0);

  auto late = std::make_shared<recording_link>();
  EXPECT_FALSE(registry.add_link(late.get(), late)) << "no new links during shutdown";

  registry.remove_link(first.get());
  EXPECT_EQ(drained, 0);
  registry.remove_link(second.get());
  EXPECT_EQ(drained, 1);
}

TEST(connection_registry, shutdown_without_links_is_drained_at_once) {
  connection_registry registry(10, 10);
  int drained = 0;
  registry.close_all_links(1001, "going away", [&] { ++drained; });
  EXPECT_EQ(drained, 1);
}

}  // namespace
}  // namespace kelisim::net
