#include "admin_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <stdexcept>

namespace kelisim::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

admin_client::admin_client(std::string host, std::uint16_t port, net::ssl::context* tls_context, std::string admin_token)
    : host_(std::move(host)), port_(port), tls_context_(tls_context), admin_token_(std::move(admin_token)) {}

admin_client::~admin_client() { disconnect(); }

void admin_client::connect() {
  const tcp::endpoint server(net::ip::make_address(host_), port_);
  if (tls_context_) {
    tls_ = std::make_unique<net::ssl::stream<beast::tcp_stream>>(io_, *tls_context_);
    beast::get_lowest_layer(*tls_).expires_after(std::chrono::seconds(15));
    beast::get_lowest_layer(*tls_).connect(server);
    beast::get_lowest_layer(*tls_).socket().set_option(tcp::no_delay(true));
    tls_->handshake(net::ssl::stream_base::client);
  } else {
    plain_ = std::make_unique<beast::tcp_stream>(io_);
    plain_->expires_after(std::chrono::seconds(15));
    plain_->connect(server);
    plain_->socket().set_option(tcp::no_delay(true));
  }
}

void admin_client::disconnect() {
  beast::error_code ec;
  if (plain_) plain_->socket().close(ec);
  if (tls_) beast::get_lowest_layer(*tls_).socket().close(ec);
  plain_.reset();
  tls_.reset();
  buffer_.clear();
}

template <class Stream>
nlohmann::json admin_client::exchange(Stream& stream, const std::string& target, const std::string& body) {
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, host_ + ":" + std::to_string(port_));
  req.set(http::field::authorization, "Bearer " + admin_token_);
  req.set(http::field::content_type, "application/json");
  req.keep_alive(true);
  req.body() = body;
  req.prepare_payload();
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
  http::write(stream, req);
  http::response<http::string_body> res;
  http::read(stream, buffer_, res);
  if (!res.keep_alive()) disconnect();
  if (res.result_int() / 100 != 2)
    throw std::runtime_error("POST " + target + " -> HTTP " + std::to_string(res.result_int()) + ": " + res.body().substr(0, 300));
  auto parsed = nlohmann::json::parse(res.body(), nullptr, false);
  if (parsed.is_discarded()) throw std::runtime_error("POST " + target + ": response is not JSON");
  return parsed;
}

nlohmann::json admin_client::post(const std::string& target, const nlohmann::json& body) {
  const auto text = body.dump();
  // One retry on a fresh connection: the server may have closed an idle keep-alive connection.
  for (int attempt = 0;; ++attempt) {
    try {
      if (!plain_ && !tls_) connect();
      return tls_ ? exchange(*tls_, target, text) : exchange(*plain_, target, text);
    } catch (const boost::system::system_error&) {
      disconnect();
      if (attempt == 1) throw;
    }
  }
}

}  // namespace kelisim::bench
