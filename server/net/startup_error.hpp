#pragma once
#include <stdexcept>

namespace kelisim::net {

// A configuration problem found while starting (missing certificate, port taken, no web root).
// what() is one line meant for the operator; main prints it and exits with status 2.
class startup_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace kelisim::net
