#pragma once
// `kelisim verify FILE`: checks an exported JSON transcript offline.
#include <string>

namespace kelisim::app {

// Prints what was verified, or where the chain breaks and why. Returns the process exit code:
// 0 the chain holds, 1 it is broken, 2 the file cannot be read as an export.
int run_verify(const std::string& path);

}  // namespace kelisim::app
