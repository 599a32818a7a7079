// The real transport in-process over real TLS on port 0, with a scripted application:
// static files, application routes, limits, origin checks, WebSocket close codes, slow readers,
// connection caps and shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "net/security_headers.hpp"
#include "net/server.hpp"
#include "test_client.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/test_certificate.hpp"

namespace kelisim::net {
namespace {

namespace fs = std::filesystem;
namespace beast_http = boost::beast::http;
using namespace std::chrono_literals;
using net_test::eventually;
using net_test::fetch;
using net_test::request_options;
using net_test::ws_client;

void write_file(const fs::path& file, const std::string& content) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
}

beast_http::response<beast_http::string_body> json_reply(beast_http::status status, std::string body) {
  beast_http::response<beast_http::string_body> response{status, 11};
  response.set(beast_http::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}

class scripted_application;

// hello -> authenticated + "welcome"; flood -> 200 frames at once; close:CODE -> "bye" then close;
// anything else is echoed.
class scripted_handler final : public link_handler {
 public:
  scripted_handler(std::shared_ptr<client_link> link, scripted_application& app) : link_(std::move(link)), app_(app) {}
  void on_text(std::string text) override;
  void on_closed() override;

 private:
  std::shared_ptr<client_link> link_;
  scripted_application& app_;
};

class scripted_application final : public application {
 public:
  ~scripted_application() override { join_responders(); }

  // A responder holds its session until its thread ends: join them all before the server (and
  // the io contexts the sessions' sockets and timers belong to) is destroyed.
  void join_responders() {
    std::lock_guard lock(mutex_);
    for (auto& worker : responders_) worker.join();
    responders_.clear();
  }

  void handle_http(beast_http::request<beast_http::string_body> request, request_info info,
                   respond_fn respond) override {
    ++http_requests;
    last_info = info;
    // Answer from another thread, as a real application may.
    std::lock_guard lock(mutex_);
    responders_.emplace_back([request = std::move(request), respond = std::move(respond)] {
      if (request.target() == "/healthz") return respond(json_reply(beast_http::status::ok, R"({"status":"ok"})"));
      if (request.target() == "/api/echo") return respond(json_reply(beast_http::status::ok, request.body()));
      respond(json_reply(beast_http::status::not_found, R"({"code":"not_found"})"));
    });
  }

  std::shared_ptr<link_handler> open_link(std::shared_ptr<client_link> link) override {
    ++opened;
    return std::make_shared<scripted_handler>(std::move(link), *this);
  }

  void stopping() override { ++stopping_calls; }

  std::atomic<int> http_requests{0};
  std::atomic<int> opened{0};
  std::atomic<int> closed{0};
  std::atomic<int> stopping_calls{0};
  request_info last_info;

 private:
  std::mutex mutex_;
  std::vector<std::thread> responders_;
};

void scripted_handler::on_text(std::string text) {
  if (text == "hello") {
    link_->authenticated(0);  // connections accepted onto the other io thread move to the first
    link_->send(std::make_shared<const std::string>("welcome"));
  } else if (text == "flood") {
    for (int i = 0; i < 200; ++i) link_->send(std::make_shared<const std::string>(1000, 'x'));
  } else if (text.starts_with("close:")) {
    link_->send(std::make_shared<const std::string>("bye"));
    link_->close(static_cast<std::uint16_t>(std::stoi(text.substr(6))), "done");
  } else {
    link_->send(std::make_shared<const std::string>(std::move(text)));
  }
}

void scripted_handler::on_closed() {
  ++app_.closed;
  link_.reset();  // the link holds us; let go so both can be freed
}

class server_test : public ::testing::Test {
 protected:
  server_test() {
    write_file(web_root() / "index.html", "<!doctype html><h1>Kelisim</h1>");
    write_file(web_root() / "app.js", "export const x = 1;\n");
    write_file(scratch_.path() / "secret.txt", "TOP-SECRET");
    fs::create_symlink(scratch_.path() / "secret.txt", web_root() / "escape.txt");
    certificate_ = test::make_test_certificate(scratch_.path());

    options_.host = "127.0.0.1";
    options_.port = 0;
    options_.tls_certificate = certificate_.cert_file;
    options_.tls_private_key = certificate_.key_file;
    options_.web_root = web_root();
    options_.threads = 2;
    options_.handle_signals = false;
    options_.drain_timeout = 5s;
    options_.transport.hello_timeout = 300ms;
    options_.transport.send_queue_frames = 8;
  }

  ~server_test() override { stop(); }

  void start() {
    server_ = std::make_unique<server>(options_);
    runner_ = std::thread([this] { server_->run(app_); });
  }

  void stop() {
    if (runner_.joinable()) {
      server_->stop();
      runner_.join();
    }
    app_->join_responders();
  }

  std::uint16_t port() const { return server_->port(); }
  fs::path web_root() const { return scratch_.path() / "web"; }

  // A WebSocket that passed the hello.
  std::unique_ptr<ws_client> greeted_client() {
    auto client = std::make_unique<ws_client>();
    EXPECT_EQ(client->connect(port()), 101);
    client->write("hello");
    EXPECT_EQ(client->read(), "welcome");
    return client;
  }

  void expect_moves_lose_nothing(bool tls);

  void expect_every_link_closed_once() {
    EXPECT_TRUE(eventually([&] { return app_->closed.load() == app_->opened.load(); }))
        << app_->opened << " opened, " << app_->closed << " closed";
  }

  test::scratch_dir scratch_{"kelisim-net-server"};
  test::test_certificate certificate_;
  server_options options_;
  std::shared_ptr<scripted_application> app_ = std::make_shared<scripted_application>();
  std::unique_ptr<server> server_;
  std::thread runner_;
};

void expect_security_headers(const net_test::reply& reply, bool tls = true) {
  EXPECT_EQ(reply.header("content-security-policy"), content_security_policy);
  EXPECT_EQ(reply.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(reply.header("referrer-policy"), "no-referrer");
  EXPECT_EQ(!reply.header("strict-transport-security").empty(), tls);
}

TEST_F(server_test, serves_the_web_root_with_security_headers) {
  start();
  const auto home = fetch(port(), "/");
  EXPECT_EQ(home.status, 200);
  EXPECT_EQ(home.body, "<!doctype html><h1>Kelisim</h1>");
  EXPECT_EQ(home.header("content-type"), "text/html; charset=utf-8");
  expect_security_headers(home);

  const auto script = fetch(port(), "/app.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.header("content-type"), "text/javascript; charset=utf-8");
  expect_security_headers(script);

  const auto missing = fetch(port(), "/missing.js");
  EXPECT_EQ(missing.status, 404);
  expect_security_headers(missing);

  const auto head = fetch(port(), request_options{"/app.js", beast_http::verb::head});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "20");

  const auto post = fetch(port(), request_options{"/index.html", beast_http::verb::post});
  EXPECT_EQ(post.status, 405);
  expect_security_headers(post);
}

TEST_F(server_test, never_serves_outside_the_web_root) {
  start();
  for (const char* target : {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/..%2fsecret.txt",
                             "/..%5csecret.txt", "/%252e%252e/secret.txt", "//etc/passwd", "/escape.txt",
                             "/index.html%00.js", "/.%2e/.%2e/secret.txt"}) {
    const auto reply = fetch(port(), target);
    EXPECT_TRUE(reply.status == 400 || reply.status == 404) << target << " -> " << reply.status;
    EXPECT_EQ(reply.body.find("TOP-SECRET"), std::string::npos) << target;
    expect_security_headers(reply);
  }
  // Beast itself refuses a raw backslash or a space in the target as a malformed request.
  const auto backslash = fetch(port(), "/..\\secret.txt");
  EXPECT_TRUE(backslash.status == 400 || backslash.status == 404) << backslash.status;
}

TEST_F(server_test, answers_304_to_a_matching_validator) {
  start();
  const auto first = fetch(port(), "/app.js");
  const auto etag = first.header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_FALSE(first.header("last-modified").empty());

  const auto again = fetch(port(), request_options{"/app.js", beast_http::verb::get, {{"If-None-Match", etag}}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.header("etag"), etag);
  expect_security_headers(again);

  const auto since = fetch(
      port(), request_options{"/app.js", beast_http::verb::get, {{"If-Modified-Since", first.header("last-modified")}}});
  EXPECT_EQ(since.status, 304);
}

TEST_F(server_test, application_routes_answer_from_any_thread) {
  start();
  const auto health = fetch(port(), "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"ok"})");
  EXPECT_EQ(health.header("content-type"), "application/json");
  expect_security_headers(health);

  const auto echo = fetch(port(), request_options{"/api/echo", beast_http::verb::post, {}, R"({"title":"x"})"});
  EXPECT_EQ(echo.status, 200);
  EXPECT_EQ(echo.body, R"({"title":"x"})");

  const auto unknown = fetch(port(), "/api/nothing");
  EXPECT_EQ(unknown.status, 404);
  expect_security_headers(unknown);
  EXPECT_EQ(app_->http_requests.load(), 3);
  EXPECT_TRUE(app_->last_info.tls);
  EXPECT_EQ(app_->last_info.remote_address, "127.0.0.1");
}

TEST_F(server_test, enforces_header_and_body_limits) {
  start();
  const auto big_header =
      fetch(port(), request_options{"/", beast_http::verb::get, {{"X-Padding", std::string(9 * 1024, 'a')}}});
  EXPECT_EQ(big_header.status, 431);
  expect_security_headers(big_header);

  // Announced in the header, refused before a byte of the body is read.
  const auto big_body = fetch(
      port(), request_options{"/api/echo", beast_http::verb::post, {{"Content-Length", std::to_string(1024 * 1024 + 1)}}});
  EXPECT_EQ(big_body.status, 413);
  EXPECT_EQ(app_->http_requests.load(), 0);
}

TEST_F(server_test, plain_http_on_the_tls_port_gets_no_http_answer) {
  start();
  const auto result = net_test::exchange_raw(port(), "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_TRUE(result.closed);
  EXPECT_TRUE(result.received.empty()) << result.received;
}

TEST_F(server_test, a_tls_handshake_that_stalls_is_cut_at_the_header_deadline) {
  options_.transport.header_timeout = 300ms;
  start();
  // The start of a ClientHello (record of 512 bytes, message of 508) whose rest never comes:
  // enough for TLS detection, not for the handshake.
  const auto started = std::chrono::steady_clock::now();
  const auto result = net_test::exchange_raw(port(), std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc", 9), 5s);
  EXPECT_TRUE(result.closed);
  EXPECT_TRUE(result.received.empty()) << result.received.size() << " bytes";
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s) << "closed by the deadline, not the client's timeout";
  EXPECT_EQ(server_->counters().connections_refused.load(), 1u);
}

TEST_F(server_test, websocket_upgrade_checks_the_origin) {
  start();
  ws_client foreign;
  EXPECT_EQ(foreign.connect(port(), "https://evil.example"), 403);
  ws_client downgraded;
  EXPECT_EQ(downgraded.connect(port(), "http://127.0.0.1"), 403) << "same host, but not over TLS";
  EXPECT_EQ(server_->counters().connections_refused.load(), 2u);
  EXPECT_EQ(app_->opened.load(), 0);

  ws_client same_origin;
  EXPECT_EQ(same_origin.connect(port(), "https://127.0.0.1"), 101);
  ws_client no_origin;  // not a browser
  EXPECT_EQ(no_origin.connect(port()), 101);

  const auto not_upgraded = fetch(port(), "/ws");
  EXPECT_EQ(not_upgraded.status, 426);
}

TEST_F(server_test, websocket_allow_list_admits_a_configured_origin) {
  options_.transport.allowed_origins = {"https://mediation.example.org"};
  start();
  ws_client listed;
  EXPECT_EQ(listed.connect(port(), "https://mediation.example.org"), 101);
  ws_client other;
  EXPECT_EQ(other.connect(port(), "https://other.example.org"), 403);
}

TEST_F(server_test, websocket_round_trip_and_application_close_flushes_first) {
  start();
  auto client = greeted_client();
  EXPECT_EQ(server_->counters().websocket_connections.load(), 1);
  client->write("ping");
  EXPECT_EQ(client->read(), "ping");
  client->write("close:4000");
  EXPECT_EQ(client->read(), "bye");
  EXPECT_FALSE(client->read());
  EXPECT_EQ(client->close_code(), 4000);
  EXPECT_EQ(client->close_reason(), "done");
  expect_every_link_closed_once();
  EXPECT_TRUE(eventually([&] { return server_->counters().websocket_connections.load() == 0; }));
}

// The scripted application names io thread 0 as every connection's home; connections are
// accepted onto the two io threads in turn, so every second one moves after its hello. The
// welcome is sent while the move is pending: its hand-over follows the connection.
void server_test::expect_moves_lose_nothing(bool tls) {
  options_.tls = tls;
  start();
  constexpr int connections = 6;
  std::vector<std::unique_ptr<ws_client>> clients;
  for (int i = 0; i < connections; ++i) {
    auto client = std::make_unique<ws_client>(tls);
    ASSERT_EQ(client->connect(port()), 101);
    client->write("hello");
    clients.push_back(std::move(client));
  }
  for (auto& client : clients) EXPECT_EQ(client->read(), "welcome");
  // One message each per round: this fixture's send queue holds only 8 frames.
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < connections; ++i) clients[i]->write("m" + std::to_string(round) + "." + std::to_string(i));
    for (int i = 0; i < connections; ++i) EXPECT_EQ(clients[i]->read(), "m" + std::to_string(round) + "." + std::to_string(i));
  }
  EXPECT_EQ(server_->counters().websockets_moved.load(), std::uint64_t{connections / 2});

  for (auto& client : clients) {
    client->write("close:4000");
    EXPECT_EQ(client->read(), "bye");
    EXPECT_FALSE(client->read());
    EXPECT_EQ(client->close_code(), 4000);
  }
  expect_every_link_closed_once();
}

TEST_F(server_test, plain_websockets_move_to_their_home_io_thread_and_lose_nothing) {
  expect_moves_lose_nothing(false);
}

TEST_F(server_test, tls_websockets_move_to_their_home_io_thread_and_lose_nothing) {
  // TLS runs on the socket itself (net/tls_stream.hpp): OpenSSL's state moves with it.
  expect_moves_lose_nothing(true);
}

TEST_F(server_test, websocket_without_hello_is_closed_1008) {
  start();
  ws_client client;
  ASSERT_EQ(client.connect(port()), 101);
  EXPECT_TRUE(client.await_close());
  EXPECT_EQ(client.close_code(), 1008);
  EXPECT_EQ(client.close_reason(), "hello timeout");
  expect_every_link_closed_once();
}

TEST_F(server_test, websocket_message_over_64_kib_is_closed_1009) {
  start();
  auto client = greeted_client();
  client->write(std::string(64 * 1024, 'a'));  // exactly the limit: fine
  EXPECT_EQ(client->read()->size(), 64u * 1024u);
  client->write(std::string(64 * 1024 + 1, 'a'));
  EXPECT_TRUE(client->await_close());
  EXPECT_EQ(client->close_code(), 1009);
  expect_every_link_closed_once();
}

TEST_F(server_test, websocket_invalid_utf8_is_closed_1007) {
  start();
  auto client = greeted_client();
  client->write("caf\xc3");  // truncated two-byte sequence
  EXPECT_TRUE(client->await_close());
  EXPECT_EQ(client->close_code(), 1007);
  expect_every_link_closed_once();
}

TEST_F(server_test, websocket_binary_frame_is_closed_1003) {
  start();
  auto client = greeted_client();
  client->write("\x01\x02", false);
  EXPECT_TRUE(client->await_close());
  EXPECT_EQ(client->close_code(), 1003);
  expect_every_link_closed_once();
}

// An upgrade request over plain TCP, with the given key and version.
std::string upgrade_request(const std::string& key = "dGhlIHNhbXBsZSBub25jZQ==", const std::string& version = "13") {
  return "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: " + version + "\r\n\r\n";
}

// A masked client frame (FIN set, payload under 126 bytes), as a browser sends it.
std::string masked_frame(unsigned char opcode, const std::string& text) {
  const std::string mask = "\x11\x22\x33\x44";
  std::string frame(1, static_cast<char>(0x80 | opcode));
  frame += static_cast<char>(0x80 | text.size());
  frame += mask;
  for (std::size_t i = 0; i < text.size(); ++i) frame += static_cast<char>(text[i] ^ mask[i % 4]);
  return frame;
}

std::string masked_text(const std::string& text) { return masked_frame(0x1, text); }

TEST_F(server_test, websocket_upgrade_answers_the_key_and_refuses_other_versions_and_bad_keys) {
  options_.tls = false;
  start();
  // The accept value for this key is the example in RFC 6455 1.3.
  const auto accepted = net_test::exchange_raw(port(), upgrade_request(), 300ms);
  EXPECT_NE(accepted.received.find("HTTP/1.1 101 "), std::string::npos) << accepted.received;
  EXPECT_NE(accepted.received.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos)
      << accepted.received;

  const auto old_version = net_test::exchange_raw(port(), upgrade_request("dGhlIHNhbXBsZSBub25jZQ==", "8"));
  EXPECT_TRUE(old_version.received.starts_with("HTTP/1.1 426 ")) << old_version.received;
  EXPECT_NE(old_version.received.find("Sec-WebSocket-Version: 13"), std::string::npos) << old_version.received;

  const auto short_key = net_test::exchange_raw(port(), upgrade_request("c2hvcnQ="));
  EXPECT_TRUE(short_key.received.starts_with("HTTP/1.1 400 ")) << short_key.received;
}

TEST_F(server_test, websocket_ping_is_answered_with_its_payload_and_close_with_its_code) {
  options_.tls = false;
  start();
  const auto result = net_test::exchange_raw(
      port(), upgrade_request() + masked_text("hello") + masked_frame(0x9, "are you there") +
                  masked_frame(0x8, std::string("\x0f\xa0", 2) + "done"));
  EXPECT_TRUE(result.closed);
  const std::string pong = "\x8a\x0d" "are you there";
  const std::string close_4000("\x88\x02\x0f\xa0", 4);
  const auto at_pong = result.received.find(pong);
  ASSERT_NE(at_pong, std::string::npos) << result.received;
  // The close answer echoes the client's code (4000) and comes last.
  EXPECT_EQ(result.received.substr(result.received.size() - close_4000.size()), close_4000);
  expect_every_link_closed_once();
}

TEST_F(server_test, websocket_pings_from_a_client_that_does_not_read_get_bounded_pongs) {
  options_.tls = false;
  start();
  // 300,000 pings (39 MB) written before a byte is read back. The pongs fill the loopback
  // buffers (a few MB), then wait in the session's control backlog, which stays small: the
  // pings beyond it go unanswered (RFC 6455 5.5.3) instead of growing the server's memory.
  constexpr std::size_t pings = 300'000;
  const std::string payload(125, 'p');
  std::string bytes = upgrade_request() + masked_text("hello");
  const std::string ping = masked_frame(0x9, payload);
  bytes.reserve(bytes.size() + pings * ping.size() + 16);
  for (std::size_t i = 0; i < pings; ++i) bytes += ping;
  bytes += masked_frame(0x8, std::string("\x03\xe8", 2));
  const auto result = net_test::exchange_raw(port(), bytes, 60s);
  ASSERT_TRUE(result.closed);
  const std::string pong = std::string("\x8a\x7d", 2) + payload;
  std::size_t pongs = 0;
  for (auto at = result.received.find(pong); at != std::string::npos; at = result.received.find(pong, at + pong.size()))
    ++pongs;
  EXPECT_GT(pongs, 0u);
  EXPECT_LT(pongs, pings) << "every ping was answered: the pongs were never bounded";
  // Still a well-behaved connection: the close answer comes last, with the client's code.
  const std::string close_1000("\x88\x02\x03\xe8", 4);
  ASSERT_GE(result.received.size(), close_1000.size());
  EXPECT_EQ(result.received.substr(result.received.size() - close_1000.size()), close_1000);
  expect_every_link_closed_once();
}

TEST_F(server_test, websocket_answering_pings_stays_open_past_the_idle_timeout) {
  // Long enough that a pong on a loaded test machine is never late.
  options_.transport.websocket_idle_timeout = 1s;
  start();
  auto client = greeted_client();
  // Beast answers the server's pings while it reads; nothing else arrives for 2.5 idle timeouts.
  // A drop (with or without a close frame) would end the read: await_close would say true. (The
  // client hangs up itself when the wait ends, so the application's count proves nothing after.)
  EXPECT_FALSE(client->await_close(2500ms)) << "closed with " << client->close_code();
}

TEST_F(server_test, websocket_silent_past_the_idle_timeout_is_pinged_then_dropped) {
  options_.tls = false;
  options_.transport.websocket_idle_timeout = 300ms;
  start();
  // Upgrade and hello in one write, then never a byte more (no pong).
  const auto result = net_test::exchange_raw(port(), upgrade_request() + masked_text("hello"), 5s);
  EXPECT_TRUE(result.closed);
  const std::string welcome = "\x81\x07welcome";
  const std::string ping("\x89\x00", 2);
  const auto at_welcome = result.received.find(welcome);
  ASSERT_NE(at_welcome, std::string::npos) << result.received;
  EXPECT_EQ(result.received.substr(at_welcome + welcome.size()), ping) << "one ping, then the connection ends";
  expect_every_link_closed_once();
}

TEST_F(server_test, slow_reader_is_closed_1008_too_slow) {
  start();
  auto client = greeted_client();
  client->write("flood");  // 200 frames at once against a queue of 8
  EXPECT_TRUE(client->await_close());
  EXPECT_EQ(client->close_code(), 1008);
  EXPECT_EQ(client->close_reason(), "too slow");
  EXPECT_EQ(server_->counters().send_queue_drops.load(), 1u);
  expect_every_link_closed_once();
}

TEST_F(server_test, per_address_cap_refuses_extra_connections) {
  options_.transport.max_connections_per_address = 2;
  start();
  auto first = greeted_client();
  auto second = greeted_client();
  const auto third = net_test::exchange_raw(port(), "");
  EXPECT_TRUE(third.closed);
  EXPECT_TRUE(third.received.empty());
  EXPECT_GE(server_->counters().connections_refused.load(), 1u);

  first.reset();  // a closed connection frees its place
  EXPECT_TRUE(eventually([&] {
    try {
      return fetch(port(), "/healthz").status == 200;
    } catch (const std::exception&) {
      return false;
    }
  }));
}

TEST_F(server_test, stop_closes_websockets_with_1001_and_returns) {
  start();
  auto first = greeted_client();
  auto second = greeted_client();
  server_->stop();
  for (auto* client : {first.get(), second.get()}) {
    EXPECT_TRUE(client->await_close());
    EXPECT_EQ(client->close_code(), 1001);
    EXPECT_EQ(client->close_reason(), "going away");
  }
  runner_.join();
  EXPECT_EQ(app_->stopping_calls.load(), 1);
  EXPECT_EQ(app_->closed.load(), 2);
  // Nothing accepts connections any more.
  EXPECT_THROW(fetch(port(), "/"), std::runtime_error);
}

TEST(server_startup, reports_configuration_errors_in_one_line) {
  test::scratch_dir scratch("kelisim-net-startup");
  const auto certificate = test::make_test_certificate(scratch.path());
  fs::create_directories(scratch.path() / "web");
  server_options options;
  options.port = 0;
  options.web_root = scratch.path() / "web";
  options.handle_signals = false;
  options.tls_certificate = scratch.path() / "missing.pem";
  options.tls_private_key = certificate.key_file;
  try {
    server s(options);
    FAIL() << "started without a certificate";
  } catch (const std::exception& error) {
    EXPECT_EQ(std::string(error.what()), "cannot read TLS certificate " + options.tls_certificate.string() +
                                             ": No such file or directory");
  }

  options.tls_certificate = certificate.key_file;  // not a certificate
  EXPECT_THROW(server{options}, std::exception);

  options.tls_certificate = certificate.cert_file;
  options.web_root = scratch.path() / "no-web";
  try {
    server s(options);
    FAIL() << "started without a web root";
  } catch (const std::exception& error) {
    EXPECT_TRUE(std::string(error.what()).starts_with("cannot read web root")) << error.what();
  }

  options.web_root = scratch.path() / "web";
  server first(options);
  options.port = first.port();
  try {
    server second(options);
    FAIL() << "bound a port already taken";
  } catch (const std::exception& error) {
    EXPECT_NE(std::string(error.what()).find("cannot listen on 127.0.0.1:"), std::string::npos) << error.what();
  }
}

// The binary announces its port before run(); a SIGTERM sent on that announcement must be
// caught, not kill the process by the default action. Were the signals taken over only in run(),
// the raise() below would end this test process.
TEST(server_signals, a_sigterm_between_construction_and_run_stops_the_server) {
  test::scratch_dir scratch("kelisim-net-signal");
  fs::create_directories(scratch.path() / "web");
  server_options options;
  options.port = 0;
  options.tls = false;
  options.web_root = scratch.path() / "web";
  options.threads = 1;
  server s(options);
  ASSERT_EQ(::raise(SIGTERM), 0);
  auto app = std::make_shared<scripted_application>();
  auto running = std::async(std::launch::async, [&] { s.run(app); });
  const bool stopped = running.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  if (!stopped) s.stop();
  running.get();
  EXPECT_TRUE(stopped) << "the SIGTERM before run() was lost";
  EXPECT_EQ(app->stopping_calls.load(), 1);
}

TEST(server_plain, serves_http_without_tls_headers) {
  test::scratch_dir scratch("kelisim-net-plain");
  write_file(scratch.path() / "web" / "index.html", "plain");
  server_options options;
  options.port = 0;
  options.tls = false;
  options.web_root = scratch.path() / "web";
  options.handle_signals = false;
  options.threads = 1;
  server plain(options);
  std::thread runner([&] { plain.run(std::make_shared<scripted_application>()); });
  request_options request{"/"};
  request.tls = false;
  const auto reply = fetch(plain.port(), request);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "plain");
  expect_security_headers(reply, false);

  // Behind a TLS-terminating proxy the page's origin is https://host.
  ws_client proxied(false);
  EXPECT_EQ(proxied.connect(plain.port(), "https://127.0.0.1"), 101);
  ws_client foreign(false);
  EXPECT_EQ(foreign.connect(plain.port(), "https://evil.example"), 403);

  plain.stop();
  EXPECT_TRUE(proxied.await_close());
  EXPECT_EQ(proxied.close_code(), 1001);
  runner.join();
}

}  // namespace
}  // namespace kelisim::net
