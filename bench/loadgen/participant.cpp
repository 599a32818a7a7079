#include "participant.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <deque>
#include <type_traits>
#include <vector>

#include "bench_room.hpp"

namespace kelisim::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

template <class Stream>
constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

template <class Stream>
class websocket_participant final : public participant,
                                    public std::enable_shared_from_this<websocket_participant<Stream>> {
public:
  template <class... Args>
  websocket_participant(endpoint_settings where, bench_room& room, std::size_t index, Args&&... stream_args)
      : ws_(std::forward<Args>(stream_args)...), where_(std::move(where)), room_(room), index_(index) {}

  void start() override {
    auto& socket = beast::get_lowest_layer(ws_).socket();
    beast::error_code ec;
    socket.open(tcp::v4(), ec);
    if (!ec && !where_.source_address.empty())
      socket.bind(tcp::endpoint(net::ip::make_address(where_.source_address), 0), ec);
    if (ec) return fail("open", ec);
    const tcp::endpoint server(net::ip::make_address(where_.host, ec), where_.port);
    if (ec) return fail("address", ec);
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(15));
    beast::get_lowest_layer(ws_).async_connect(server, beast::bind_front_handler(&websocket_participant::on_connect, this->shared_from_this()));
  }

  void send(std::string_view frame) override {
    if (closing_) return;
    std::string buffer;
    if (!spare_.empty()) {
      buffer = std::move(spare_.back());
      spare_.pop_back();
    }
    buffer.assign(frame);
    queue_.push_back(std::move(buffer));
    if (queue_.size() == 1 && open_) do_write();
  }

  void close() override {
    if (closing_ || !open_) return;
    closing_ = true;
    ws_.async_close(websocket::close_code::normal, [self = this->shared_from_this()](beast::error_code) {});
  }

  std::size_t queued() const override { return queue_.size(); }

private:
  void on_connect(beast::error_code ec) {
    if (ec) return fail("connect", ec);
    // Without TCP_NODELAY Nagle's algorithm and delayed ACKs add tens of milliseconds per frame.
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ec);
    if constexpr (is_tls<Stream>) {
      ws_.next_layer().async_handshake(ssl::stream_base::client,
                                       beast::bind_front_handler(&websocket_participant::on_tls_handshake, this->shared_from_this()));
    } else {
      upgrade();
    }
  }

  void on_tls_handshake(beast::error_code ec) {
    if (ec) return fail("tls_handshake", ec);
    upgrade();
  }

  void upgrade() {
    // The websocket stream keeps its own timeouts from here on (pings keep idle connections up).
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "kelisim-loadgen"); }));
    ws_.read_message_max(1 << 20);
    ws_.auto_fragment(false);
    ws_.text(true);
    const std::string host = where_.host + ":" + std::to_string(where_.port);
    ws_.async_handshake(host, where_.target, beast::bind_front_handler(&websocket_participant::on_upgrade, this->shared_from_this()));
  }

  void on_upgrade(beast::error_code ec) {
    if (ec) return fail("upgrade", ec);
    open_ = true;
    room_.on_open(index_);
    if (!queue_.empty()) do_write();
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&websocket_participant::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail("read", ec);
    const auto data = buffer_.cdata();
    room_.on_frame(index_, std::string_view(static_cast<const char*>(data.data()), data.size()));
    buffer_.consume(buffer_.size());
    do_read();
  }

  void do_write() {
    ws_.async_write(net::buffer(queue_.front()), beast::bind_front_handler(&websocket_participant::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return fail("write", ec);
    spare_.push_back(std::move(queue_.front()));
    queue_.pop_front();
    if (!queue_.empty()) do_write();
  }

  void fail(const char* step, beast::error_code ec) {
    if (failed_) return;
    failed_ = true;
    const bool was_open = open_;
    open_ = false;
    // Our own close completing shows up as websocket::error::closed or operation_aborted: not a failure.
    if (closing_ && (ec == websocket::error::closed || ec == net::error::operation_aborted || ec == net::error::eof ||
                     ec == ssl::error::stream_truncated))
      return;
    std::string reason = std::string(step) + ": " + ec.message();
    if (ec == websocket::error::closed) reason = "closed by server: " + std::to_string(ws_.reason().code) + " " + std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
    room_.on_failed(index_, was_open, reason);
  }

  websocket::stream<Stream> ws_;
  endpoint_settings where_;
  bench_room& room_;
  std::size_t index_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::vector<std::string> spare_;
  bool open_ = false;
  bool closing_ = false;
  bool failed_ = false;
};

}  // namespace

std::shared_ptr<participant> make_participant(net::any_io_executor strand, ssl::context* tls_context, endpoint_settings where,
                                              bench_room& room, std::size_t index) {
  if (tls_context)
    return std::make_shared<websocket_participant<ssl::stream<beast::tcp_stream>>>(std::move(where), room, index, strand, *tls_context);
  return std::make_shared<websocket_participant<beast::tcp_stream>>(std::move(where), room, index, strand);
}

}  // namespace kelisim::bench
