#pragma once
// The io threads: one io_context per thread ("a thread per core"), each run by exactly that
// thread. What lives on one context — a room and the connections homed with it — runs on one
// thread, so handing a frame from the room to its connections is a queue push on the same thread:
// no lock, no wake-up of another thread. Only work that really crosses threads (the store's
// writer finishing a commit, a connection not yet with its room) wakes one.
// Why not one io_context run by every thread: each post from a thread then takes the context's
// mutex and wakes an idle thread, and a room's fan-out bounced between the threads (benchmark (i):
// about 9,000 futex calls per second per io thread).
#include <atomic>
#include <cstddef>
#include <limits>
#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace kelisim::net {

class io_pool {
 public:
  static constexpr std::size_t not_an_io_thread = std::numeric_limits<std::size_t>::max();

  explicit io_pool(unsigned threads);
  io_pool(const io_pool&) = delete;
  io_pool& operator=(const io_pool&) = delete;

  std::size_t size() const noexcept { return threads_.size(); }
  boost::asio::io_context& context(std::size_t thread) { return threads_[thread]->io; }
  boost::asio::any_io_executor executor(std::size_t thread) { return threads_[thread]->io.get_executor(); }

  // Where a new connection starts: the threads in turn. Thread-safe.
  std::size_t next() noexcept;
  // Where a room starts to live (its connections join it there): the threads in turn, counted
  // apart from connections, so every thread holds as many rooms as the next. A hash of the room
  // id split 100 rooms 45/55 or worse, and left one thread up to a third busier than the other.
  // Thread-safe.
  std::size_t next_home() noexcept;
  // The thread of this pool running the caller, or not_an_io_thread.
  std::size_t current() const noexcept;

  // Runs thread 0 on the caller and the others on threads of their own; returns when all have
  // stopped. A handler that throws is logged and the thread carries on.
  void run();
  // Thread-safe: every thread returns from run() as soon as its current handler is done.
  void stop();

 private:
  struct thread_context {
    boost::asio::io_context io{1};  // run by one thread: posts from it skip the shared queue
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> keep_running{io.get_executor()};
  };
  void run_thread(std::size_t index);

  std::vector<std::unique_ptr<thread_context>> threads_;
  std::atomic<std::size_t> next_{0};
  std::atomic<std::size_t> next_home_{0};
};

}  // namespace kelisim::net
