#include "net/static_files.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <utility>

#include <boost/beast/core/string.hpp>
#include <boost/url/parse.hpp>

#include "net/plain_response.hpp"

namespace kelisim::net {

namespace fs = std::filesystem;
namespace http = boost::beast::http;

namespace {

bool is_within(const fs::path& root, const fs::path& candidate) {
  auto [root_end, candidate_end] = std::mismatch(root.begin(), root.end(), candidate.begin(), candidate.end());
  return root_end == root.end();
}

std::string lowercase(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

std::string http_date(std::time_t when) {
  std::tm parts{};
  gmtime_r(&when, &parts);
  std::array<char, 64> text{};
  auto length = std::strftime(text.data(), text.size(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  return std::string(text.data(), length);
}

std::optional<std::time_t> parse_http_date(std::string_view value) {
  std::string text(value);
  std::tm parts{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return timegm(&parts);
}

// True when an If-None-Match list names this entity tag (weak comparison, as RFC 9110 asks for it).
bool etag_matches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    auto comma = header.find(',');
    auto item = header.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

struct mime_entry {
  std::string_view extension;
  std::string_view type;
};

constexpr std::array<mime_entry, 22> mime_table{{
    {".html", "text/html; charset=utf-8"},
    {".htm", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".txt", "text/plain; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".ico", "image/vnd.microsoft.icon"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".ttf", "font/ttf"},
    {".otf", "font/otf"},
    {".wasm", "application/wasm"},
    {".pdf", "application/pdf"},
}};

}  // namespace

static_files::static_files(const fs::path& web_root) : root_(fs::canonical(web_root)) {}

std::string_view static_files::mime_type(std::string_view file_name) {
  auto slash = file_name.find_last_of('/');
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  auto dot = file_name.rfind('.');
  if (dot != std::string_view::npos && dot != 0) {
    auto extension = file_name.substr(dot);
    for (const auto& entry : mime_table)
      if (boost::beast::iequals(extension, entry.extension)) return entry.type;
  }
  return "application/octet-stream";
}

static_files::resolution static_files::resolve(std::string_view target) const {
  const resolution refused{verdict::refused, {}};
  const resolution not_found{verdict::not_found, {}};

  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return refused;
  auto encoded = parsed->encoded_path();

  // Encoded dots, slashes, backslashes and NUL never occur in the web client's own links; they
  // only appear in attempts to step around the segment checks below.
  const auto encoded_lower = lowercase(encoded);
  for (std::string_view trick : {"%2e", "%2f", "%5c", "%00"})
    if (encoded_lower.find(trick) != std::string::npos) return refused;

  const std::string decoded = encoded.decode();
  if (decoded.empty() || decoded.front() != '/') return refused;
  // A '%' left after one decoding means double encoding (%252e): refuse rather than guess.
  if (decoded.find_first_of(std::string_view("\0\\%", 3)) != std::string::npos) return refused;

  fs::path relative;
  std::string_view rest = std::string_view(decoded).substr(1);
  const bool names_directory = rest.empty() || rest.back() == '/';
  while (!rest.empty()) {
    auto slash = rest.find('/');
    auto segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    // "//x" would make an absolute path; "." and ".." walk the tree; hidden files (.git, .env)
    // are never part of the web client.
    if (segment.empty() || segment.front() == '.') return refused;
    relative /= fs::path(segment);
  }
  if (relative.is_absolute() || relative.has_root_name()) return refused;

  std::error_code ec;
  auto file = fs::weakly_canonical(root_ / relative, ec);
  if (ec) return not_found;
  // Symlinks are followed by weakly_canonical; whatever they point at must still be inside.
  if (!is_within(root_, file)) return refused;

  auto status = fs::status(file, ec);
  if (ec || !fs::exists(status)) return not_found;
  if (!fs::is_directory(status) && names_directory) return not_found;
  if (fs::is_directory(status)) {
    if (!names_directory) return {verdict::add_trailing_slash, file};
    file = fs::weakly_canonical(file / "index.html", ec);
    if (ec) return not_found;
    if (!is_within(root_, file)) return refused;
    status = fs::status(file, ec);
  }
  if (ec || !fs::is_regular_file(status)) return not_found;
  return {verdict::ok, file};
}

static_files::response static_files::respond(const http::request<http::string_body>& request) const {
  const auto version = request.version();
  const bool keep_alive = request.keep_alive();

  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    auto response = plain_response(http::status::method_not_allowed, version, keep_alive);
    response.set(http::field::allow, "GET, HEAD");
    return response;
  }

  const auto found = resolve(request.target());
  switch (found.outcome) {
    case verdict::refused:
      return plain_response(http::status::bad_request, version, keep_alive);
    case verdict::not_found:
      return plain_response(http::status::not_found, version, keep_alive);
    case verdict::add_trailing_slash: {
      auto response = plain_response(http::status::moved_permanently, version, keep_alive);
      auto parsed = boost::urls::parse_origin_form(request.target());
      response.set(http::field::location, std::string(parsed->encoded_path()) + "/");
      return response;
    }
    case verdict::ok:
      break;
  }

  boost::beast::error_code ec;
  http::file_body::value_type body;
  body.open(found.file.c_str(), boost::beast::file_mode::scan, ec);
  struct stat info{};
  if (ec || ::fstat(body.file().native_handle(), &info) != 0)
    return plain_response(http::status::not_found, version, keep_alive);

  const auto modified_ns = static_cast<std::uint64_t>(info.st_mtim.tv_sec) * 1'000'000'000u +
                           static_cast<std::uint64_t>(info.st_mtim.tv_nsec);
  std::array<char, 64> tag{};
  const int tag_length = std::snprintf(tag.data(), tag.size(), "\"%jx-%jx\"", static_cast<std::uintmax_t>(info.st_size),
                                       static_cast<std::uintmax_t>(modified_ns));
  const std::string etag(tag.data(), static_cast<std::size_t>(tag_length));
  const std::string last_modified = http_date(info.st_mtim.tv_sec);
  const auto content_type = mime_type(found.file.filename().native());

  auto validators = [&](auto& response) {
    response.set(http::field::etag, etag);
    response.set(http::field::last_modified, last_modified);
    // Always revalidate: the web client has no build step, so file names carry no version.
    response.set(http::field::cache_control, "no-cache");
    response.keep_alive(keep_alive);
  };

  // If-None-Match wins over If-Modified-Since when both are present (RFC 9110 13.2.2).
  bool not_modified = false;
  if (auto none_match = request.find(http::field::if_none_match); none_match != request.end()) {
    not_modified = etag_matches(none_match->value(), etag);
  } else if (auto since = request.find(http::field::if_modified_since); since != request.end()) {
    auto when = parse_http_date(since->value());
    not_modified = when && info.st_mtim.tv_sec <= *when;
  }

  if (not_modified) {
    http::response<http::empty_body> response{http::status::not_modified, version};
    validators(response);
    return response;
  }

  if (request.method() == http::verb::head) {
    http::response<http::empty_body> response{http::status::ok, version};
    validators(response);
    response.set(http::field::content_type, content_type);
    response.content_length(static_cast<std::uint64_t>(info.st_size));
    return response;
  }

  const auto size = body.size();
  http::response<http::file_body> response{std::piecewise_construct, std::make_tuple(std::move(body)),
                                           std::make_tuple(http::status::ok, version)};
  validators(response);
  response.set(http::field::content_type, content_type);
  response.content_length(size);
  return response;
}

}  // namespace kelisim::net
