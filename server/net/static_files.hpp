#pragma once
// Serves the web client from one directory and never anything outside it.
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace kelisim::net {

class static_files {
 public:
  enum class verdict {
    ok,                 // file is a regular file inside the web root
    refused,            // a traversal trick or a malformed target: answered 400
    not_found,          // well-formed, but nothing servable there: answered 404
    add_trailing_slash  // a directory named without its slash: redirected, so relative links work
  };
  struct resolution {
    verdict outcome = verdict::not_found;
    std::filesystem::path file;
  };

  using response = std::variant<boost::beast::http::response<boost::beast::http::string_body>,
                                boost::beast::http::response<boost::beast::http::file_body>,
                                boost::beast::http::response<boost::beast::http::empty_body>>;

  // Throws std::filesystem::filesystem_error when web_root does not exist.
  explicit static_files(const std::filesystem::path& web_root);

  const std::filesystem::path& root() const { return root_; }

  // Maps a request target (origin-form, e.g. "/app.js?v=2") to a file under the root. Rejects
  // "..", "." and hidden segments, percent-encoded dots, slashes and backslashes, backslashes,
  // empty segments ("//etc"), NUL, anything still percent-encoded after one decoding (double
  // encoding), and symlinks that resolve outside the root. Directories map to their index.html.
  resolution resolve(std::string_view target) const;

  // GET and HEAD with ETag / Last-Modified validators and 304s; 405 for other methods.
  // Security headers are added by the session, not here.
  response respond(const boost::beast::http::request<boost::beast::http::string_body>& request) const;

  // Content-Type for a file name, by extension; application/octet-stream when unknown.
  static std::string_view mime_type(std::string_view file_name);

 private:
  std::filesystem::path root_;  // canonical
};

}  // namespace kelisim::net
