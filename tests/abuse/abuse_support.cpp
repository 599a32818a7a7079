#include "abuse_support.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace kelisim::abuse {

std::filesystem::path server_binary() {
  if (const char* env = std::getenv("KELISIM_BINARY"); env != nullptr && *env != '\0') return env;
#ifdef KELISIM_BINARY
  return KELISIM_BINARY;
#else
  return "kelisim";
#endif
}

test::server_options server_defaults() {
  test::server_options options;
  options.binary = server_binary();
  options.web_root = std::filesystem::path(KELISIM_SOURCE_DIR) / "web-client";
  // Thousands of refusals would otherwise fill the log; warnings and errors still show.
  options.log_level = "warn";
  return options;
}

invite issue(const server_process& server, const std::string& room, const std::string& role,
             const std::string& name, std::optional<std::string> side) {
  const json answer = server.admin().issue_invite(room, role, name, std::move(side));
  return {answer.at("invite_id").get<std::string>(), answer.at("token").get<std::string>()};
}

std::string probe(const server_process& server, const std::string& token) {
  try {
    test::http_request health;
    health.target = "/healthz";
    const auto response = server.admin().raw(health);
    if (response.status != 200) return "GET /healthz: " + response.describe();
    auto client = server.connect();
    const json welcome = client.join(token);
    if (test::text_of(welcome, "type") != "welcome") return "no welcome: " + welcome.dump();
    client.close();
  } catch (const std::exception& failure) {
    return std::string("a normal client was not served: ") + failure.what();
  }
  return "";
}

std::string raw_frame(const frame_bits& bits, std::string_view payload) {
  std::string frame;
  frame.push_back(static_cast<char>((bits.fin ? 0x80 : 0) | ((bits.rsv & 7) << 4) | (bits.opcode & 0x0f)));
  const std::uint64_t n = bits.declared_length.value_or(payload.size());
  const std::uint8_t mask_bit = bits.masked ? 0x80 : 0;
  if (bits.length_form == 0 && n < 126) {
    frame.push_back(static_cast<char>(mask_bit | n));
  } else if (bits.length_form != 64 && n <= 0xffff) {
    frame.push_back(static_cast<char>(mask_bit | 126));
    frame.push_back(static_cast<char>((n >> 8) & 0xff));
    frame.push_back(static_cast<char>(n & 0xff));
  } else {
    frame.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) frame.push_back(static_cast<char>((n >> shift) & 0xff));
  }
  const std::uint8_t mask[4] = {0x5a, 0x13, 0xc4, 0x7e};
  if (bits.masked)
    for (const auto b : mask) frame.push_back(static_cast<char>(b));
  for (std::size_t i = 0; i < payload.size(); ++i)
    frame.push_back(static_cast<char>(static_cast<std::uint8_t>(payload[i]) ^ (bits.masked ? mask[i % 4] : 0)));
  return frame;
}

std::int64_t audit_count(const std::filesystem::path& data_dir, const std::string& action,
                         const std::string& detail_prefix) {
  sqlite3* db = nullptr;
  const auto path = (data_dir / "kelisim.db").string();
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    const std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path + ": " + why);
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* statement = nullptr;
  const char* sql = "SELECT count(*) FROM audit WHERE action = ?1 AND substr(detail, 1, length(?2)) = ?2";
  std::int64_t count = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(statement, 1, action.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(statement, 2, detail_prefix.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(statement) == SQLITE_ROW) count = sqlite3_column_int64(statement, 0);
  }
  const std::string why = sqlite3_errmsg(db);
  sqlite3_finalize(statement);
  sqlite3_close(db);
  if (count < 0) throw std::runtime_error("cannot read the audit table of " + path + ": " + why);
  return count;
}

}  // namespace kelisim::abuse

namespace kelisim::abuse {

std::int64_t seq_of(const json& frame) {
  if (!frame.is_object()) return -1;
  const auto it = frame.find("seq");
  return it != frame.end() && it->is_number_integer() ? it->get<std::int64_t>() : -1;
}

std::int64_t last_seq(const ws_client& client) {
  std::int64_t seen = 0;
  for (const auto& f : client.frames()) {
    const auto type = test::text_of(f, "type");
    if (type == "welcome" || type == "event") seen = std::max(seen, seq_of(f));
  }
  return seen;
}

json member::connect(const server_process& server, bool resume) {
  if (ws) {
    seen = std::max(seen, last_seq(*ws));
    past.push_back(std::move(ws));
  }
  ws = std::make_unique<ws_client>(server.connect());
  const json welcome = ws->join(pass.token, resume ? std::optional<std::int64_t>(seen) : std::nullopt);
  seen = std::max(seen, seq_of(welcome));
  return welcome;
}

member enter(const server_process& server, const std::string& room, const std::string& label,
             const std::string& role, std::optional<std::string> side, member* mediator) {
  member m;
  m.label = label;
  m.pass = issue(server, room, role, label, std::move(side));
  m.connect(server, false);
  if (role == "mediator") return m;
  m->ok("accept_rules");
  const auto from = m->frame_count();
  (*mediator)->ok("admit", {{"participant", m.pass.id}});
  m->wait_event("admitted", from, [&](const json& e) { return test::text_of(e, "participant") == m.pass.id; });
  return m;
}

}  // namespace kelisim::abuse
