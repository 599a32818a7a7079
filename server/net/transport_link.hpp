#pragma once
// A live WebSocket as the transport's own housekeeping sees it: what the application may do with
// it (client_link) and the keep-alive check the server runs over every link now and then. One
// sweep for all links instead of a timer waiting in each: an idle connection holds no timer wait.
#include "net/application.hpp"

namespace kelisim::net {

class transport_link : public client_link {
 public:
  // Thread-safe (posted to the link's io thread): pings a quiet connection, drops a silent one.
  virtual void check_alive() = 0;
};

}  // namespace kelisim::net
