#include "net/log.hpp"

#include <spdlog/spdlog.h>

namespace kelisim::net {

spdlog::logger& log() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("net")) return existing;
    auto created = spdlog::default_logger()->clone("net");
    spdlog::register_logger(created);
    return created;
  }();
  return *logger;
}

}  // namespace kelisim::net
