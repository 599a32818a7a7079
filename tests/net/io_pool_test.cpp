// Where rooms and connections start: each on the io threads in turn, counted apart, so rooms are
// spread evenly whatever the connections do in between.
#include <gtest/gtest.h>

#include <vector>

#include "net/io_pool.hpp"

namespace kelisim::net {
namespace {

TEST(io_pool, rooms_are_placed_on_the_threads_in_turn_whatever_connections_arrive_between) {
  io_pool pool(3);
  std::vector<std::size_t> homes;
  for (int room = 0; room < 6; ++room) {
    homes.push_back(pool.next_home());
    // An administrator's request on a connection of its own, as each room is created.
    pool.next();
    pool.next();
  }
  EXPECT_EQ(homes, (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
}

}  // namespace
}  // namespace kelisim::net
