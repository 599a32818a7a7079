#pragma once
// Internal to kelisim_store: the named spdlog logger "store".
#include <spdlog/logger.h>

#include <memory>

namespace kelisim::store {

std::shared_ptr<spdlog::logger> store_logger();

}  // namespace kelisim::store
