#include "net/security_headers.hpp"

namespace kelisim::net {

namespace http = boost::beast::http;

void apply_security_headers(http::fields& response, bool tls) {
  response.set(http::field::server, "kelisim");
  response.set("Content-Security-Policy", content_security_policy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  if (tls) response.set(http::field::strict_transport_security, "max-age=31536000");
}

}  // namespace kelisim::net
