#include "net/send_queue.hpp"

#include <gtest/gtest.h>

namespace kelisim::net {
namespace {

send_queue::frame frame_of(int n) { return std::make_shared<std::string const>(std::to_string(n)); }

TEST(send_queue, keeps_order_through_a_long_backlog_that_is_compacted_while_draining) {
  send_queue queue;
  EXPECT_TRUE(queue.empty());
  int next_in = 0;
  int next_out = 0;
  // Push 300, drain 200, push 300 more, drain all: the front index crosses the compaction point.
  for (; next_in < 300; ++next_in) queue.push_back(frame_of(next_in));
  for (; next_out < 200; ++next_out) {
    ASSERT_EQ(*queue.front(), std::to_string(next_out));
    queue.pop_front();
  }
  EXPECT_EQ(queue.size(), 100u);
  for (; next_in < 600; ++next_in) queue.push_back(frame_of(next_in));
  EXPECT_EQ(*queue.back(), "599");
  while (!queue.empty()) {
    ASSERT_EQ(*queue.front(), std::to_string(next_out++));
    queue.pop_front();
  }
  EXPECT_EQ(next_out, 600);
  EXPECT_EQ(queue.size(), 0u);
}

TEST(send_queue, dropping_from_the_back_keeps_the_frame_in_flight) {
  send_queue queue;
  for (int i = 0; i < 5; ++i) queue.push_back(frame_of(i));
  const auto in_flight = queue.front();
  while (queue.size() > 1) queue.pop_back();
  EXPECT_EQ(queue.front(), in_flight);
  queue.pop_front();
  EXPECT_TRUE(queue.empty());
  queue.push_back(frame_of(7));
  EXPECT_EQ(*queue.front(), "7");
}

TEST(send_queue, releases_frames_as_soon_as_they_are_written) {
  send_queue queue;
  auto first = frame_of(1);
  std::weak_ptr<std::string const> watch = first;
  queue.push_back(std::move(first));
  queue.push_back(frame_of(2));
  queue.pop_front();
  EXPECT_TRUE(watch.expired());
}

}  // namespace
}  // namespace kelisim::net
