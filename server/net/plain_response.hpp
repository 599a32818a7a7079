#pragma once
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

namespace kelisim::net {

// A short text/plain page for transport errors and refusals ("404 Not Found").
boost::beast::http::response<boost::beast::http::string_body> plain_response(
    boost::beast::http::status status, unsigned version, bool keep_alive, std::string_view detail = {});

}  // namespace kelisim::net
