#include "app/participant_connection.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "app/clock.hpp"
#include "app/metrics.hpp"
#include "app/refusal_limiter.hpp"
#include "app/room_host.hpp"
#include "app/room_registry.hpp"
#include "app/services.hpp"
#include "protocol/codec.hpp"

namespace kelisim::app {

using protocol::error_code;

namespace {
// WebSocket close codes used here (RFC 6455): policy violation for auth and abuse.
constexpr std::uint16_t close_policy = 1008;
}  // namespace

participant_connection::participant_connection(std::shared_ptr<net::client_link> link,
                                               services& svc)
    : link_(link),
      remote_address_(link->remote_address()),
      services_(svc),
      commands_(svc.connection_limits.command_burst, svc.connection_limits.commands_per_second,
                token_bucket::clock::now()) {}

void participant_connection::answer_error(std::optional<std::string> command_id, error_code code,
                                          std::string message, std::optional<std::string> field) {
  services_.counters.error_sent(protocol::to_string(code));
  deliver(std::make_shared<std::string const>(
      protocol::encode(protocol::error{std::move(command_id), code, std::move(message),
                                       std::move(field)})));
}

void participant_connection::refuse_and_close(error_code code, std::string message) {
  closing_ = true;
  answer_error(std::nullopt, code, message);
  close(close_policy, std::string(protocol::to_string(code)));
}

void participant_connection::on_text(std::string text) {
  if (closing_) return;
  auto decoded = protocol::decode_client(text);
  if (auto* refusal = std::get_if<protocol::decode_error>(&decoded)) {
    if (!greeted_) return refuse_and_close(refusal->code, refusal->message);
    return answer_error(refusal->id, refusal->code, refusal->message, refusal->field);
  }
  auto& message = std::get<protocol::client_message>(decoded);
  if (auto* hello = std::get_if<protocol::hello>(&message)) {
    if (greeted_) return answer_error(std::nullopt, error_code::bad_message, "hello was already said");
    return on_hello(*hello);
  }
  auto& command = std::get<protocol::command_message>(message);
  if (!greeted_) return refuse_and_close(error_code::bad_message, "the first message must be hello");
  if (!within_rate_limit()) {
    if (++refusals_in_a_row_ >= services_.connection_limits.refusals_before_close)
      return refuse_and_close(error_code::rate_limited, "too many commands; slow down");
    return answer_error(command.id, error_code::rate_limited, "too many commands; slow down");
  }
  refusals_in_a_row_ = 0;
  services_.counters.command_received(protocol::command_name(command.body));
  room_->submit(shared_from_this(), std::move(command.id), std::move(command.body));
}

void participant_connection::on_hello(const protocol::hello& hello) {
  greeted_ = true;
  if (hello.v != protocol::protocol_version)
    return refuse_and_close(error_code::unsupported_version, "this server speaks protocol v1");

  try {
    check_token(hello);
  } catch (const std::exception& failure) {
    // The store could not answer (disk trouble): refuse this hello, keep the server up.
    spdlog::error("hello from {}: {}", remote_address_, failure.what());
    refuse_and_close(error_code::internal, "the server cannot check invitations right now");
  }
}

void participant_connection::check_token(const protocol::hello& hello) {
  auto refuse = [&](error_code code, const std::string& room, const std::string& why) {
    // A refusal is audited — who (if known), what, when, from where; never the token — unless
    // its address is past the audit limit (refusal_limiter): then it is only counted.
    if (const auto limited = services_.refusals.refused(remote_address_); limited.audit)
      services_.store.audit({now_ms(), participant_.empty() ? "anonymous" : participant_, "token_refused", room,
                             std::string(protocol::to_string(code)) + ": " + why + not_itemised(limited.left_out),
                             remote_address_});
    refuse_and_close(code, why);
  };

  auto verified = services_.signer.verify(hello.token, now_ms());
  if (auto* code = std::get_if<error_code>(&verified)) {
    return refuse(*code, "",
                  *code == error_code::token_expired ? "this invitation has expired"
                                                     : "this invitation is not valid");
  }
  auto& claims = std::get<auth::invite_claims>(verified);
  const auto invite = services_.store.find_invite(claims.invite_id);
  if (!invite || invite->room != claims.room)
    return refuse(error_code::unauthorized, claims.room, "this invitation is not valid here");
  participant_ = claims.invite_id;
  if (invite->revoked_at)
    return refuse(error_code::token_revoked, claims.room, "this invitation was withdrawn");
  room_ = services_.rooms.find(claims.room);
  if (!room_) return refuse(error_code::unauthorized, claims.room, "this room does not exist");

  if (auto link = link_.lock()) link->authenticated(room_->home());
  room_->attach(shared_from_this(), std::move(claims), hello.resume_after);
}

bool participant_connection::within_rate_limit() { return commands_.take(token_bucket::clock::now()); }

void participant_connection::on_closed() {
  closing_ = true;
  if (room_) room_->detach(shared_from_this());
}

}  // namespace kelisim::app
