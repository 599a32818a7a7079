#include "net/outbox.hpp"

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace kelisim::net {
namespace {

outbox::frame frame_of(const std::string& text) { return std::make_shared<std::string const>(text); }

std::vector<std::string> take(outbox& box) {
  std::vector<std::string> taken;
  box.take_all([&](outbox::frame&& f) { taken.push_back(*f); });
  return taken;
}

TEST(outbox, only_the_push_into_an_empty_outbox_asks_for_a_hand_over) {
  outbox box;
  EXPECT_TRUE(box.push(frame_of("event")));
  EXPECT_FALSE(box.push(frame_of("ack")));
  EXPECT_FALSE(box.push(frame_of("presence")));
  EXPECT_EQ(take(box), (std::vector<std::string>{"event", "ack", "presence"}));
  EXPECT_TRUE(take(box).empty());
  // Taken empty: the next push asks again.
  EXPECT_TRUE(box.push(frame_of("next")));
  EXPECT_EQ(take(box), std::vector<std::string>{"next"});
}

TEST(outbox, frames_from_concurrent_senders_arrive_once_each_in_each_senders_order) {
  constexpr int senders = 4;
  constexpr int per_sender = 20000;
  outbox box;
  std::atomic<int> hand_overs_requested{0};
  std::atomic<int> senders_done{0};
  std::vector<std::thread> threads;
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      for (int i = 0; i < per_sender; ++i)
        if (box.push(frame_of(std::to_string(s) + ":" + std::to_string(i)))) ++hand_overs_requested;
      ++senders_done;
    });
  }
  // The strand's side, taking while the senders push.
  std::vector<int> next(senders, 0);
  int received = 0;
  int takes_with_frames = 0;
  bool in_order = true;
  const auto take_and_check = [&] {
    const int before = received;
    box.take_all([&](outbox::frame&& f) {
      const auto colon = f->find(':');
      const int s = std::stoi(f->substr(0, colon));
      const int n = std::stoi(f->substr(colon + 1));
      in_order = in_order && n == next[s];
      next[s] = n + 1;
      ++received;
    });
    if (received > before) ++takes_with_frames;
  };
  while (senders_done.load() < senders) take_and_check();
  for (auto& t : threads) t.join();
  take_and_check();  // whatever the last pushes left
  EXPECT_EQ(received, senders * per_sender);
  EXPECT_TRUE(in_order);
  // Each push into an empty outbox starts one run of frames that exactly one take ends: a lost or
  // extra "was empty" answer would be a lost or spurious hand-over.
  EXPECT_EQ(hand_overs_requested.load(), takes_with_frames);
}

TEST(outbox, a_visit_that_throws_frees_the_frames_not_yet_visited) {
  outbox box;
  const auto watched = frame_of("third");
  box.push(frame_of("first"));
  box.push(frame_of("second"));
  box.push(watched);
  int visited = 0;
  EXPECT_THROW(box.take_all([&](outbox::frame&&) {
    if (++visited == 2) throw std::runtime_error("out of memory");
  }),
               std::runtime_error);
  EXPECT_EQ(watched.use_count(), 1) << "the unvisited frame was leaked";
  EXPECT_TRUE(box.push(frame_of("after")));
}

TEST(outbox, frames_never_taken_are_freed_with_the_outbox) {
  const auto watched = frame_of("unsent");
  {
    outbox box;
    box.push(watched);
    EXPECT_EQ(watched.use_count(), 2);
  }
  EXPECT_EQ(watched.use_count(), 1);
}

}  // namespace
}  // namespace kelisim::net
