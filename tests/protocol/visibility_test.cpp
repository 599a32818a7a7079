// may_see: every audience scope against every kind of viewer, as one table.
#include <gtest/gtest.h>

#include "protocol/events.hpp"

namespace kelisim::protocol {
namespace {

// Viewers: who they are in the room right now.
const viewer mediator{"m1", role::mediator, true};
const viewer co_mediator{"m2", role::mediator, true};
const viewer party_member{"a1", role::party, true};         // in caucus c1
const viewer party_other_side{"b1", role::party, true};     // not in c1
const viewer advisor_member{"a2", role::advisor, true};     // in caucus c1
const viewer interpreter{"i1", role::interpreter, true};
const viewer observer{"o1", role::observer, true};
const viewer observer_listed{"o2", role::observer, true};   // wrongly listed as a caucus member
const viewer lobby_party{"b2", role::party, false};         // waiting in the lobby
const viewer removed_member{"a3", role::party, false};      // was in c1, since removed

event with(audience to) { return event{1, 0, "m1", std::move(to), ev::paused{}}; }

const std::vector<participant_id> c1_members{"m1", "a1", "a2", "a3", "o2"};

struct row {
  const char* name;
  audience to;
  // mediator, co_mediator, party_member, party_other_side, advisor_member, interpreter,
  // observer, observer_listed, lobby_party, removed_member
  std::array<bool, 10> sees;
};

TEST(MaySee, EveryScopeAgainstEveryViewer) {
  const std::array<const viewer*, 10> viewers{&mediator, &co_mediator, &party_member,
                                              &party_other_side, &advisor_member, &interpreter,
                                              &observer, &observer_listed, &lobby_party,
                                              &removed_member};
  const row table[] = {
      {"everyone", {audience_scope::everyone, {}, {}, {}},
       {true, true, true, true, true, true, true, true, true, true}},
      {"admitted", {audience_scope::admitted, {}, {}, {}},
       {true, true, true, true, true, true, true, true, false, false}},
      {"admitted + lobby subject", {audience_scope::admitted, {}, {}, "b2"},
       {true, true, true, true, true, true, true, true, true, false}},
      {"mediators", {audience_scope::mediators, {}, {}, {}},
       {true, true, false, false, false, false, false, false, false, false}},
      {"mediators + subject", {audience_scope::mediators, {}, {}, "a1"},
       {true, true, true, false, false, false, false, false, false, false}},
      {"caucus c1", {audience_scope::caucus, "c1", c1_members, {}},
       {true, true, true, false, true, false, false, false, false, false}},
      {"caucus with no members yet", {audience_scope::caucus, "c9", {}, {}},
       {true, true, false, false, false, false, false, false, false, false}},
  };
  for (const auto& r : table) {
    const event e = with(r.to);
    for (std::size_t i = 0; i < viewers.size(); ++i)
      EXPECT_EQ(may_see(*viewers[i], e), r.sees[i]) << r.name << " / viewer " << viewers[i]->id;
  }
}

}  // namespace
}  // namespace kelisim::protocol
