#pragma once
// The ground rules a room starts with when the administrator gives none, in its language.
#include <string_view>

namespace kelisim::app {

std::string_view default_rules(std::string_view language);

}  // namespace kelisim::app
