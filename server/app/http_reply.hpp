#pragma once
// Small builders for the JSON and text responses of the admin API.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "net/application.hpp"

namespace kelisim::app {

using http_request = net::http::request<net::http::string_body>;
using http_response = net::http::response<net::http::string_body>;

http_response reply(const http_request& request, net::http::status status, std::string body,
                    std::string_view content_type);
http_response reply_json(const http_request& request, net::http::status status,
                         const nlohmann::json& body);
http_response reply_error(const http_request& request, net::http::status status,
                          std::string_view code, std::string_view message);

}  // namespace kelisim::app
