// Static path resolution under arbitrary request targets: never a file outside the web root.
// A scratch tree is laid out once: a web root with files, a directory, hidden files, a symlink
// inside that stays inside and symlinks that point out; next to the root, a "secret" directory.
// Whatever the target, a verdict of ok or add_trailing_slash must name a path inside the
// canonical root, and ok must name a regular file (never the secret, never a hidden file).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "net/static_files.hpp"

namespace {

namespace fs = std::filesystem;
using kelisim::net::static_files;

void write(const fs::path& file, std::string_view text) {
  std::ofstream(file) << text;
}

struct scratch_tree {
  fs::path base;
  fs::path root;
  std::unique_ptr<static_files> files;

  scratch_tree() {
    const std::string pattern = (fs::temp_directory_path() / "kelisim-fuzz-static-XXXXXX").string();
    std::string buffer = pattern;
    if (::mkdtemp(buffer.data()) == nullptr) std::abort();
    base = fs::canonical(buffer);
    root = base / "web";
    fs::create_directories(root / "sub" / "deeper");
    fs::create_directories(root / ".git");
    fs::create_directories(base / "secret");
    write(root / "index.html", "<!doctype html>");
    write(root / "app.js", "export {}");
    write(root / "sub" / "index.html", "<!doctype html>");
    write(root / "sub" / "style.css", "body{}");
    write(root / "sub" / "deeper" / "a b.txt", "space");
    write(root / ".env", "SECRET=1");
    write(root / ".git" / "config", "[core]");
    write(base / "secret" / "key.txt", "secret");
    write(base / "web-sibling.txt", "sibling");
    fs::create_symlink(base / "secret", root / "out-dir");
    fs::create_symlink(base / "secret" / "key.txt", root / "out-file.txt");
    fs::create_symlink("../web-sibling.txt", root / "relative-out.txt");
    fs::create_symlink("sub/style.css", root / "in-link.css");
    files = std::make_unique<static_files>(root);
  }
};

// Built once, never destroyed (inputs run until exit); the directory is removed at exit.
scratch_tree& tree() {
  static scratch_tree* t = new scratch_tree;
  return *t;
}

[[noreturn]] void broken(const char* what, std::string_view target, const fs::path& file) {
  std::fprintf(stderr, "static path property broken: %s\n  target: %.*s\n  file: %s\n", what,
               static_cast<int>(target.size()), target.data(), file.c_str());
  std::abort();
}

bool inside(const fs::path& root, const fs::path& file) {
  const auto r = root.native() + "/";
  return file.native() == root.native() || file.native().starts_with(r);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Lay the tree out before the first input, and remove it when the fuzzer exits.
  static_cast<void>(tree());
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(tree().base, ec);
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  auto& t = tree();
  const auto found = t.files->resolve(target);
  using verdict = static_files::verdict;
  if (found.outcome != verdict::ok && found.outcome != verdict::add_trailing_slash) return 0;
  if (!inside(t.root, found.file)) broken("resolved outside the web root", target, found.file);
  std::error_code ec;
  const auto real = fs::canonical(found.file, ec);
  if (ec || !inside(t.root, real)) broken("resolves through a link to outside the web root", target, real);
  if (found.outcome == verdict::ok) {
    if (!fs::is_regular_file(real)) broken("ok for something that is not a regular file", target, real);
    for (const auto& part : fs::relative(real, t.root))
      if (part.native().starts_with(".")) broken("served a hidden file", target, real);
  }
  return 0;
}
