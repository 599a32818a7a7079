#pragma once
#include <boost/beast/http/fields.hpp>

namespace kelisim::net {

// The Content-Security-Policy every response carries: no inline script, nothing from elsewhere.
inline constexpr const char* content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

// Adds the security headers to a response: static files, application answers and errors alike.
// Strict-Transport-Security only under TLS (over plain HTTP browsers ignore it anyway).
void apply_security_headers(boost::beast::http::fields& response, bool tls);

}  // namespace kelisim::net
