#pragma once
// The transport's named logger ("net"). Never log tokens or message bodies through it.
#include <spdlog/logger.h>

namespace kelisim::net {

// Shares the default logger's sinks and formatter, so configure logging before first use.
spdlog::logger& log();

}  // namespace kelisim::net
