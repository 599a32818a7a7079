// Static-file path resolution and responses: every traversal trick is refused, normal paths
// resolve, validators produce 304s. Uses a scratch web root with a secret next to it.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "net/static_files.hpp"
#include "tests/support/scratch_dir.hpp"

namespace kelisim::net {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using verdict = static_files::verdict;

void write_file(const fs::path& file, const std::string& content) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
}

class static_files_test : public ::testing::Test {
 protected:
  static_files_test() {
    write_file(root() / "index.html", "<h1>home</h1>");
    write_file(root() / "app.js", "export {};");
    write_file(root() / "css" / "site.css", "body{}");
    write_file(root() / "admin" / "index.html", "<h1>admin</h1>");
    write_file(root() / ".git" / "config", "hidden");
    write_file(root() / "with space.txt", "spaced");
    write_file(scratch_.path() / "secret.txt", "TOP-SECRET");
    write_file(scratch_.path() / "outside" / "index.html", "outside");
    fs::create_symlink(scratch_.path() / "secret.txt", root() / "escape.txt");
    fs::create_symlink(scratch_.path() / "outside", root() / "escape-dir");
    fs::create_symlink(root() / "app.js", root() / "alias.js");
  }

  fs::path root() const { return scratch_.path() / "web"; }
  static_files files() const { return static_files(root()); }

  test::scratch_dir scratch_{"kelisim-net-static"};
};

TEST_F(static_files_test, refuses_every_traversal_trick) {
  const auto files = this->files();
  const char* tricks[] = {
      "/../secret.txt",
      "/..",
      "/css/../../secret.txt",
      "/./index.html",
      "/%2e%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/.%2e/secret.txt",
      "/%2e./secret.txt",
      "/..%2fsecret.txt",
      "/..%2Fsecret.txt",
      "/css%2f..%2f..%2fsecret.txt",
      "/..%5csecret.txt",
      "/..%5Csecret.txt",
      "/%252e%252e/secret.txt",  // double encoding
      "/%252e%252e%252fsecret.txt",
      "/%25%32%65%25%32%65/secret.txt",
      "/..\\secret.txt",
      "/css\\..\\..\\secret.txt",
      "//etc/passwd",
      "/css//../../secret.txt",
      "/index.html%00.js",
      "/index.html%00",
      "/.git/config",
      "/%2egit/config",
      "/escape.txt",             // symlink to a file outside the root
      "/escape-dir/",            // symlink to a directory outside the root
      "/escape-dir/index.html",
      "http://example.org/index.html",  // absolute-form is not origin-form
      "index.html",                      // relative
      "",
      "*",
      "/%",
      "/%zz",
  };
  for (const char* trick : tricks) {
    const auto found = files.resolve(trick);
    EXPECT_EQ(found.outcome, verdict::refused) << trick << " -> " << found.file;
  }
  // A literal NUL byte in the target.
  EXPECT_EQ(files.resolve(std::string_view("/index.html\0.js", 15)).outcome, verdict::refused);
}

TEST_F(static_files_test, resolves_normal_paths) {
  const auto files = this->files();
  const auto canonical_root = fs::canonical(root());
  struct expectation {
    const char* target;
    fs::path file;
  };
  const expectation cases[] = {
      {"/", canonical_root / "index.html"},
      {"/index.html", canonical_root / "index.html"},
      {"/index.html?lang=kk", canonical_root / "index.html"},
      {"/app.js", canonical_root / "app.js"},
      {"/css/site.css", canonical_root / "css" / "site.css"},
      {"/admin/", canonical_root / "admin" / "index.html"},
      {"/with%20space.txt", canonical_root / "with space.txt"},
      {"/alias.js", canonical_root / "app.js"},  // a symlink that stays inside is fine
  };
  for (const auto& [target, file] : cases) {
    const auto found = files.resolve(target);
    EXPECT_EQ(found.outcome, verdict::ok) << target;
    EXPECT_EQ(found.file, file) << target;
  }
  EXPECT_EQ(files.resolve("/admin").outcome, verdict::add_trailing_slash);
  EXPECT_EQ(files.resolve("/missing.js").outcome, verdict::not_found);
  EXPECT_EQ(files.resolve("/css/missing/").outcome, verdict::not_found);
  EXPECT_EQ(files.resolve("/app.js/").outcome, verdict::not_found);
}

TEST(mime_type, covers_the_web_client) {
  const std::pair<const char*, const char*> table[] = {
      {"index.html", "text/html; charset=utf-8"},
      {"app.js", "text/javascript; charset=utf-8"},
      {"module.mjs", "text/javascript; charset=utf-8"},
      {"site.css", "text/css; charset=utf-8"},
      {"dict.json", "application/json"},
      {"logo.svg", "image/svg+xml"},
      {"logo.png", "image/png"},
      {"favicon.ico", "image/vnd.microsoft.icon"},
      {"font.woff2", "font/woff2"},
      {"site.webmanifest", "application/manifest+json"},
      {"APP.JS", "text/javascript; charset=utf-8"},
      {"dir.d/readme", "application/octet-stream"},
      {".hidden", "application/octet-stream"},
      {"archive.tar.gz", "application/octet-stream"},
  };
  for (const auto& [name, type] : table) EXPECT_EQ(static_files::mime_type(name), type) << name;
}

http::request<http::string_body> get(const std::string& target, http::verb method = http::verb::get) {
  http::request<http::string_body> request{method, target, 11};
  return request;
}

template <class Body>
const http::response<Body>& as(const static_files::response& response) {
  return std::get<http::response<Body>>(response);
}

TEST_F(static_files_test, answers_with_validators_and_304s) {
  const auto files = this->files();
  const auto first = files.respond(get("/app.js"));
  ASSERT_TRUE(std::holds_alternative<http::response<http::file_body>>(first));
  const auto& ok = as<http::file_body>(first);
  EXPECT_EQ(ok.result(), http::status::ok);
  EXPECT_EQ(ok[http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(ok[http::field::content_length], "10");
  const std::string etag(ok[http::field::etag]);
  const std::string last_modified(ok[http::field::last_modified]);
  EXPECT_FALSE(etag.empty());
  EXPECT_TRUE(last_modified.ends_with(" GMT")) << last_modified;

  auto conditional = get("/app.js");
  conditional.set(http::field::if_none_match, etag);
  const auto matched = files.respond(conditional);
  EXPECT_EQ(as<http::empty_body>(matched).result(), http::status::not_modified);

  conditional.set(http::field::if_none_match, "\"other\", W/" + etag);
  const auto matched_in_list = files.respond(conditional);
  EXPECT_EQ(as<http::empty_body>(matched_in_list).result(), http::status::not_modified);

  conditional.set(http::field::if_none_match, "\"other\"");
  EXPECT_EQ(files.respond(conditional).index(), 1u);  // the file again

  auto since = get("/app.js");
  since.set(http::field::if_modified_since, last_modified);
  const auto unchanged = files.respond(since);
  EXPECT_EQ(as<http::empty_body>(unchanged).result(), http::status::not_modified);
  since.set(http::field::if_modified_since, "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(files.respond(since).index(), 1u);
}

TEST_F(static_files_test, head_missing_refused_and_other_methods) {
  const auto files = this->files();
  const auto head = files.respond(get("/index.html", http::verb::head));
  const auto& head_response = as<http::empty_body>(head);
  EXPECT_EQ(head_response.result(), http::status::ok);
  EXPECT_EQ(head_response[http::field::content_length], "13");

  const auto missing = files.respond(get("/nope.js"));
  EXPECT_EQ(as<http::string_body>(missing).result(), http::status::not_found);
  const auto refused_response = files.respond(get("/%2e%2e/secret.txt"));
  const auto& refused = as<http::string_body>(refused_response);
  EXPECT_EQ(refused.result(), http::status::bad_request);
  EXPECT_EQ(refused.body().find("TOP-SECRET"), std::string::npos);

  const auto post_response = files.respond(get("/index.html", http::verb::post));
  const auto& post = as<http::string_body>(post_response);
  EXPECT_EQ(post.result(), http::status::method_not_allowed);
  EXPECT_EQ(post[http::field::allow], "GET, HEAD");

  const auto redirect_response = files.respond(get("/admin?x=1"));
  const auto& redirect = as<http::string_body>(redirect_response);
  EXPECT_EQ(redirect.result(), http::status::moved_permanently);
  EXPECT_EQ(redirect[http::field::location], "/admin/");
}

}  // namespace
}  // namespace kelisim::net
