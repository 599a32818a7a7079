#pragma once
// The administrator's HTTP API (/api/...), plus /healthz and /metrics.
// JSON in and out; every refusal is {code, message} with the matching HTTP status.
#include "app/services.hpp"
#include "net/application.hpp"

namespace kelisim::app {

class admin_api {
 public:
  explicit admin_api(services& svc) : services_(svc) {}

  void handle(net::http::request<net::http::string_body> request, net::request_info info,
              net::respond_fn respond);

 private:
  services& services_;
};

}  // namespace kelisim::app
