// Caucuses: private channels a mediator opens with some participants (usually one side).
// Every caucus event's audience is the caucus (its members at that moment, plus all mediators).
// Codes beyond the gate (all these commands are mediators'):
//   open_caucus with no members                        -> invalid_field "members"
//   open_caucus with more than 64 members              -> too_large "members"
//   a member unknown, not admitted, a mediator, an
//     observer, or named twice                         -> invalid_field "members"
//   title over 200 code points                         -> too_large "title"
//   close/join/leave an unknown caucus                 -> invalid_field "caucus"
//   close/join/leave a closed caucus                   -> conflict "caucus"
//   join a caucus one attends / leave one one does not -> conflict "caucus"
#include "engine/decision_builder.hpp"

namespace kelisim::engine {

using protocol::role;

namespace {

verdict check_members(const room_state& room, const std::vector<participant_id>& members) {
  if (members.empty())
    return refuse(error_code::invalid_field, "a caucus needs members", "members");
  if (members.size() > protocol::max_caucus_members)
    return refuse(error_code::too_large, "too many members", "members");
  for (std::size_t i = 0; i < members.size(); ++i) {
    const auto* p = find_participant(room, members[i]);
    // Mediators are in every caucus already; observers only ever read the joint channel.
    if (!p || !is_admitted(*p) || p->as == role::mediator || p->as == role::observer)
      return refuse(error_code::invalid_field,
                    "members must be admitted participants who are not mediators or observers",
                    "members");
    for (std::size_t j = 0; j < i; ++j)
      if (members[j] == members[i])
        return refuse(error_code::invalid_field, "a member is named twice", "members");
  }
  return std::nullopt;
}

const caucus_record* open_caucus_named(const room_state& room, const caucus_id& id,
                                       verdict& refused) {
  const auto* c = find_caucus(room, id);
  if (!c)
    refused = refuse(error_code::invalid_field, "no such caucus", "caucus");
  else if (!c->open)
    refused = refuse(error_code::conflict, "the caucus is closed", "caucus");
  return refused ? nullptr : c;
}

}  // namespace

verdict decide_command(decision_builder& b, const cmd::open_caucus& c) {
  if (auto bad = check_members(b.room(), c.members)) return bad;
  if (auto bad = check_text(c.title, protocol::max_title_code_points, "title", false)) return bad;
  // Ids follow opening order and are never reused (closed caucuses are kept).
  const caucus_id id = "c" + std::to_string(b.room().caucuses.size() + 1);
  auto members = c.members;
  members.push_back(b.who().id);  // the opening mediator is in it
  protocol::audience to{protocol::audience_scope::caucus, id, members, {}};
  b.emit(ev::caucus_opened{id, std::move(members), c.title}, std::move(to));
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::close_caucus& c) {
  verdict refused;
  const auto* caucus = open_caucus_named(b.room(), c.caucus, refused);
  if (!caucus) return refused;
  b.emit(ev::caucus_closed{c.caucus}, to_caucus(*caucus));
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::join_caucus& c) {
  verdict refused;
  const auto* caucus = open_caucus_named(b.room(), c.caucus, refused);
  if (!caucus) return refused;
  if (contains(caucus->attending, b.who().id))
    return refuse(error_code::conflict, "already attending this caucus", "caucus");
  b.emit(ev::caucus_joined{c.caucus, b.who().id}, to_caucus(*caucus));
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::leave_caucus& c) {
  verdict refused;
  const auto* caucus = open_caucus_named(b.room(), c.caucus, refused);
  if (!caucus) return refused;
  if (!contains(caucus->attending, b.who().id))
    return refuse(error_code::conflict, "not attending this caucus", "caucus");
  b.emit(ev::caucus_left{c.caucus, b.who().id}, to_caucus(*caucus));
  return std::nullopt;
}

}  // namespace kelisim::engine
