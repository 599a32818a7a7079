#include "tests/support/admin_client.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace kelisim::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// One request on a fresh connection. Every step is asynchronous under the tcp_stream's expiry,
// so a server that stops answering costs at most `timeout`.
template <class Stream>
http_response exchange(net::io_context& io, Stream& stream, const std::string& host, std::uint16_t port,
                       const http_request& request, std::chrono::milliseconds timeout) {
  beast::error_code failure;
  auto check = [&](const char* step) {
    if (failure) throw std::runtime_error(std::string("admin_client: ") + step + ": " + failure.message());
  };
  auto& lowest = beast::get_lowest_layer(stream);
  lowest.expires_after(timeout);

  tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(host, std::to_string(port), failure);
  check("resolve");
  lowest.async_connect(endpoints, [&](beast::error_code ec, const tcp::endpoint&) { failure = ec; });
  io.run();
  check("connect");

  if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
    io.restart();
    stream.async_handshake(ssl::stream_base::client, [&](beast::error_code ec) { failure = ec; });
    io.run();
    check("TLS handshake");
  }

  http::request<http::string_body> req;
  req.method_string(request.method);
  req.target(request.target);
  req.version(11);
  bool has_host = false;
  for (const auto& [name, value] : request.headers) {
    req.set(name, value);
    if (lower(name) == "host") has_host = true;
  }
  if (!has_host) req.set(http::field::host, host + ":" + std::to_string(port));
  req.set(http::field::connection, "close");
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    req.body() = request.body;
    req.prepare_payload();
  }

  io.restart();
  http::async_write(stream, req, [&](beast::error_code ec, std::size_t) { failure = ec; });
  io.run();
  // A server may answer (413) and hang up before it has read a huge body: read its answer anyway.
  const beast::error_code write_failure = failure;
  failure = {};

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256u * 1024 * 1024);
  io.restart();
  http::async_read(stream, buffer, parser, [&](beast::error_code ec, std::size_t) { failure = ec; });
  io.run();
  if (write_failure && failure) {
    failure = write_failure;
    check("write");
  }
  check("read");

  http_response out;
  const auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  for (const auto& field : res) out.headers[lower(std::string(field.name_string()))] = std::string(field.value());
  beast::error_code ignored;
  lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return out;
}

std::string path_segment(const std::string& s) {
  // Ids are opaque: escape everything that is not unreserved.
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xf]);
    }
  }
  return out;
}

}  // namespace

std::string http_response::header(const std::string& lower_case_name) const {
  const auto it = headers.find(lower_case_name);
  return it == headers.end() ? std::string{} : it->second;
}

json http_response::json_body() const { return json::parse(body, nullptr, /*allow_exceptions=*/false); }

std::string http_response::describe() const {
  return "HTTP " + std::to_string(status) + ": " + (body.size() > 2000 ? body.substr(0, 2000) + "..." : body);
}

admin_client::admin_client(std::string host, std::uint16_t port, std::string admin_token, bool tls,
                           std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), token_(std::move(admin_token)), tls_(tls), timeout_(timeout) {}

http_response admin_client::raw(const http_request& request) const {
  net::io_context io;
  if (tls_) {
    ssl::context context(ssl::context::tls_client);
    context.set_verify_mode(ssl::verify_none);
    beast::ssl_stream<beast::tcp_stream> stream(io, context);
    return exchange(io, stream, host_, port_, request, timeout_);
  }
  beast::tcp_stream stream(io);
  return exchange(io, stream, host_, port_, request, timeout_);
}

http_response admin_client::send(const std::string& method, const std::string& target, const std::string& body) const {
  http_request request{method, target, body, {{"Authorization", "Bearer " + token_}}};
  if (!body.empty()) request.headers["Content-Type"] = "application/json";
  return raw(request);
}

http_response admin_client::send(const std::string& method, const std::string& target, const json& body) const {
  return send(method, target, body.dump());
}

namespace {
json expect_json(const http_response& response, int status, const std::string& what) {
  json body = response.json_body();
  if (response.status != status || !body.is_object())
    throw std::runtime_error("admin_client: " + what + ": expected HTTP " + std::to_string(status) +
                             " with a JSON object, got " + response.describe());
  return body;
}
}  // namespace

json admin_client::create_room(const std::string& title, const std::string& language, json extra) const {
  json body = extra.is_object() ? std::move(extra) : json::object();
  body["title"] = title;
  body["language"] = language;
  return expect_json(send("POST", "/api/rooms", body), 201, "create_room");
}

json admin_client::issue_invite(const std::string& room, const std::string& role, const std::string& name,
                                std::optional<std::string> side) const {
  json body = {{"role", role}, {"name", name}};
  if (side) body["side"] = *side;
  return expect_json(send("POST", "/api/rooms/" + path_segment(room) + "/invites", body), 201, "issue_invite");
}

http_response admin_client::revoke_invite(const std::string& room, const std::string& invite_id) const {
  return send("DELETE", "/api/rooms/" + path_segment(room) + "/invites/" + path_segment(invite_id));
}

http_response admin_client::close_room(const std::string& room) const {
  return send("POST", "/api/rooms/" + path_segment(room) + "/close");
}

http_response admin_client::transcript(const std::string& room, const std::string& format,
                                       const std::string& scope) const {
  return send("GET", "/api/rooms/" + path_segment(room) + "/transcript?format=" + format + "&scope=" + scope);
}

http_response admin_client::list_rooms() const { return send("GET", "/api/rooms"); }
http_response admin_client::get_room(const std::string& room) const {
  return send("GET", "/api/rooms/" + path_segment(room));
}
http_response admin_client::list_invites(const std::string& room) const {
  return send("GET", "/api/rooms/" + path_segment(room) + "/invites");
}

}  // namespace kelisim::test
