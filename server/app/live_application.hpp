#pragma once
// The application proper: live rooms over WebSocket, the admin API, exports, metrics.
// Owns the store, the token signer and the room registry; the transport calls it through
// net::application.
#include <memory>
#include <string>


#include "app/admin_api.hpp"
#include "app/metrics.hpp"
#include "app/refusal_limiter.hpp"
#include "app/room_registry.hpp"
#include "app/services.hpp"
#include "auth/invite_token.hpp"
#include "net/application.hpp"
#include "store/transcript_store.hpp"

namespace kelisim::app {

struct application_settings {
  std::string data_dir;
  std::string public_url;   // base of invite links
  std::string admin_token;
  limits connection_limits;
};

class live_application : public net::application {
 public:
  // Opens the store under data_dir and replays every room. Throws std::runtime_error with a
  // one-line reason if the data directory or database cannot be used.
  live_application(net::io_pool& io, const application_settings& settings,
                    net::transport_counters& transport);
  ~live_application() override;

  void handle_http(net::http::request<net::http::string_body> request, net::request_info info,
                   net::respond_fn respond) override;
  std::shared_ptr<net::link_handler> open_link(std::shared_ptr<net::client_link> link) override;
  void stopping() override;

  // Creates a ready demo room with a mediator and two parties and logs their invite links.
  void create_demo_room();
  void announce_demo(const std::string& saved);
  // Waits until every accepted event is durable (shutdown).
  void flush();

 private:
  std::unique_ptr<store::transcript_store> store_;
  auth::invite_signer signer_;
  std::string data_dir_;
  metrics metrics_;
  refusal_limiter refusals_;
  room_registry rooms_;
  services services_;
  admin_api api_;
};

}  // namespace kelisim::app
