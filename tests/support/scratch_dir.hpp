#pragma once
// A fresh directory under the system temp dir, removed with everything in it at scope exit
// (kept when KELISIM_KEEP_TEST_DIRS is set, to read a failed run's server logs).
#include <filesystem>

namespace kelisim::test {

class scratch_dir {
 public:
  explicit scratch_dir(const char* prefix = "kelisim-test");
  ~scratch_dir();
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace kelisim::test
