// Store throughput: how many events per second the SQLite transcript store makes durable when
// many rooms append at once (the shape of benchmark workload (i)). Prints one JSON line.
//   kelisim_store_bench [rooms=100] [events_per_room=200] [body_bytes=300] [dir]
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>

#include "server/store/sqlite_store.hpp"

int main(int argc, char** argv) {
  using namespace kelisim;
  const int rooms = argc > 1 ? std::stoi(argv[1]) : 100;
  const int per_room = argc > 2 ? std::stoi(argv[2]) : 200;
  const std::size_t body_bytes = argc > 3 ? std::stoul(argv[3]) : 300;
  const std::filesystem::path dir = argc > 4 ? argv[4] : std::filesystem::temp_directory_path() / "kelisim-store-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  store::sqlite_store db(dir);
  for (int r = 0; r < rooms; ++r) db.create_room({"room" + std::to_string(r), 0, "t", "en"});

  std::mutex mutex;
  std::condition_variable all_done;
  std::atomic<int> outstanding{rooms * per_room};
  std::atomic<int> failed{0};
  const std::string body(body_bytes, 'x');
  const auto started = std::chrono::steady_clock::now();
  // Room by room in rounds, like 100 rooms each sending one message at a time.
  for (int seq = 1; seq <= per_room; ++seq) {
    for (int r = 0; r < rooms; ++r) {
      store::append_request request;
      request.room = "room" + std::to_string(r);
      request.events.push_back({seq, 0, "message", "{\"seq\":" + std::to_string(seq) + ",\"text\":\"" + body + "\"}"});
      request.receipt = store::command_receipt{"p" + std::to_string(seq % 4), "c" + std::to_string(seq), seq};
      db.append(std::move(request), [&](store::append_result result) {
        if (!result.ok) ++failed;
        if (--outstanding == 0) {
          std::lock_guard lock(mutex);
          all_done.notify_one();
        }
      });
    }
  }
  {
    std::unique_lock lock(mutex);
    all_done.wait(lock, [&] { return outstanding.load() == 0; });
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto stats = db.stats();
  std::printf("{\"events\":%d,\"failed\":%d,\"seconds\":%.3f,\"events_per_second\":%.0f,"
              "\"transactions\":%llu,\"commit_seconds\":%.3f}\n",
              rooms * per_room, failed.load(), seconds, rooms * per_room / seconds,
              static_cast<unsigned long long>(stats.transactions), stats.commit_seconds_total);
  return failed.load() == 0 ? 0 : 1;
}
