#include "server/store/store_log.hpp"

#include <spdlog/spdlog.h>

namespace kelisim::store {

std::shared_ptr<spdlog::logger> store_logger() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("store")) return existing;
    auto created = spdlog::default_logger()->clone("store");
    try {
      spdlog::register_logger(created);
    } catch (const spdlog::spdlog_ex&) {
      // Someone registered "store" meanwhile: use theirs.
      if (auto existing = spdlog::get("store")) return existing;
    }
    return created;
  }();
  return logger;
}

}  // namespace kelisim::store
