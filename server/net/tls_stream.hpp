#pragma once
// TLS on the socket itself: OpenSSL reads and writes the descriptor through a small BIO of ours
// (non-blocking recv/send), and an operation that would block waits for readiness with
// async_wait. Asio's ssl::stream joins OpenSSL to the socket through a BIO pair instead: every
// record is copied once more, and each connection holds two 17 KiB record buffers for its whole
// life. Here OpenSSL's own buffers are all there is, and SSL_MODE_RELEASE_BUFFERS frees them
// between records — an idle connection keeps only OpenSSL's state. Nothing ties the stream to an
// io thread, so a TLS WebSocket can move to its room's thread as a plain one does.
//
// A stream for Beast's HTTP reads and writes (AsyncReadStream, AsyncWriteStream) with
// beast::tcp_stream's deadlines (expires_after, expires_never: an operation still waiting when
// the time is up fails with beast::error::timeout). One read and one write may be in flight at
// once, on the stream's io thread.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>

#include "net/beast.hpp"

namespace kelisim::net {

class tls_stream {
 public:
  using executor_type = asio::any_io_executor;

  // A server side of TLS on socket; early_bytes were read from it before (TLS detection) and
  // are the first the handshake sees.
  tls_stream(tcp::socket socket, SSL_CTX* context, std::string_view early_bytes);
  tls_stream(tls_stream&&) noexcept = default;
  tls_stream& operator=(tls_stream&&) noexcept = default;
  ~tls_stream();

  executor_type get_executor();
  tcp::socket& socket();

  void expires_after(std::chrono::steady_clock::duration timeout);
  void expires_never();

  // Re-registers the socket with another io thread's context; no operation may be pending.
  // False if the stream stays where it is.
  bool move_to(const asio::any_io_executor& home);

  template <class Token>
  auto async_handshake(Token&& token) {
    return start<false>(std::forward<Token>(token), [](SSL* ssl, std::size_t&) { return SSL_do_handshake(ssl); });
  }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    const auto into = first_nonempty<asio::mutable_buffer>(buffers);
    return start<true>(std::forward<Token>(token), [into](SSL* ssl, std::size_t& bytes) {
      if (into.size() == 0) return 1;
      return SSL_read_ex(ssl, into.data(), into.size(), &bytes);
    });
  }

  // Writes one record: a run of small buffers (frame headers, chat lines) is gathered into it
  // rather than sent as a record each.
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    const auto record = beast::buffers_prefix(max_record_bytes, buffers);
    auto from = first_nonempty<asio::const_buffer>(record);
    std::string gathered;
    if (from.size() < asio::buffer_size(record)) {
      gathered.resize(asio::buffer_size(record));
      asio::buffer_copy(asio::buffer(gathered), record);
      from = asio::buffer(gathered);
    }
    return start<true>(std::forward<Token>(token),
                       [from, gathered = std::move(gathered)](SSL* ssl, std::size_t& bytes) {
                         if (from.size() == 0) return 1;
                         // With SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER a retry may pass gathered's new address.
                         const void* data = gathered.empty() ? from.data() : gathered.data();
                         return SSL_write_ex(ssl, data, from.size(), &bytes);
                       });
  }

  // Sends close_notify and waits for the peer's.
  template <class Token>
  auto async_shutdown(Token&& token) {
    return start<false>(std::forward<Token>(token), [](SSL* ssl, std::size_t&) {
      const int sent = SSL_shutdown(ssl);
      return sent == 0 ? SSL_shutdown(ssl) : sent;
    });
  }

  // The stream's state on the heap, where OpenSSL's BIO and the deadline's handler find it
  // however often the stream moves.
  struct core;

 private:
  static constexpr std::size_t max_record_bytes = 16 * 1024;

  enum class want { nothing, read, write };

  // One OpenSSL call at a time until it no longer waits for the socket. Reads and writes
  // complete with (error, bytes), the handshake and the shutdown with (error) alone.
  template <class Step, bool Counted>
  class operation;

  template <class Buffer, class Buffers>
  static Buffer first_nonempty(const Buffers& buffers) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it)
      if (asio::buffer_size(*it) > 0) return Buffer(*it);
    return Buffer();
  }

  template <bool Counted, class Token, class Step>
  auto start(Token&& token, Step step);

  std::shared_ptr<core> core_;
};

struct tls_stream::core {
  explicit core(tcp::socket s) : socket(std::move(s)) {}
  ~core();
  core(const core&) = delete;
  core& operator=(const core&) = delete;

  // What the OpenSSL call that returned result waits for; ec is set when it failed for good.
  want settle(int result, beast::error_code& ec);
  // The error of an operation whose wait for the socket ended with ec.
  beast::error_code waited(beast::error_code ec) const;

  tcp::socket socket;
  SSL* ssl = nullptr;
  std::string early;          // read before the handshake; the BIO hands these out first
  int socket_errno = 0;       // the BIO's last failed recv/send, for SSL_ERROR_SYSCALL
  std::optional<asio::steady_timer> deadline;  // only while a deadline is set (HTTP)
  bool timed_out = false;
};

inline tls_stream::executor_type tls_stream::get_executor() { return core_->socket.get_executor(); }
inline tcp::socket& tls_stream::socket() { return core_->socket; }

template <class Step, bool Counted>
class tls_stream::operation {
 public:
  operation(core* c, Step step) : core_(c), step_(std::move(step)) {}

  template <class Self>
  void operator()(Self& self, beast::error_code ec = {}) {
    if (finishing_) return complete(self, result_, bytes_);
    if (ec) return finish(self, core_->waited(ec), 0);
    if (!waited_ && core_->timed_out) return finish(self, beast::error::timeout, 0);
    if (core_->ssl == nullptr) return finish(self, asio::error::no_memory, 0);
    ERR_clear_error();
    core_->socket_errno = 0;
    std::size_t bytes = 0;
    const int result = step_(core_->ssl, bytes);
    beast::error_code failure;
    const want next = core_->settle(result, failure);
    if (next == want::nothing) return finish(self, failure, failure ? 0 : bytes);
    waited_ = true;
    core_->socket.async_wait(next == want::read ? tcp::socket::wait_read : tcp::socket::wait_write,
                             std::move(self));
  }

 private:
  template <class Self>
  void finish(Self& self, beast::error_code ec, std::size_t bytes) {
    if (waited_) return complete(self, ec, bytes);
    // Never complete inside the initiating call: a reader looping over buffered records would
    // recurse without bound.
    finishing_ = true;
    result_ = ec;
    bytes_ = bytes;
    asio::post(std::move(self));
  }

  template <class Self>
  static void complete(Self& self, beast::error_code ec, std::size_t bytes) {
    if constexpr (Counted)
      self.complete(ec, bytes);
    else
      self.complete(ec);
  }

  core* core_;  // the caller keeps the stream, unmoved, until the operation completes
  Step step_;
  bool waited_ = false;
  bool finishing_ = false;
  beast::error_code result_;
  std::size_t bytes_ = 0;
};

template <bool Counted, class Token, class Step>
auto tls_stream::start(Token&& token, Step step) {
  using signature = std::conditional_t<Counted, void(beast::error_code, std::size_t), void(beast::error_code)>;
  return asio::async_compose<Token, signature>(operation<Step, Counted>{core_.get(), std::move(step)}, token,
                                               core_->socket);
}

}  // namespace kelisim::net
