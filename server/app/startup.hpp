#pragma once
// Start-up steps that touch the disk before the server runs. Each throws
// net::startup_error with a one-line reason for the operator.
#include <filesystem>
#include <string>

namespace kelisim::app {

// Creates the data directory if missing and checks that it can be written.
void prepare_data_dir(const std::filesystem::path& data_dir);

struct admin_token {
  std::string value;
  std::string source;  // where it came from, for the start-up message (never the token itself)
};

// KELISIM_ADMIN_TOKEN if set; else <data-dir>/admin-token, generated on first start from 32
// random bytes (hex) with mode 0600.
admin_token load_admin_token(const std::filesystem::path& data_dir);

}  // namespace kelisim::app
