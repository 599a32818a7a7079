#include "tests/support/scratch_dir.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>

namespace kelisim::test {

scratch_dir::scratch_dir(const char* prefix) {
  // mkdtemp: unique even across test binaries running in parallel.
  std::string pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  path_ = pattern;
}

scratch_dir::~scratch_dir() {
  if (std::getenv("KELISIM_KEEP_TEST_DIRS") != nullptr) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace kelisim::test
