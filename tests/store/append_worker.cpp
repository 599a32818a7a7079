// The crash test's child: opens the store in the data dir given as argv[1], then appends to four
// rooms as fast as the store takes them (a window of appends in flight per room) and prints
// "ROOM SEQ" on stdout for every append the store acknowledged. It runs until killed
// (or gives up after 30 s, so a lost parent cannot leave it running).
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/store/sqlite_store.hpp"

namespace {

using namespace kelisim::store;

constexpr int room_count = 4;
constexpr int window = 32;

// One write(2) per line: lines stay whole in the pipe, and nothing sits in a buffer at SIGKILL.
void report(const std::string& line) {
  std::size_t written = 0;
  while (written < line.size()) {
    const auto n = ::write(STDOUT_FILENO, line.data() + written, line.size() - written);
    if (n <= 0) ::_exit(4);  // the parent is gone
    written += static_cast<std::size_t>(n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  try {
    sqlite_store_options options;
    options.max_batch_wait = std::chrono::microseconds(500);
    options.busy_batch_appends = 0;
    sqlite_store store(argv[1], options);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);

    std::vector<std::thread> writers;
    for (int r = 0; r < room_count; ++r) {
      writers.emplace_back([&store, r, give_up] {
        const room_id room = "room" + std::to_string(r);
        store.create_room(room_record{room, r, "crash test", "en"});  // false when it exists
        const auto existing = store.events_after(room, 0);
        seq_t next = existing.empty() ? 1 : existing.back().seq + 1;

        std::mutex m;
        std::condition_variable slot_free;
        int in_flight = 0;
        while (std::chrono::steady_clock::now() < give_up) {
          {
            std::unique_lock lock(m);
            slot_free.wait(lock, [&] { return in_flight < window; });
            ++in_flight;
          }
          const seq_t seq = next++;
          append_request request{room,
                                 {new_event{seq, 1'700'000'000'000 + seq, "message",
                                            R"({"text":"message )" + std::to_string(seq) + " in " + room +
                                                R"(, long enough to look like a sentence someone said"})"}},
                                 command_receipt{"p-" + room, "cmd-" + std::to_string(seq), seq}};
          store.append(std::move(request), [&, seq, room](append_result result) {
            report((result.ok ? "" : "FAIL ") + room + " " + std::to_string(seq) + "\n");
            std::lock_guard lock(m);
            --in_flight;
            slot_free.notify_one();
          });
        }
        std::unique_lock lock(m);
        slot_free.wait(lock, [&] { return in_flight == 0; });
      });
    }
    for (auto& w : writers) w.join();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "append_worker: %s\n", e.what());
    return 1;
  }
  return 0;
}
