#include "net/connection_registry.hpp"

#include <utility>

namespace kelisim::net {

connection_slot::connection_slot(connection_registry& registry, std::string address)
    : registry_(&registry), address_(std::move(address)) {}

connection_slot::connection_slot(connection_slot&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), address_(std::move(other.address_)) {}

connection_slot::~connection_slot() {
  if (registry_ != nullptr) registry_->release(address_);
}

connection_registry::connection_registry(std::size_t max_total, std::size_t max_per_address)
    : max_total_(max_total), max_per_address_(max_per_address) {}

std::optional<connection_slot> connection_registry::try_admit(const std::string& address) {
  std::lock_guard lock(mutex_);
  if (total_ >= max_total_) return std::nullopt;
  auto& from_address = per_address_[address];
  if (from_address >= max_per_address_) return std::nullopt;
  ++from_address;
  ++total_;
  return std::optional<connection_slot>(std::in_place, *this, address);
}

void connection_registry::release(const std::string& address) {
  std::lock_guard lock(mutex_);
  --total_;
  auto it = per_address_.find(address);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

std::size_t connection_registry::open_connections() const {
  std::lock_guard lock(mutex_);
  return total_;
}

bool connection_registry::add_link(const transport_link* key, std::weak_ptr<transport_link> link) {
  std::lock_guard lock(mutex_);
  if (shutting_down_) return false;
  links_.emplace(key, std::move(link));
  return true;
}

void connection_registry::remove_link(const transport_link* key) {
  std::function<void()> drained;
  {
    std::lock_guard lock(mutex_);
    links_.erase(key);
    if (shutting_down_ && links_.empty()) drained = std::exchange(on_drained_, nullptr);
  }
  if (drained) drained();
}

std::size_t connection_registry::live_links() const {
  std::lock_guard lock(mutex_);
  return links_.size();
}

std::vector<std::shared_ptr<transport_link>> connection_registry::live() const {
  std::vector<std::shared_ptr<transport_link>> open;
  open.reserve(links_.size());
  for (const auto& [key, weak] : links_)
    if (auto link = weak.lock()) open.push_back(std::move(link));
  return open;
}

void connection_registry::check_all_alive() const {
  std::vector<std::shared_ptr<transport_link>> open;
  {
    std::lock_guard lock(mutex_);
    open = live();
  }
  // Outside the lock: each check posts to its connection's io thread.
  for (auto& link : open) link->check_alive();
}

void connection_registry::close_all_links(std::uint16_t code, const std::string& reason,
                                          std::function<void()> on_drained) {
  std::vector<std::shared_ptr<transport_link>> open;
  bool drained_now = false;
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
    open = live();
    drained_now = links_.empty();
    if (!drained_now) on_drained_ = std::move(on_drained);
  }
  // Called outside the lock: close() posts to each connection's io thread.
  for (auto& link : open) link->close(code, reason);
  if (drained_now && on_drained) on_drained();
}

}  // namespace kelisim::net
