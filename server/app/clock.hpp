#pragma once
// The shell's clock and id source: the engine never reads either, they come in from here.
#include <chrono>
#include <string>

#include "protocol/domain.hpp"

namespace kelisim::app {

inline protocol::time_ms now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// `prefix` followed by `bytes` random bytes in lowercase hex (OpenSSL RAND_bytes).
std::string random_id(std::string_view prefix, std::size_t bytes = 9);

}  // namespace kelisim::app
