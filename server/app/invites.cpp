#include "app/invites.hpp"

#include "app/clock.hpp"

namespace kelisim::app {

namespace {
// Long enough for a mediation scheduled weeks ahead; revocation ends it sooner.
constexpr protocol::time_ms invite_lifetime_ms = 30LL * 24 * 3600 * 1000;
}  // namespace

std::optional<issued_invite> issue_invite(services& svc, const protocol::room_id& room,
                                          protocol::role as, std::string name,
                                          std::optional<std::string> side) {
  const auto now = now_ms();
  store::invite_record record{random_id("i_"), room, as, std::move(side), std::move(name), now,
                              now + invite_lifetime_ms, std::nullopt};
  if (!svc.store.add_invite(record)) return std::nullopt;
  auto token = svc.signer.issue(
      {record.room, record.invite_id, record.as, record.side, record.name, record.expires_at});
  auto url = svc.public_url + "/#token=" + token;
  svc.store.audit({now, "admin", "invite_issued", room,
                   record.invite_id + " " + std::string(protocol::to_string(as)), ""});
  return issued_invite{std::move(record), std::move(token), std::move(url)};
}

}  // namespace kelisim::app
