#pragma once
#include <string_view>

#include <boost/beast/core/error.hpp>

namespace kelisim::net {

// The one place that decides whether a failed asynchronous step is worth a log line.
void fail(boost::beast::error_code ec, std::string_view what);

}  // namespace kelisim::net
