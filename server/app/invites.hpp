#pragma once
// Issuing an invitation: a stored invite record plus the signed token and the join link.
#include <optional>
#include <string>

#include "app/services.hpp"

namespace kelisim::app {

struct issued_invite {
  store::invite_record record;
  std::string token;
  std::string url;  // the web client with the token in the fragment (never sent to the server)
};

// Returns nullopt if the store refused the record (id collision).
std::optional<issued_invite> issue_invite(services& svc, const protocol::room_id& room,
                                          protocol::role as, std::string name,
                                          std::optional<std::string> side);

}  // namespace kelisim::app
