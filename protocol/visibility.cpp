#include <algorithm>

#include "protocol/events.hpp"

namespace kelisim::protocol {

bool may_see(const viewer& who, const event& e) noexcept {
  const audience& to = e.to;
  const bool is_mediator = who.as == role::mediator;
  if (!to.subject.empty() && to.subject == who.id) return true;
  switch (to.scope) {
    case audience_scope::everyone:
      return true;
    case audience_scope::admitted:
      return is_mediator || who.admitted;
    case audience_scope::mediators:
      return is_mediator;
    case audience_scope::caucus:
      // Observers are never caucus members; a member must still be admitted to read it.
      return is_mediator ||
             (who.admitted && who.as != role::observer &&
              std::find(to.members.begin(), to.members.end(), who.id) != to.members.end());
  }
  return false;
}

}  // namespace kelisim::protocol
