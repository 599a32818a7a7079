#include "net/io_pool.hpp"

#include <pthread.h>

#include <algorithm>
#include <string>
#include <thread>

#include "net/log.hpp"

namespace kelisim::net {

namespace {
// Which pool and which of its threads is running here (set once by run_thread).
thread_local const io_pool* running_pool = nullptr;
thread_local std::size_t running_index = io_pool::not_an_io_thread;
}  // namespace

io_pool::io_pool(unsigned threads) {
  const unsigned count = std::max(1u, threads);
  threads_.reserve(count);
  for (unsigned i = 0; i < count; ++i) threads_.push_back(std::make_unique<thread_context>());
}

std::size_t io_pool::next() noexcept { return next_.fetch_add(1, std::memory_order_relaxed) % threads_.size(); }

std::size_t io_pool::next_home() noexcept {
  return next_home_.fetch_add(1, std::memory_order_relaxed) % threads_.size();
}

std::size_t io_pool::current() const noexcept { return running_pool == this ? running_index : not_an_io_thread; }

void io_pool::run() {
  std::vector<std::thread> others;
  others.reserve(threads_.size() - 1);
  for (std::size_t i = 1; i < threads_.size(); ++i) {
    others.emplace_back([this, i] {
      // Named for `top -H` and perf; the first io thread is the main thread and keeps its name.
      pthread_setname_np(pthread_self(), ("kelisim-io-" + std::to_string(i)).c_str());
      run_thread(i);
    });
  }
  run_thread(0);
  for (auto& t : others) t.join();
}

void io_pool::run_thread(std::size_t index) {
  running_pool = this;
  running_index = index;
  for (;;) {
    try {
      threads_[index]->io.run();
      break;
    } catch (const std::exception& error) {
      // A handler threw: log it and keep serving everyone else.
      log().error("unhandled exception on io thread {}: {}", index, error.what());
    }
  }
  running_pool = nullptr;
  running_index = not_an_io_thread;
}

void io_pool::stop() {
  for (auto& t : threads_) t->io.stop();
}

}  // namespace kelisim::net
