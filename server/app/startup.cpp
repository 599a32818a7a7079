#include "app/startup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "net/startup_error.hpp"

namespace kelisim::app {

namespace fs = std::filesystem;
using net::startup_error;

namespace {

std::string errno_text() { return std::strerror(errno); }

std::string trimmed(std::string text) {
  const auto end = text.find_last_not_of(" \t\r\n");
  text.erase(end == std::string::npos ? 0 : end + 1);
  const auto begin = text.find_first_not_of(" \t\r\n");
  return begin == std::string::npos ? std::string{} : text.substr(begin);
}

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw startup_error("cannot generate an admin token: no randomness from OpenSSL");
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes * 2);
  for (const unsigned char byte : raw) {
    hex.push_back(digits[byte >> 4]);
    hex.push_back(digits[byte & 0x0f]);
  }
  return hex;
}

}  // namespace

void prepare_data_dir(const fs::path& data_dir) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) throw startup_error("cannot create data directory " + data_dir.string() + ": " + ec.message());
  if (!fs::is_directory(data_dir, ec))
    throw startup_error("cannot use data directory " + data_dir.string() + ": not a directory");
  if (::access(data_dir.c_str(), R_OK | W_OK | X_OK) != 0)
    throw startup_error("cannot write data directory " + data_dir.string() + ": " + errno_text());
}

admin_token load_admin_token(const fs::path& data_dir) {
  if (const char* from_env = std::getenv("KELISIM_ADMIN_TOKEN"); from_env != nullptr && *from_env != '\0') {
    if (std::strlen(from_env) < 16) spdlog::warn("KELISIM_ADMIN_TOKEN is shorter than 16 characters");
    return {from_env, "the KELISIM_ADMIN_TOKEN environment variable"};
  }

  const auto file = data_dir / "admin-token";
  if (fs::exists(file)) {
    std::ifstream in(file);
    std::stringstream content;
    content << in.rdbuf();
    if (!in) throw startup_error("cannot read admin token " + file.string() + ": " + errno_text());
    auto token = trimmed(content.str());
    if (token.empty()) throw startup_error("admin token file " + file.string() + " is empty");
    struct stat info{};
    if (::stat(file.c_str(), &info) == 0 && (info.st_mode & 077) != 0)
      spdlog::warn("admin token file {} is readable by others; chmod 600 it", file.string());
    return {token, file.string()};
  }

  auto token = random_hex(32);
  // O_EXCL: never overwrite a token another process wrote in the meantime; 0600 from creation on.
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw startup_error("cannot create admin token " + file.string() + ": " + errno_text());
  const std::string line = token + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool closed = ::close(fd) == 0;
  if (!written || !closed) throw startup_error("cannot write admin token " + file.string() + ": " + errno_text());
  return {token, file.string() + " (generated)"};
}

}  // namespace kelisim::app
