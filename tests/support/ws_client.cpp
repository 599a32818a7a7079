#include "tests/support/ws_client.hpp"

#include <array>
#include <random>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <variant>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace kelisim::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;
using plain_ws = websocket::stream<beast::tcp_stream>;

template <class Stream>
constexpr bool is_tls = std::is_same_v<Stream, tls_ws>;

// The result of one asynchronous operation, shared with its handler so that a handler running
// after the caller gave up never touches a dead stack frame.
struct op_state {
  bool done = false;
  beast::error_code ec;
};

std::string random_prefix() {
  std::random_device device;
  std::ostringstream out;
  out << 't' << std::hex << (device() & 0xffffffu) << '-';
  return out.str();
}

std::string shorten(const std::string& s, std::size_t max = 400) {
  if (s.size() <= max) return s;
  return s.substr(0, max) + "...(" + std::to_string(s.size()) + " bytes)";
}

}  // namespace

struct ws_client::impl {
  std::string host;
  std::uint16_t port;
  ws_options options;
  net::io_context io;
  ssl::context tls_context{ssl::context::tls_client};
  std::variant<std::monostate, std::unique_ptr<tls_ws>, std::unique_ptr<plain_ws>> ws;
  beast::flat_buffer buffer;
  bool open = false;
  bool reading = false;
  close_info ended;
  std::vector<ws_frame> log;
  std::size_t cursor = 0;
  std::string id_prefix = random_prefix();
  std::uint64_t next_id = 1;

  impl(std::string h, std::uint16_t p, ws_options o) : host(std::move(h)), port(p), options(std::move(o)) {
    // Tests talk to their own server with a throwaway self-signed certificate.
    tls_context.set_verify_mode(ssl::verify_none);
  }

  ~impl() {
    if (has_stream()) {
      with_ws([](auto& s) {
        beast::error_code ignored;
        beast::get_lowest_layer(s).socket().close(ignored);
      });
      // Let pending handlers see the closed socket before the streams go away.
      io.restart();
      io.poll();
    }
  }

  bool has_stream() const noexcept { return !std::holds_alternative<std::monostate>(ws); }

  template <class F>
  void with_ws(F&& f) {
    if (auto* t = std::get_if<std::unique_ptr<tls_ws>>(&ws)) return f(**t);
    if (auto* p = std::get_if<std::unique_ptr<plain_ws>>(&ws)) return f(**p);
    throw std::logic_error("ws_client: not connected");
  }

  std::string describe() const { return "ws_client " + host + ":" + std::to_string(port); }

  // Runs the io_context until `done()` or the deadline. Returns done().
  bool pump_until(const std::function<bool()>& done, clock_type::time_point deadline) {
    while (!done()) {
      if (io.stopped()) io.restart();
      if (io.run_one_until(deadline) == 0) {
        if (clock_type::now() >= deadline) return done();
        // No work left at all: nothing can change any more.
        if (io.stopped()) return done();
      }
    }
    return true;
  }

  clock_type::time_point deadline_in(std::optional<std::chrono::milliseconds> timeout) const {
    return clock_type::now() + timeout.value_or(options.io_timeout);
  }

  // Waits for an operation; on timeout, tears the connection down and waits for the handler.
  beast::error_code await(const std::shared_ptr<op_state>& op, clock_type::time_point deadline) {
    if (!pump_until([&] { return op->done; }, deadline)) {
      abort_connection("deadline passed");
      pump_until([&] { return op->done; }, clock_type::now() + std::chrono::seconds(5));
      return net::error::timed_out;
    }
    return op->ec;
  }

  void abort_connection(const std::string& why) {
    if (!has_stream()) return;
    with_ws([](auto& s) {
      beast::error_code ignored;
      beast::get_lowest_layer(s).socket().close(ignored);
    });
    if (open) {
      open = false;
      ended.closed = true;
      if (ended.error.empty()) ended.error = why;
    }
  }

  template <class Stream>
  upgrade_result open_stream(Stream& s) {
    upgrade_result result;
    const auto deadline = clock_type::now() + options.connect_timeout;
    auto& lowest = beast::get_lowest_layer(s);
    lowest.expires_after(options.connect_timeout);

    beast::error_code ec;
    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return {false, 0, "resolve: " + ec.message()};
    if (endpoints.empty()) return {false, 0, "resolve: no address"};
    const tcp::endpoint endpoint = *endpoints.begin();
    if (options.receive_buffer_bytes) {
      lowest.socket().open(endpoint.protocol(), ec);
      if (!ec) lowest.socket().set_option(net::socket_base::receive_buffer_size(*options.receive_buffer_bytes), ec);
      if (ec) return {false, 0, "socket: " + ec.message()};
    }
    auto op = std::make_shared<op_state>();
    lowest.async_connect(endpoint, [op](beast::error_code e) {
      op->ec = e;
      op->done = true;
    });
    if ((ec = await(op, deadline))) return {false, 0, "connect: " + ec.message()};

    if constexpr (is_tls<Stream>) {
      op = std::make_shared<op_state>();
      s.next_layer().async_handshake(ssl::stream_base::client, [op](beast::error_code e) {
        op->ec = e;
        op->done = true;
      });
      if ((ec = await(op, deadline))) return {false, 0, "TLS handshake: " + ec.message()};
    }

    s.set_option(websocket::stream_base::decorator([origin = options.origin](websocket::request_type& req) {
      req.set(http::field::user_agent, "kelisim-test");
      if (origin) req.set(http::field::origin, *origin);
    }));
    // One frame per message, as written: abuse tests count on the frame they send.
    s.auto_fragment(false);
    s.read_message_max(64u * 1024 * 1024);
    websocket::response_type response;
    op = std::make_shared<op_state>();
    s.async_handshake(response, host + ":" + std::to_string(port), options.target, [op](beast::error_code e) {
      op->ec = e;
      op->done = true;
    });
    ec = await(op, deadline);
    result.http_status = static_cast<int>(response.result_int());
    if (ec) {
      result.error = "WebSocket upgrade: " + ec.message();
      return result;
    }
    // From here on each call brings its own deadline.
    lowest.expires_never();
    result.ok = true;
    open = true;
    start_read();
    return result;
  }

  void start_read() {
    reading = true;
    with_ws([this](auto& s) {
      s.async_read(buffer, [this, &s](beast::error_code ec, std::size_t) { on_read(s, ec); });
    });
  }

  template <class Stream>
  void on_read(Stream& s, beast::error_code ec) {
    reading = false;
    if (ec) {
      open = false;
      ended.closed = true;
      if (ec == websocket::error::closed) {
        ended.code = static_cast<int>(s.reason().code);
        ended.reason = std::string(s.reason().reason.data(), s.reason().reason.size());
      } else if (ended.error.empty()) {
        ended.error = ec.message();
        // A close frame may have been received before a transport error.
        if (s.reason().code != websocket::close_code::none) {
          ended.code = static_cast<int>(s.reason().code);
          ended.reason = std::string(s.reason().reason.data(), s.reason().reason.size());
        }
      }
      return;
    }
    ws_frame frame;
    frame.data = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    frame.text = s.got_text();
    frame.parsed = json::parse(frame.data, nullptr, /*allow_exceptions=*/false);
    log.push_back(std::move(frame));
    start_read();
  }

  std::error_code write_message(std::string_view data, bool text) {
    if (!open) return beast::error_code(net::error::not_connected);
    auto op = std::make_shared<op_state>();
    with_ws([&](auto& s) {
      s.text(text);
      s.async_write(net::buffer(data.data(), data.size()), [op](beast::error_code e, std::size_t) {
        op->ec = e;
        op->done = true;
      });
    });
    return await(op, deadline_in(std::nullopt));
  }

  // Synchronous on purpose: while an asynchronous raw write was pending, the WebSocket read could
  // receive the server's close and write its own reply (or a TLS shutdown) to the same stream — two
  // writes at once. A blocking write finishes before the read loop can run again. The payloads are
  // small (≤ 70 KiB) and fit in loopback socket buffers even if the server stops reading.
  std::error_code write_raw(std::string_view bytes) {
    if (!has_stream()) return beast::error_code(net::error::not_connected);
    beast::error_code ec;
    with_ws([&](auto& s) { net::write(s.next_layer(), net::buffer(bytes.data(), bytes.size()), ec); });
    return ec;
  }

  std::string dump(std::size_t from) const {
    std::ostringstream out;
    out << describe() << ": " << log.size() << " frames";
    if (from < log.size()) out << " (showing from #" << from << ")";
    out << "\n";
    const std::size_t first = std::max(from, log.size() > 60 ? log.size() - 60 : std::size_t{0});
    for (std::size_t i = first; i < log.size(); ++i)
      out << "  #" << i << (log[i].text ? " " : " [binary] ") << shorten(log[i].data) << "\n";
    if (ended.closed)
      out << "  closed: code " << ended.code << " reason '" << ended.reason << "' error '" << ended.error << "'\n";
    return out.str();
  }
};

ws_client::ws_client(std::string host, std::uint16_t port, ws_options options)
    : impl_(std::make_unique<impl>(std::move(host), port, std::move(options))) {}
ws_client::~ws_client() = default;
ws_client::ws_client(ws_client&&) noexcept = default;
ws_client& ws_client::operator=(ws_client&&) noexcept = default;

upgrade_result ws_client::try_connect() {
  auto& m = *impl_;
  if (m.has_stream()) throw std::logic_error(m.describe() + ": connect twice");
  if (m.options.tls) {
    auto s = std::make_unique<tls_ws>(m.io, m.tls_context);
    auto& ref = *s;
    m.ws = std::move(s);
    return m.open_stream(ref);
  }
  auto s = std::make_unique<plain_ws>(m.io);
  auto& ref = *s;
  m.ws = std::move(s);
  return m.open_stream(ref);
}

void ws_client::connect() {
  const auto result = try_connect();
  if (!result.ok)
    throw std::runtime_error(impl_->describe() + ": " + result.error + " (HTTP " +
                             std::to_string(result.http_status) + ")");
}

std::error_code ws_client::try_send_text(std::string_view text) { return impl_->write_message(text, true); }
std::error_code ws_client::try_send_binary(std::string_view data) { return impl_->write_message(data, false); }

void ws_client::send_text(std::string_view text) {
  if (const auto ec = try_send_text(text))
    throw std::runtime_error(impl_->describe() + ": send failed: " + ec.message() + "\n" + dump());
}
void ws_client::send_binary(std::string_view data) {
  if (const auto ec = try_send_binary(data))
    throw std::runtime_error(impl_->describe() + ": send failed: " + ec.message() + "\n" + dump());
}
void ws_client::send_json(const json& message) { send_text(message.dump()); }
std::error_code ws_client::send_raw(std::string_view bytes) { return impl_->write_raw(bytes); }

std::string ws_client::masked_frame(ws_opcode opcode, std::string_view payload, bool fin) {
  std::string frame;
  frame.push_back(static_cast<char>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(opcode)));
  const std::uint64_t n = payload.size();
  if (n < 126) {
    frame.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xffff) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>((n >> 8) & 0xff));
    frame.push_back(static_cast<char>(n & 0xff));
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) frame.push_back(static_cast<char>((n >> shift) & 0xff));
  }
  const std::array<std::uint8_t, 4> mask{0x37, 0xfa, 0x21, 0x3d};
  for (const auto b : mask) frame.push_back(static_cast<char>(b));
  for (std::size_t i = 0; i < payload.size(); ++i)
    frame.push_back(static_cast<char>(static_cast<std::uint8_t>(payload[i]) ^ mask[i % 4]));
  return frame;
}

void ws_client::hello(const std::string& token, std::optional<std::int64_t> resume_after, int v) {
  json h = {{"type", "hello"}, {"v", v}, {"token", token}};
  if (resume_after) h["resume_after"] = *resume_after;
  send_json(h);
}

json ws_client::join(const std::string& token, std::optional<std::int64_t> resume_after) {
  const auto from = frame_count();
  hello(token, resume_after);
  json answer = wait_for(
      [](const json& f) { return text_of(f, "type") == "welcome" || text_of(f, "type") == "error"; }, from);
  if (text_of(answer, "type") != "welcome")
    throw std::runtime_error(impl_->describe() + ": hello refused: " + answer.dump());
  return answer;
}

std::string ws_client::send_command(std::string_view type, json fields, std::string id) {
  if (id.empty()) id = impl_->id_prefix + std::to_string(impl_->next_id++);
  if (!fields.is_object()) throw std::logic_error("send_command: fields must be an object");
  fields["type"] = std::string(type);
  fields["id"] = id;
  send_json(fields);
  return id;
}

json ws_client::wait_answer(const std::string& id, std::size_t from) {
  return wait_for(
      [&id](const json& f) {
        const auto type = text_of(f, "type");
        return (type == "ack" || type == "error") && f.contains("id") && f["id"] == id;
      },
      from);
}

json ws_client::request(std::string_view type, json fields, std::string id) {
  const auto from = frame_count();
  id = send_command(type, std::move(fields), std::move(id));
  return wait_answer(id, from);
}

std::int64_t ws_client::ok(std::string_view type, json fields, std::string id) {
  const json sent = fields;
  json answer = request(type, std::move(fields), std::move(id));
  if (text_of(answer, "type") != "ack" || !answer.contains("seq") || !answer["seq"].is_number_integer())
    throw std::runtime_error(impl_->describe() + ": command " + std::string(type) + " " + sent.dump() +
                             " was not acked: " + answer.dump());
  return answer["seq"].get<std::int64_t>();
}

json ws_client::refused(std::string_view type, json fields, std::string id) {
  const json sent = fields;
  json answer = request(type, std::move(fields), std::move(id));
  if (text_of(answer, "type") != "error")
    throw std::runtime_error(impl_->describe() + ": command " + std::string(type) + " " + sent.dump() +
                             " was expected to be refused, got: " + answer.dump());
  return answer;
}

std::optional<json> ws_client::next(std::optional<std::chrono::milliseconds> timeout) {
  auto& m = *impl_;
  m.pump_until([&] { return m.cursor < m.log.size() || !m.open; }, m.deadline_in(timeout));
  if (m.cursor >= m.log.size()) return std::nullopt;
  return m.log[m.cursor++].parsed;
}

std::vector<json> ws_client::receive_until(const std::function<bool(const json&)>& pred,
                                           std::optional<std::chrono::milliseconds> timeout) {
  auto& m = *impl_;
  const auto start = m.cursor;
  const auto deadline = m.deadline_in(timeout);
  std::vector<json> out;
  for (;;) {
    while (m.cursor < m.log.size()) {
      out.push_back(m.log[m.cursor++].parsed);
      if (pred(out.back())) return out;
    }
    if (!m.pump_until([&] { return m.cursor < m.log.size() || !m.open; }, deadline) || m.cursor >= m.log.size())
      throw std::runtime_error(m.describe() + ": receive_until: no matching frame " +
                               (m.open ? "before the deadline" : "before the connection ended") + "\n" +
                               m.dump(start));
  }
}

json ws_client::wait_for(const std::function<bool(const json&)>& pred, std::size_t from,
                         std::optional<std::chrono::milliseconds> timeout) {
  auto& m = *impl_;
  const auto deadline = m.deadline_in(timeout);
  std::size_t scanned = from;
  for (;;) {
    for (; scanned < m.log.size(); ++scanned)
      if (pred(m.log[scanned].parsed)) return m.log[scanned].parsed;
    if (!m.pump_until([&] { return scanned < m.log.size() || !m.open; }, deadline) || scanned >= m.log.size())
      throw std::runtime_error(m.describe() + ": wait_for: no matching frame " +
                               (m.open ? "before the deadline" : "before the connection ended") + "\n" +
                               m.dump(from));
  }
}

json ws_client::wait_event(std::string_view kind, std::size_t from, const std::function<bool(const json&)>& also,
                           std::optional<std::chrono::milliseconds> timeout) {
  const std::string k(kind);
  return wait_for(
      [&](const json& f) {
        return text_of(f, "type") == "event" && text_of(f, "kind") == k && (!also || also(f));
      },
      from, timeout);
}

void ws_client::poll() {
  auto& m = *impl_;
  if (m.io.stopped()) m.io.restart();
  m.io.poll();
}

bool ws_client::await_frame_count(std::size_t count, std::chrono::milliseconds timeout) {
  auto& m = *impl_;
  m.pump_until([&] { return m.log.size() >= count || !m.open; }, clock_type::now() + timeout);
  return m.log.size() >= count;
}

close_info ws_client::wait_closed(std::optional<std::chrono::milliseconds> timeout) {
  auto& m = *impl_;
  m.pump_until([&] { return !m.open && !m.reading; }, m.deadline_in(timeout));
  return m.ended;
}

void ws_client::expect_close(int code, std::optional<std::chrono::milliseconds> timeout) {
  const auto how = wait_closed(timeout);
  if (!how.closed || how.code != code)
    throw std::runtime_error(impl_->describe() + ": expected close code " + std::to_string(code) + ", got " +
                             (how.closed ? "code " + std::to_string(how.code) + " ('" + how.reason +
                                               "', error '" + how.error + "')"
                                         : std::string("no close before the deadline")) +
                             "\n" + dump());
}

void ws_client::close(int code) {
  auto& m = *impl_;
  if (!m.open) return;
  auto op = std::make_shared<op_state>();
  m.with_ws([&](auto& s) {
    s.async_close(websocket::close_reason(static_cast<std::uint16_t>(code)), [op](beast::error_code e) {
      op->ec = e;
      op->done = true;
    });
  });
  m.await(op, m.deadline_in(std::nullopt));
  m.pump_until([&] { return !m.reading; }, m.deadline_in(std::nullopt));
  m.open = false;
  m.ended.closed = true;
}

void ws_client::drop() {
  auto& m = *impl_;
  m.abort_connection("dropped by the client");
  m.pump_until([&] { return !m.reading; }, m.deadline_in(std::nullopt));
}

bool ws_client::is_open() const noexcept { return impl_->open; }
const close_info& ws_client::closed() const noexcept { return impl_->ended; }
std::size_t ws_client::frame_count() const noexcept { return impl_->log.size(); }
std::size_t ws_client::cursor() const noexcept { return impl_->cursor; }
void ws_client::set_cursor(std::size_t index) { impl_->cursor = std::min(index, impl_->log.size()); }
const std::vector<ws_frame>& ws_client::log() const noexcept { return impl_->log; }

std::vector<std::string> ws_client::raw_log() const {
  std::vector<std::string> out;
  out.reserve(impl_->log.size());
  for (const auto& f : impl_->log) out.push_back(f.data);
  return out;
}

std::vector<json> ws_client::frames(std::size_t from) const {
  std::vector<json> out;
  for (std::size_t i = from; i < impl_->log.size(); ++i)
    if (!impl_->log[i].parsed.is_discarded()) out.push_back(impl_->log[i].parsed);
  return out;
}

std::vector<json> ws_client::events(std::size_t from) const {
  std::vector<json> out;
  for (std::size_t i = from; i < impl_->log.size(); ++i) {
    const auto& f = impl_->log[i].parsed;
    if (f.is_object() && text_of(f, "type") == "event") out.push_back(f);
  }
  return out;
}

std::string ws_client::dump(std::size_t from) const { return impl_->dump(from); }
const std::string& ws_client::host() const noexcept { return impl_->host; }
std::uint16_t ws_client::port() const noexcept { return impl_->port; }

std::string text_of(const json& frame, std::string_view key) {
  if (!frame.is_object()) return {};
  const auto it = frame.find(key);
  if (it == frame.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::function<bool(const json&)> is_type(std::string type) {
  return [type = std::move(type)](const json& f) { return f.is_object() && text_of(f, "type") == type; };
}

std::function<bool(const json&)> is_event(std::string kind) {
  return [kind = std::move(kind)](const json& f) {
    return f.is_object() && text_of(f, "type") == "event" && text_of(f, "kind") == kind;
  };
}

}  // namespace kelisim::test
