#pragma once
// The administrator's HTTP(S) client for tests: one connection per request, a deadline on each,
// TLS without verification (the test certificate is self-signed). The typed helpers add the
// bearer token and throw std::runtime_error (status + body) when the server answers otherwise
// than expected; `raw` sends exactly what it is given, for error-status tests.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace kelisim::test {

using json = nlohmann::json;

struct http_response {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names

  std::string header(const std::string& lower_case_name) const;
  // The body as JSON; discarded (is_discarded()) when it is not JSON.
  json json_body() const;
  std::string describe() const;  // "HTTP 404: {...}"
};

struct http_request {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::map<std::string, std::string> headers;  // sent as given (Host is added when missing)
};

class admin_client {
 public:
  admin_client(std::string host, std::uint16_t port, std::string admin_token, bool tls = true,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Exactly this request: no token added.
  http_response raw(const http_request& request) const;
  // With "Authorization: Bearer <token>" and, when there is a body, "Content-Type: application/json".
  http_response send(const std::string& method, const std::string& target, const std::string& body = {}) const;
  http_response send(const std::string& method, const std::string& target, const json& body) const;

  // POST /api/rooms -> 201 {id, ...}. `extra` adds fields (turn_mode, turn_seconds, rules).
  json create_room(const std::string& title, const std::string& language = "en", json extra = json::object()) const;
  // POST /api/rooms/{room}/invites -> 201 {invite_id, token, url, ...}.
  json issue_invite(const std::string& room, const std::string& role, const std::string& name,
                    std::optional<std::string> side = std::nullopt) const;
  // DELETE /api/rooms/{room}/invites/{invite} (204 expected by callers; not checked here).
  http_response revoke_invite(const std::string& room, const std::string& invite_id) const;
  // POST /api/rooms/{room}/close.
  http_response close_room(const std::string& room) const;
  // GET /api/rooms/{room}/transcript?format=..&scope=..
  http_response transcript(const std::string& room, const std::string& format = "json",
                           const std::string& scope = "all") const;
  http_response list_rooms() const;
  http_response get_room(const std::string& room) const;
  http_response list_invites(const std::string& room) const;

  const std::string& token() const noexcept { return token_; }
  std::uint16_t port() const noexcept { return port_; }

 private:
  std::string host_;
  std::uint16_t port_;
  std::string token_;
  bool tls_;
  std::chrono::milliseconds timeout_;
};

}  // namespace kelisim::test
