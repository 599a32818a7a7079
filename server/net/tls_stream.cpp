#include "net/tls_stream.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "net/move_socket.hpp"

namespace kelisim::net {

namespace {

using core = tls_stream::core;

core& of(BIO* bio) { return *static_cast<core*>(BIO_get_data(bio)); }

bool would_block(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == EINTR; }

int bio_read(BIO* bio, char* data, std::size_t size, std::size_t* read) {
  BIO_clear_retry_flags(bio);
  auto& c = of(bio);
  if (!c.early.empty()) {
    const std::size_t bytes = std::min(size, c.early.size());
    std::memcpy(data, c.early.data(), bytes);
    c.early.erase(0, bytes);
    if (c.early.empty()) std::string().swap(c.early);
    *read = bytes;
    return 1;
  }
  const ssize_t got = ::recv(c.socket.native_handle(), data, size, MSG_DONTWAIT);
  if (got > 0) {
    *read = static_cast<std::size_t>(got);
    return 1;
  }
  if (got < 0 && would_block(errno)) {
    BIO_set_retry_read(bio);
  } else if (got < 0) {
    c.socket_errno = errno;
  }
  return 0;  // 0 bytes without a retry flag: the peer hung up
}

int bio_write(BIO* bio, const char* data, std::size_t size, std::size_t* written) {
  BIO_clear_retry_flags(bio);
  auto& c = of(bio);
  // MSG_NOSIGNAL: a peer that has gone is an error to report, not a SIGPIPE.
  const ssize_t sent = ::send(c.socket.native_handle(), data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (sent >= 0) {
    *written = static_cast<std::size_t>(sent);
    return 1;
  }
  if (would_block(errno)) {
    BIO_set_retry_write(bio);
  } else {
    c.socket_errno = errno;
  }
  return 0;
}

long bio_control(BIO*, int command, long, void*) {
  // Writes go straight to the socket: there is never anything to flush.
  return command == BIO_CTRL_FLUSH ? 1 : 0;
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

// Made once, kept for the life of the process.
BIO_METHOD* socket_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "kelisim socket");
    if (made == nullptr) return made;
    BIO_meth_set_read_ex(made, bio_read);
    BIO_meth_set_write_ex(made, bio_write);
    BIO_meth_set_ctrl(made, bio_control);
    BIO_meth_set_create(made, bio_create);
    return made;
  }();
  return method;
}

}  // namespace

tls_stream::tls_stream(tcp::socket socket, SSL_CTX* context, std::string_view early_bytes)
    : core_(std::make_shared<core>(std::move(socket))) {
  core_->early.assign(early_bytes);
  BIO_METHOD* method = socket_method();
  SSL* ssl = method != nullptr ? SSL_new(context) : nullptr;
  BIO* bio = ssl != nullptr ? BIO_new(method) : nullptr;
  if (bio == nullptr) {
    // Out of memory: the handshake fails (no_memory) and the connection closes.
    SSL_free(ssl);
    ERR_clear_error();
    return;
  }
  BIO_set_data(bio, core_.get());
  SSL_set_bio(ssl, bio, bio);
  // A write that has to wait is retried with the same bytes, which may have moved (a gathered
  // record lives in the operation); each call writes one record.
  SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_set_accept_state(ssl);
  core_->ssl = ssl;
}

tls_stream::~tls_stream() = default;

tls_stream::core::~core() { SSL_free(ssl); }

void tls_stream::expires_after(std::chrono::steady_clock::duration timeout) {
  auto& c = *core_;
  c.timed_out = false;
  if (!c.deadline) c.deadline.emplace(c.socket.get_executor());
  c.deadline->expires_after(timeout);  // a wait for an earlier deadline ends with operation_aborted
  c.deadline->async_wait([weak = std::weak_ptr<core>(core_)](beast::error_code ec) {
    if (ec) return;
    const auto c = weak.lock();
    // Gone, or given a later deadline after this one had already fired.
    if (!c || !c->deadline || c->deadline->expiry() > std::chrono::steady_clock::now()) return;
    c->timed_out = true;
    beast::error_code ignored;
    c->socket.cancel(ignored);  // the waiting operation ends with beast::error::timeout
  });
}

void tls_stream::expires_never() {
  core_->timed_out = false;
  core_->deadline.reset();
}

bool tls_stream::move_to(const asio::any_io_executor& home) {
  core_->deadline.reset();  // it belongs to the old thread's context
  return move_socket(core_->socket, home);
}

tls_stream::want tls_stream::core::settle(int result, beast::error_code& ec) {
  if (result == 1) return want::nothing;
  switch (SSL_get_error(ssl, result)) {
    case SSL_ERROR_WANT_READ:
      return want::read;
    case SSL_ERROR_WANT_WRITE:
      return want::write;
    case SSL_ERROR_ZERO_RETURN:  // the peer's close_notify
      ec = asio::error::eof;
      break;
    case SSL_ERROR_SYSCALL:
      ec = socket_errno != 0 ? beast::error_code(socket_errno, boost::system::system_category())
                             : beast::error_code(ssl::error::stream_truncated);
      break;
    case SSL_ERROR_SSL: {
      const unsigned long error = ERR_peek_error();
      // OpenSSL 3 reports a hang-up without close_notify this way; Beast's callers know it as
      // stream_truncated.
      ec = ERR_GET_REASON(error) == SSL_R_UNEXPECTED_EOF_WHILE_READING
               ? beast::error_code(ssl::error::stream_truncated)
               : beast::error_code(static_cast<int>(error), asio::error::get_ssl_category());
      break;
    }
    default:
      ec = ssl::error::unspecified_system_error;
  }
  ERR_clear_error();
  return want::nothing;
}

beast::error_code tls_stream::core::waited(beast::error_code ec) const {
  if (ec == asio::error::operation_aborted && timed_out) return beast::error::timeout;
  return ec;
}

}  // namespace kelisim::net
