#pragma once
// What the application's parts share: the store, the token signer, the rooms, the counters.
#include <memory>
#include <string>

#include "auth/invite_token.hpp"
#include "net/application.hpp"
#include "store/transcript_store.hpp"

namespace kelisim::app {

class metrics;
class refusal_limiter;
class room_registry;

struct limits {
  double commands_per_second = 30;  // sustained, per connection
  double command_burst = 60;
  int refusals_before_close = 50;   // consecutive rate_limited answers before close 1008
};

struct services {
  store::transcript_store& store;
  auth::invite_signer& signer;
  room_registry& rooms;
  metrics& counters;
  net::transport_counters& transport;
  refusal_limiter& refusals;  // which refused credentials are audited
  std::string admin_token;
  std::string public_url;  // base of invite links, e.g. https://localhost:8443
  limits connection_limits;
};

}  // namespace kelisim::app
