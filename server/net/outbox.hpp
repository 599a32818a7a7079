#pragma once
// Frames handed to one connection from other threads (a room's fan-out, its acks), waiting for
// the connection's io thread to take them.
// Why not a post per frame: each post is a handler allocation, a queue push and often a
// wake-up of the other io thread. Here a frame is pushed without a lock, and only the push that
// finds the outbox empty asks for a hand-over; everything pushed until that hand-over runs goes
// with it — so the sender's own event and its ack leave in one write.
// Costs one pointer per connection while empty.
#include <atomic>
#include <memory>
#include <string>
#include <utility>

namespace kelisim::net {

class outbox {
 public:
  using frame = std::shared_ptr<std::string const>;

  outbox() = default;
  outbox(const outbox&) = delete;
  outbox& operator=(const outbox&) = delete;
  ~outbox() { free_list(head_.exchange(nullptr, std::memory_order_acquire)); }

  // From any thread. True when the outbox was empty: the caller must arrange one take_all()
  // on the connection's io thread.
  bool push(frame f) {
    auto* fresh = new node{std::move(f), nullptr};
    node* previous = head_.load(std::memory_order_relaxed);
    do {
      fresh->next = previous;
    } while (!head_.compare_exchange_weak(previous, fresh, std::memory_order_release, std::memory_order_relaxed));
    // Once published, the node belongs to the io thread (take_all rewrites its link at once): the
    // answer comes from our own copy of the old head, never from the node.
    return previous == nullptr;
  }

  // On the connection's io thread: every frame pushed so far, oldest first, to visit(frame&&).
  template <class Visit>
  void take_all(Visit&& visit) {
    node* newest = head_.exchange(nullptr, std::memory_order_acquire);
    // The list is newest first; turn it around to keep the order the frames were sent in.
    node* oldest = nullptr;
    while (newest != nullptr) {
      node* older = newest->next;
      newest->next = oldest;
      oldest = newest;
      newest = older;
    }
    // Should visit throw, the frames not yet visited are freed, not leaked.
    struct rest_guard {
      node*& rest;
      ~rest_guard() { free_list(rest); }
    } guard{oldest};
    while (oldest != nullptr) {
      std::unique_ptr<node> current(std::exchange(oldest, oldest->next));
      visit(std::move(current->payload));
    }
  }

 private:
  struct node {
    frame payload;
    node* next;
  };

  static void free_list(node* n) {
    while (n != nullptr) delete std::exchange(n, n->next);
  }

  std::atomic<node*> head_{nullptr};
};

}  // namespace kelisim::net
