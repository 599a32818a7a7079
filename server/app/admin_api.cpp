#include "app/admin_api.hpp"

#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include "app/clock.hpp"
#include "app/default_rules.hpp"
#include "app/http_reply.hpp"
#include "app/invites.hpp"
#include "app/metrics.hpp"
#include "app/refusal_limiter.hpp"
#include "app/room_json.hpp"
#include "app/room_registry.hpp"
#include "app/transcript_export.hpp"
#include "protocol/codec.hpp"
#include "protocol/text.hpp"

namespace kelisim::app {

namespace http = net::http;
using nlohmann::json;

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) parts.emplace_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

// A string field: absent -> fallback; present but wrong -> nullopt.
std::optional<std::string> text_field(const json& body, const char* name, std::size_t max_points,
                                      std::string fallback, bool required) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required) return std::nullopt;
    return fallback;
  }
  if (!it->is_string()) return std::nullopt;
  auto value = it->get<std::string>();
  if (protocol::code_points(value) > max_points) return std::nullopt;
  if (required && value.empty()) return std::nullopt;
  return value;
}

bool is_side_name(std::string_view side) {
  return !side.empty() && side.size() <= 64 &&
         std::all_of(side.begin(), side.end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
}

json invite_json(const store::invite_record& invite) {
  return {{"invite_id", invite.invite_id},
          {"room", invite.room},
          {"role", protocol::to_string(invite.as)},
          {"name", invite.name},
          {"side", invite.side ? json(*invite.side) : json(nullptr)},
          {"created_at", protocol::format_timestamp(invite.created_at)},
          {"expires_at", protocol::format_timestamp(invite.expires_at)},
          {"revoked", invite.revoked_at.has_value()}};
}

// One request being answered: holds what every route needs and how to reply.
class api_call : public std::enable_shared_from_this<api_call> {
 public:
  api_call(services& svc, http_request request, net::request_info info, net::respond_fn respond)
      : services_(svc), request_(std::move(request)), info_(std::move(info)),
        respond_(std::move(respond)) {}

  void route();
  void internal_error() { fail(http::status::internal_server_error, "internal", "the server could not complete this"); }

 private:
  void send(http_response response) { respond_(std::move(response)); }
  void fail(http::status status, std::string_view code, std::string_view message) {
    send(reply_error(request_, status, code, message));
  }
  // Past the audit limit for refused tokens (refusal_limiter): answered, not written down.
  void refuse_for_a_while() {
    auto response = reply_error(request_, http::status::too_many_requests, "rate_limited",
                                "too many refused requests from this address; try again later");
    response.set(http::field::retry_after, std::to_string(services_.refusals.refill_seconds()));
    send(std::move(response));
  }
  void audit(std::string action, const std::string& room, std::string detail) {
    services_.store.audit({now_ms(), "admin", std::move(action), room, std::move(detail),
                           info_.remote_address});
  }
  // 400 invalid_field naming the field at fault, as the WebSocket errors do.
  void invalid(std::string_view field, std::string_view message) {
    json body{{"code", "invalid_field"}, {"message", message}, {"field", field}};
    send(reply_json(request_, http::status::bad_request, body));
  }
  std::optional<json> json_body();

  void create_room();
  void list_rooms();
  void show_room(const std::string& id);
  void issue_invite(const std::string& id);
  void list_invites(const std::string& id);
  void revoke_invite(const std::string& id, const std::string& invite_id);
  void transcript(const std::string& id, const boost::urls::params_view& query);
  void close_room(const std::string& id);

  services& services_;
  http_request request_;
  net::request_info info_;
  net::respond_fn respond_;
};

std::optional<json> api_call::json_body() {
  auto body = json::parse(request_.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    fail(http::status::bad_request, "bad_message", "the body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

void api_call::route() {
  const auto target = boost::urls::parse_origin_form(request_.target());
  if (!target) return fail(http::status::bad_request, "bad_message", "unreadable request target");
  const auto path = split_path(target->encoded_path());
  const auto method = request_.method();

  if (path.size() == 1 && path[0] == "healthz") {
    return send(reply_json(request_, http::status::ok,
                           {{"status", "ok"}, {"version", "0.1.0"},
                            {"rooms", services_.rooms.all().size()}}));
  }
  if (path.size() == 1 && path[0] == "metrics") {
    return send(reply(request_, http::status::ok,
                      services_.counters.render(services_.transport, services_.store.stats(),
                                                services_.refusals.left_out_total()),
                      "text/plain; version=0.0.4; charset=utf-8"));
  }
  if (path.empty() || path[0] != "api") return fail(http::status::not_found, "not_found", "no such resource");

  const auto auth = request_[http::field::authorization];
  constexpr std::string_view bearer = "Bearer ";
  if (!auth.starts_with(bearer) ||
      !auth::equal_secrets(auth.substr(bearer.size()), services_.admin_token)) {
    const auto limited = services_.refusals.refused(info_.remote_address);
    if (!limited.audit) return refuse_for_a_while();
    services_.store.audit({now_ms(), "anonymous", "admin_refused", "",
                           "bad or missing admin token" + not_itemised(limited.left_out), info_.remote_address});
    return fail(http::status::unauthorized, "unauthorized", "a valid admin token is required");
  }

  // /api/rooms[/{id}[/invites[/{invite}] | /transcript | /close]]
  if (path.size() < 2 || path[1] != "rooms") return fail(http::status::not_found, "not_found", "no such resource");
  auto wrong_method = [&] { fail(http::status::method_not_allowed, "bad_message", "method not allowed"); };
  if (path.size() == 2) {
    if (method == http::verb::post) return create_room();
    if (method == http::verb::get) return list_rooms();
    return wrong_method();
  }
  const std::string room_id(path[2]);
  if (!services_.rooms.find(room_id)) return fail(http::status::not_found, "not_found", "no such room");
  if (path.size() == 3) return method == http::verb::get ? show_room(room_id) : wrong_method();
  if (path[3] == "invites" && path.size() == 4) {
    if (method == http::verb::post) return issue_invite(room_id);
    if (method == http::verb::get) return list_invites(room_id);
    return wrong_method();
  }
  if (path[3] == "invites" && path.size() == 5)
    return method == http::verb::delete_ ? revoke_invite(room_id, std::string(path[4])) : wrong_method();
  if (path[3] == "transcript" && path.size() == 4)
    return method == http::verb::get ? transcript(room_id, target->params()) : wrong_method();
  if (path[3] == "close" && path.size() == 4)
    return method == http::verb::post ? close_room(room_id) : wrong_method();
  fail(http::status::not_found, "not_found", "no such resource");
}

void api_call::create_room() {
  auto body = json_body();
  if (!body) return;
  protocol::cmd::create_room details;
  const auto title = text_field(*body, "title", protocol::max_title_code_points, "", true);
  if (!title) return invalid("title", "title: 1-200 characters required");
  const auto language = text_field(*body, "language", 2, "", true);
  if (!language || (*language != "kk" && *language != "ru" && *language != "en"))
    return invalid("language", "language must be kk, ru or en");
  const auto mode = text_field(*body, "turn_mode", 16, "open", false);
  const auto parsed_mode = mode ? protocol::turn_mode_from_string(*mode) : std::nullopt;
  if (!parsed_mode) return invalid("turn_mode", "turn_mode must be open, moderated or round");
  int turn_seconds = 0;
  if (const auto it = body->find("turn_seconds"); it != body->end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0 ||
        it->get<std::int64_t>() > protocol::max_turn_seconds)
      return invalid("turn_seconds", "turn_seconds must be 0-3600");
    turn_seconds = it->get<int>();
  }
  const auto rules = text_field(*body, "rules", protocol::max_rules_code_points, "", false);
  if (!rules) return invalid("rules", "rules: at most 8000 characters");
  details = {*title, *language, *parsed_mode, turn_seconds,
             rules->empty() ? std::string(default_rules(*language)) : *rules};

  services_.rooms.create(details, [self = shared_from_this()](
                                      std::shared_ptr<room_host> host,
                                      std::optional<engine::rejection> refused) {
    if (!host) return self->fail(http::status::conflict, "conflict", refused ? refused->reason : "not created");
    self->audit("room_created", host->id(), "");
    self->send(reply_json(self->request_, http::status::created, room_json(host->summary())));
  });
}

void api_call::list_rooms() {
  json rooms = json::array();
  for (const auto& host : services_.rooms.all()) rooms.push_back(room_list_json(host->summary()));
  send(reply_json(request_, http::status::ok, {{"rooms", std::move(rooms)}}));
}

void api_call::show_room(const std::string& id) {
  auto detail = room_json(services_.rooms.find(id)->summary());
  json invites = json::array();
  for (const auto& invite : services_.store.invites(id)) invites.push_back(invite_json(invite));
  detail["invites"] = std::move(invites);
  send(reply_json(request_, http::status::ok, detail));
}

void api_call::issue_invite(const std::string& id) {
  auto body = json_body();
  if (!body) return;
  const auto role_name = text_field(*body, "role", 16, "", true);
  const auto as = role_name ? protocol::role_from_string(*role_name) : std::nullopt;
  if (!as) return invalid("role",
                       "role must be mediator, party, advisor, interpreter or observer");
  const auto name = text_field(*body, "name", protocol::max_name_code_points, "", true);
  if (!name || std::any_of(name->begin(), name->end(), [](char c) {
                 return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
               }))
    return invalid("name", "name: 1-100 characters on one line");
  std::optional<std::string> side;
  if (const auto it = body->find("side"); it != body->end() && !it->is_null()) {
    if (!it->is_string() || !is_side_name(it->get<std::string>()))
      return invalid("side", "side: 1-64 printable ASCII characters");
    side = it->get<std::string>();
  }
  // Parties and advisors belong to a side; mediators, interpreters and observers do not.
  const bool needs_side = *as == protocol::role::party || *as == protocol::role::advisor;
  if (needs_side && !side) return invalid("side", "side is required for parties and advisors");
  if (!needs_side && side) return invalid("side", "only parties and advisors have a side");
  if (services_.rooms.find(id)->summary().snapshot.phase == protocol::room_phase::ended)
    return fail(http::status::conflict, "conflict", "this room has ended");

  auto issued = app::issue_invite(services_, id, *as, *name, side);
  if (!issued) return fail(http::status::conflict, "conflict", "invite id taken");
  auto answer = invite_json(issued->record);
  answer["token"] = issued->token;
  answer["url"] = issued->url;
  send(reply_json(request_, http::status::created, answer));
}

void api_call::list_invites(const std::string& id) {
  json invites = json::array();
  for (const auto& invite : services_.store.invites(id)) invites.push_back(invite_json(invite));
  send(reply_json(request_, http::status::ok, {{"invites", std::move(invites)}}));
}

void api_call::revoke_invite(const std::string& id, const std::string& invite_id) {
  const auto invite = services_.store.find_invite(invite_id);
  if (!invite || invite->room != id) return fail(http::status::not_found, "not_found", "no such invite");
  if (!services_.store.revoke_invite(invite_id, now_ms()))
    return fail(http::status::conflict, "conflict", "this invite was already revoked");
  audit("invite_revoked", id, invite_id);
  // A holder who already joined is removed from the room (and disconnected) by the engine's event.
  auto host = services_.rooms.find(id);
  host->administer(protocol::cmd::revoke_participant{invite_id},
                   [self = shared_from_this()](std::optional<engine::rejection>) {
                     // Never joined or already gone: the revocation alone is enough.
                     self->send(reply(self->request_, http::status::no_content, "", "text/plain"));
                   });
}

void api_call::transcript(const std::string& id, const boost::urls::params_view& query) {
  export_format format = export_format::json;
  export_scope scope;
  for (const auto& param : query) {
    if (param.key == "format") {
      const auto parsed = export_format_from_string(param.value);
      if (!parsed) return invalid("format", "format must be json, text or html");
      format = *parsed;
    } else if (param.key == "scope") {
      if (param.value == "all") scope.kind = export_scope::all;
      else if (param.value == "joint") scope.kind = export_scope::joint;
      else return invalid("scope", "scope must be all or joint");
    } else if (param.key == "participant") {
      scope.kind = export_scope::one_participant;
      scope.participant = param.value;
    }
  }
  const auto record = services_.store.find_room(id);
  if (!record) return fail(http::status::not_found, "not_found", "no such room");
  const auto summary = services_.rooms.find(id)->summary();
  if (scope.kind == export_scope::one_participant &&
      std::none_of(summary.snapshot.participants.begin(), summary.snapshot.participants.end(),
                   [&](const auto& p) { return p.id == scope.participant; }))
    return invalid("participant", "no such participant in this room");
  const auto events = services_.store.events_after(id, 0);
  auto rendered = render_transcript({*record, summary.snapshot}, events, format, scope, now_ms());
  // Exporting is itself on the record.
  audit("export", id, std::string(to_string(format)) + " " + to_string(scope));
  auto response = reply(request_, http::status::ok, std::move(rendered.body), rendered.content_type);
  response.set(http::field::content_disposition, "attachment; filename=\"" + rendered.filename + "\"");
  send(std::move(response));
}

void api_call::close_room(const std::string& id) {
  auto host = services_.rooms.find(id);
  host->administer(protocol::cmd::close_room{}, [self = shared_from_this(), host](
                                                    std::optional<engine::rejection> refused) {
    // Closing an ended room is idempotent; anything else refused is a real conflict.
    if (refused && refused->code != protocol::error_code::room_ended)
      return self->fail(http::status::conflict, protocol::to_string(refused->code), refused->reason);
    if (!refused) self->audit("room_closed", host->id(), "");
    self->send(reply_json(self->request_, http::status::ok, room_json(host->summary())));
  });
}

}  // namespace

void admin_api::handle(http_request request, net::request_info info, net::respond_fn respond) {
  auto call = std::make_shared<api_call>(services_, std::move(request), std::move(info), std::move(respond));
  try {
    call->route();
  } catch (const std::exception& failure) {
    // A store failure (disk, corruption) must not take the server down with it.
    spdlog::error("admin API: {}", failure.what());
    call->internal_error();
  }
}

}  // namespace kelisim::app
