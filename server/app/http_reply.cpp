#include "app/http_reply.hpp"

namespace kelisim::app {

namespace http = net::http;

http_response reply(const http_request& request, http::status status, std::string body,
                    std::string_view content_type) {
  http_response response{status, request.version()};
  response.set(http::field::content_type, content_type);
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

http_response reply_json(const http_request& request, http::status status,
                         const nlohmann::json& body) {
  return reply(request, status, body.dump(), "application/json; charset=utf-8");
}

http_response reply_error(const http_request& request, http::status status, std::string_view code,
                          std::string_view message) {
  return reply_json(request, status, {{"code", code}, {"message", message}});
}

}  // namespace kelisim::app
