#include "net/plain_response.hpp"

#include <string>

namespace kelisim::net {

namespace http = boost::beast::http;

http::response<http::string_body> plain_response(http::status status, unsigned version, bool keep_alive,
                                                 std::string_view detail) {
  http::response<http::string_body> response{status, version};
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.set(http::field::cache_control, "no-store");
  std::string body = std::to_string(static_cast<unsigned>(status)) + " ";
  body += http::obsolete_reason(status);
  if (!detail.empty()) {
    body += ": ";
    body += detail;
  }
  body += "\n";
  response.body() = std::move(body);
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

}  // namespace kelisim::net
