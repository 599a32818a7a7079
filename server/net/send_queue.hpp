#pragma once
// The frames waiting to be written to one WebSocket connection, oldest first.
// A std::deque allocates a 512-byte block plus its map on construction, for every connection,
// even an idle one; this queue owns no memory while empty, which is most of the time.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace kelisim::net {

class send_queue {
 public:
  using frame = std::shared_ptr<std::string const>;

  bool empty() const noexcept { return head_ == frames_.size(); }
  std::size_t size() const noexcept { return frames_.size() - head_; }
  const frame& front() const noexcept { return frames_[head_]; }
  const frame& back() const noexcept { return frames_.back(); }
  // The i-th waiting frame, 0 being the front.
  const frame& operator[](std::size_t i) const noexcept { return frames_[head_ + i]; }

  void push_back(frame f) { frames_.push_back(std::move(f)); }
  void pop_back() {
    frames_.pop_back();
    if (empty()) clear();
  }
  void pop_front() {
    frames_[head_].reset();
    ++head_;
    if (empty()) {
      clear();
    } else if (head_ >= compact_after && head_ * 2 >= frames_.size()) {
      // A long backlog drains from the front: drop the written half now and then.
      frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  void clear() {
    frames_.clear();
    head_ = 0;
    // Keep a small array for the next few frames; give back what a burst grew.
    if (frames_.capacity() > keep_capacity) frames_.shrink_to_fit();
  }

 private:
  static constexpr std::size_t compact_after = 64;
  static constexpr std::size_t keep_capacity = 8;
  std::vector<frame> frames_;
  std::size_t head_ = 0;
};

}  // namespace kelisim::net
