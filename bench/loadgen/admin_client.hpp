#pragma once
// A small synchronous client for Kelisim's admin API (rooms and invites), one keep-alive
// connection, plain or TLS. Setup only: the measured traffic never goes through here.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace kelisim::bench {

class admin_client {
public:
  // tls_context is null for plain HTTP.
  admin_client(std::string host, std::uint16_t port, boost::asio::ssl::context* tls_context, std::string admin_token);
  ~admin_client();

  // POST a JSON body; returns the parsed response of a 2xx, throws std::runtime_error otherwise.
  nlohmann::json post(const std::string& target, const nlohmann::json& body);

private:
  void connect();
  void disconnect();
  template <class Stream>
  nlohmann::json exchange(Stream& stream, const std::string& target, const std::string& body);

  boost::asio::io_context io_;
  std::string host_;
  std::uint16_t port_;
  boost::asio::ssl::context* tls_context_;
  std::string admin_token_;
  std::unique_ptr<boost::beast::tcp_stream> plain_;
  std::unique_ptr<boost::asio::ssl::stream<boost::beast::tcp_stream>> tls_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace kelisim::bench
