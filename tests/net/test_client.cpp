#include "test_client.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <thread>

#include <boost/asio/connect.hpp>

namespace kelisim::net_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

// Runs one asynchronous operation to completion on `io`; the tcp_stream's expiry bounds it.
template <class Start>
beast::error_code run_op(asio::io_context& io, Start start) {
  beast::error_code result = asio::error::would_block;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

void check(beast::error_code ec, const char* step) {
  if (ec) throw std::runtime_error(std::string(step) + ": " + ec.message());
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

tcp::endpoint local(std::uint16_t port) { return {asio::ip::make_address("127.0.0.1"), port}; }

template <class Stream>
reply exchange(asio::io_context& io, Stream& stream, const request_options& options) {
  http::request<http::string_body> request{options.method, options.target, 11};
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : options.headers) request.set(name, value);
  request.body() = options.body;
  if (!options.body.empty()) request.prepare_payload();
  check(run_op(io, [&](auto handler) { http::async_write(stream, request, handler); }), "write");

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  if (options.method == http::verb::head) parser.skip(true);
  check(run_op(io, [&](auto handler) { http::async_read(stream, buffer, parser, handler); }), "read");

  reply result;
  auto response = parser.release();
  result.status = static_cast<int>(response.result_int());
  for (const auto& field : response) result.headers[lower(std::string(field.name_string()))] = std::string(field.value());
  result.body = std::move(response.body());
  return result;
}

}  // namespace

std::string reply::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string{} : it->second;
}

reply fetch(std::uint16_t port, request_options options) {
  asio::io_context io;
  beast::tcp_stream tcp_stream(io);
  tcp_stream.expires_after(5s);
  check(run_op(io, [&](auto handler) { tcp_stream.async_connect(local(port), handler); }), "connect");
  if (!options.tls) return exchange(io, tcp_stream, options);

  ssl::context context(ssl::context::tls_client);
  context.set_verify_mode(ssl::verify_none);  // the test certificate is self-signed
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), context);
  check(run_op(io, [&](auto handler) { stream.async_handshake(ssl::stream_base::client, handler); }), "handshake");
  return exchange(io, stream, options);
}

raw_result exchange_raw(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(timeout);
  check(run_op(io, [&](auto handler) { stream.async_connect(local(port), handler); }), "connect");
  if (!bytes.empty())
    check(run_op(io, [&](auto handler) { asio::async_write(stream, asio::buffer(bytes), handler); }), "write");
  raw_result result;
  std::string chunk(4096, '\0');
  for (;;) {
    std::size_t got = 0;
    beast::error_code ec = run_op(io, [&](auto handler) {
      stream.async_read_some(asio::buffer(chunk), [&got, handler](beast::error_code e, std::size_t n) mutable {
        got = n;
        handler(e);
      });
    });
    result.received.append(chunk.data(), got);
    if (ec) {
      result.closed = ec != beast::error::timeout;
      return result;
    }
  }
}

ws_client::ws_client(bool tls) : tls_context_(ssl::context::tls_client), tls_(tls) {
  tls_context_.set_verify_mode(ssl::verify_none);
}

ws_client::~ws_client() = default;

beast::tcp_stream& ws_client::tcp() {
  return tls_ ? beast::get_lowest_layer(*wss_) : beast::get_lowest_layer(*ws_);
}

template <class Start>
beast::error_code ws_client::run(Start start, std::chrono::milliseconds timeout) {
  tcp().expires_after(timeout);
  auto ec = run_op(io_, start);
  tcp().expires_never();
  return ec;
}

int ws_client::connect(std::uint16_t port, std::optional<std::string> origin) {
  if (tls_)
    wss_.emplace(io_, tls_context_);
  else
    ws_.emplace(io_);
  check(run([&](auto handler) { tcp().async_connect(local(port), handler); }, 5s), "connect");
  if (tls_)
    check(run([&](auto handler) { wss_->next_layer().async_handshake(ssl::stream_base::client, handler); }, 5s),
          "tls handshake");

  auto add_origin = [origin](websocket::request_type& request) {
    if (origin) request.set(http::field::origin, *origin);
  };
  websocket::response_type response;
  beast::error_code ec;
  if (tls_) {
    wss_->set_option(websocket::stream_base::decorator(add_origin));
    ec = run([&](auto handler) { wss_->async_handshake(response, "127.0.0.1", "/ws", handler); }, 5s);
  } else {
    ws_->set_option(websocket::stream_base::decorator(add_origin));
    ec = run([&](auto handler) { ws_->async_handshake(response, "127.0.0.1", "/ws", handler); }, 5s);
  }
  if (response.result_int() == 0 && ec) throw std::runtime_error("websocket handshake: " + ec.message());
  return static_cast<int>(response.result_int());
}

void ws_client::write(const std::string& payload, bool text, std::chrono::milliseconds timeout) {
  beast::error_code ec;
  if (tls_) {
    wss_->text(text);
    ec = run([&](auto handler) { wss_->async_write(asio::buffer(payload), handler); }, timeout);
  } else {
    ws_->text(text);
    ec = run([&](auto handler) { ws_->async_write(asio::buffer(payload), handler); }, timeout);
  }
  check(ec, "websocket write");
}

std::optional<std::string> ws_client::read(std::chrono::milliseconds timeout) {
  buffer_.consume(buffer_.size());
  beast::error_code ec;
  if (tls_)
    ec = run([&](auto handler) { wss_->async_read(buffer_, handler); }, timeout);
  else
    ec = run([&](auto handler) { ws_->async_read(buffer_, handler); }, timeout);
  if (ec == beast::error::timeout) throw std::runtime_error("websocket read: timed out");
  if (ec) {
    const auto& reason = tls_ ? wss_->reason() : ws_->reason();
    close_code_ = reason.code;
    close_reason_ = std::string(reason.reason.data(), reason.reason.size());
    return std::nullopt;
  }
  return beast::buffers_to_string(buffer_.data());
}

bool ws_client::await_close(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    try {
      if (!read(left)) return true;
    } catch (const std::runtime_error&) {
      return false;
    }
  }
}

}  // namespace kelisim::net_test
