// Slowloris: 300 connections complete TLS and then trickle an upgrade request one byte a second.
// The server's header deadline (transport_options::header_timeout, 10 s) must cut every one of
// them — not much earlier, not much later — while a normal client is served in the meantime.
#include <algorithm>
#include <array>
#include <iostream>
#include <atomic>
#include <memory>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "abuse_support.hpp"

namespace kelisim::abuse {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

constexpr int slow_clients = 300;
constexpr auto header_timeout = 10s;  // the server's default (server/net/transport_options.hpp)

// One connection that never finishes its request header: a byte a second until it is cut.
class trickler : public std::enable_shared_from_this<trickler> {
 public:
  trickler(net::io_context& io, ssl::context& tls, std::string request)
      : stream_(io, tls), timer_(io), request_(std::move(request)) {}

  void start(const tcp::endpoint& server) {
    stream_.next_layer().async_connect(server, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return self->finish("connect: " + ec.message());
      self->stream_.async_handshake(ssl::stream_base::client, [self](boost::system::error_code ec2) {
        if (ec2) return self->finish("handshake: " + ec2.message());
        self->started_ = clock_type::now();
        self->read();
        self->trickle();
      });
    });
  }

  bool cut() const { return done_; }
  std::chrono::milliseconds lived() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(ended_ - started_);
  }
  std::size_t sent() const { return sent_; }
  const std::string& how() const { return how_; }
  bool connected() const { return started_ != clock_type::time_point{}; }

 private:
  void read() {
    stream_.async_read_some(net::buffer(buffer_), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      // A 408 or similar answer is fine; what matters is the end of the connection.
      if (ec) return self->finish(ec.message());
      self->read();
    });
  }
  void trickle() {
    timer_.expires_after(1s);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->done_ || self->sent_ >= self->request_.size()) return;
      net::async_write(self->stream_, net::buffer(self->request_.data() + self->sent_, 1),
                       [self](boost::system::error_code ec2, std::size_t n) {
                         if (ec2) return self->finish("write: " + ec2.message());
                         self->sent_ += n;
                         self->trickle();
                       });
    });
  }
  void finish(std::string how) {
    if (done_) return;
    done_ = true;
    ended_ = clock_type::now();
    how_ = std::move(how);
    timer_.cancel();
    boost::system::error_code ignored;
    stream_.next_layer().close(ignored);
  }

  ssl::stream<tcp::socket> stream_;
  net::steady_timer timer_;
  std::string request_;
  std::size_t sent_ = 0;
  std::array<char, 1024> buffer_{};
  bool done_ = false;
  std::string how_;
  clock_type::time_point started_{};
  clock_type::time_point ended_{};
};

TEST(SlowUpgrade, ThreeHundredTricklingRequestsAreCutAtTheHeaderDeadlineWhileOthersAreServed) {
  auto options = server_defaults();
  // 300 slow clients and the probes all come from 127.0.0.1: lift the per-address cap for this test.
  options.extra_args = {"--max-connections-per-address", "1000"};
  server_process server(options);
  const json room = server.admin().create_room("Slow room");
  const auto mediator = issue(server, room.at("id").get<std::string>(), "mediator", "Mira");

  std::string request =
      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) +
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Slow: ";
  request += std::string(200, 'z');  // never reaches the blank line within the deadline

  net::io_context io;
  ssl::context tls(ssl::context::tls_client);
  tls.set_verify_mode(ssl::verify_none);
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), server.port());
  std::vector<std::shared_ptr<trickler>> clients;
  for (int i = 0; i < slow_clients; ++i) {
    clients.push_back(std::make_shared<trickler>(io, tls, request));
    clients.back()->start(endpoint);
  }
  std::atomic<bool> io_done{false};
  std::thread runner([&] {
    // Every connection ends (cut, or failed); the bound only stops a broken server hanging the test.
    io.run_for(header_timeout + 20s);
    io_done = true;
  });

  // While they trickle, normal clients are served (several times, spread over the deadline).
  std::vector<std::string> probes;
  const auto until = clock_type::now() + header_timeout - 2s;
  while (clock_type::now() < until) {
    probes.push_back(probe(server, mediator.token));
    std::this_thread::sleep_for(1s);
  }
  runner.join();

  for (const auto& p : probes) EXPECT_EQ(p, "") << "a normal client was not served during the trickle";
  EXPECT_GE(probes.size(), 3u);
  int cut = 0;
  std::chrono::milliseconds shortest{std::chrono::hours(1)}, longest{0};
  for (const auto& c : clients) {
    ASSERT_TRUE(c->connected()) << c->how();
    if (!c->cut()) continue;
    ++cut;
    shortest = std::min(shortest, c->lived());
    longest = std::max(longest, c->lived());
    EXPECT_LT(c->sent(), request.size());
  }
  EXPECT_EQ(cut, slow_clients) << "connections still open after " << (header_timeout + 20s).count() << " s";
  // The deadline runs from accept; the TLS handshake came first, so a cut lands a little before
  // 10 s after the handshake ended, and not much after.
  EXPECT_GE(shortest, header_timeout - 2s) << "cut before the deadline";
  EXPECT_LE(longest, header_timeout + 4s) << "cut long after the deadline";
  std::cout << "slow upgrades: " << cut << " cut after " << shortest.count() << ".." << longest.count()
            << " ms\n";
  EXPECT_TRUE(server.running()) << server.output_tail();
  EXPECT_EQ(probe(server, mediator.token), "");
}

}  // namespace
}  // namespace kelisim::abuse
