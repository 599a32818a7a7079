#pragma once
// One WebSocket connection speaking protocol v1: waits for hello, checks the invite token,
// joins the room, then forwards commands to the room host under a rate limit.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "app/token_bucket.hpp"
#include "net/application.hpp"
#include "protocol/messages.hpp"

namespace kelisim::app {

class room_host;
struct services;

class participant_connection : public net::link_handler,
                               public std::enable_shared_from_this<participant_connection> {
 public:
  participant_connection(std::shared_ptr<net::client_link> link, services& svc);

  void on_text(std::string text) override;
  void on_closed() override;

  // Used by the room host (any thread; the link posts to its own io thread).
  const protocol::participant_id& participant() const noexcept { return participant_; }
  // Refused, or the socket is gone: nothing more is delivered to it.
  bool closing() const noexcept { return closing_.load(); }
  void deliver(std::shared_ptr<std::string const> frame) {
    if (auto link = link_.lock()) link->send(std::move(frame));
  }
  // `then` runs (on the connection's io thread) once what was delivered so far is written out.
  void when_delivered(std::function<void()> then) {
    if (auto link = link_.lock()) link->when_sent(std::move(then));
  }
  void answer_error(std::optional<std::string> command_id, protocol::error_code code,
                    std::string message, std::optional<std::string> field = std::nullopt);
  void refuse_and_close(protocol::error_code code, std::string message);
  void close(std::uint16_t code, std::string reason) {
    if (auto link = link_.lock()) link->close(code, std::move(reason));
  }

 private:
  void on_hello(const protocol::hello& hello);
  void check_token(const protocol::hello& hello);
  bool within_rate_limit();

  // Weak: the transport's session owns this handler, so a strong pointer back would be a cycle.
  // Once the socket is gone, deliveries to it are simply dropped.
  std::weak_ptr<net::client_link> link_;
  std::string remote_address_;
  services& services_;
  protocol::participant_id participant_;
  std::shared_ptr<room_host> room_;
  bool greeted_ = false;
  // Atomic: the room refuses (refuse_and_close) from its own io thread, which is not this
  // connection's until the connection has moved there, and TLS connections never move.
  std::atomic<bool> closing_{false};

  // Commands per second (services' limits); sustained abuse closes the socket.
  token_bucket commands_;
  int refusals_in_a_row_ = 0;
};

}  // namespace kelisim::app
