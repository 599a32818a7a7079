#pragma once
// Logging for the whole process: spdlog to stderr, one line per record, as text or JSON.
// Components log through named loggers ("net", "store", "app", ...) cloned from the default one.
#include <string>

namespace kelisim::app {

// level: trace..off; format: "text" or "json". Call once, before anything logs.
void setup_logging(const std::string& level, const std::string& format);

}  // namespace kelisim::app
