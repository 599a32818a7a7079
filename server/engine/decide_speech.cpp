// Speaking: messages in the joint channel and in caucuses, interpreters' renderings, and the
// private signal to the mediators. Codes beyond the gate, in this order:
//   say while muted                                  -> muted
//   text empty or not UTF-8                          -> invalid_field "text"
//   text over 8,000 code points                      -> too_large "text"
//   caucus unknown or not one's own (non-mediator)   -> not_a_member
//   caucus unknown (mediator)                        -> invalid_field "channel"
//   caucus closed (member or mediator)               -> conflict "channel"
//   shareable in the joint channel                  -> invalid_field "shareable"
//   shareable from anyone but a party or advisor     -> forbidden "shareable"
//   translates from anyone but an interpreter        -> forbidden "translates"
//   translates a message that does not exist, that
//     the interpreter may not see, or that is in
//     another channel (no caucus words into joint)   -> invalid_field "translates"
//   joint channel off-turn (moderated, round)        -> not_your_turn
//   signal_mediator text over the limit              -> too_large "text"
#include "engine/decision_builder.hpp"

namespace kelisim::engine {

using protocol::role;

namespace {

constexpr std::string_view joint_channel = "joint";

// An interpreter renders a message they could read, in the channel it was said in: a rendering
// in another channel would carry caucus words to people who must not hear them.
verdict check_translation(const decision_builder& b, const participant_record& me,
                          const cmd::say& c) {
  if (me.as != role::interpreter)
    return refuse(error_code::forbidden, "only interpreters translate", "translates");
  const message_record* original = find_message(b.room(), *c.translates);
  if (!original) return refuse(error_code::invalid_field, "no such message", "translates");
  const message_record& m = *original;
  protocol::event probe;
  probe.to = protocol::audience{m.scope, m.caucus, m.members, m.subject};
  const auto me_as_viewer = viewer_of(b.room(), me.id);
  if (!me_as_viewer || !protocol::may_see(*me_as_viewer, probe))
    return refuse(error_code::invalid_field, "no such message", "translates");
  if (m.channel != c.channel)
    return refuse(error_code::invalid_field, "a translation goes in the original's channel",
                  "translates");
  return std::nullopt;
}

}  // namespace

verdict decide_command(decision_builder& b, const cmd::say& c) {
  const participant_record& me = *b.actor_record();
  const room_state& room = b.room();
  const bool mediator = me.as == role::mediator;
  if (me.muted) return refuse(error_code::muted, "muted by a mediator");
  if (auto bad = check_text(c.text, protocol::max_text_code_points, "text", true)) return bad;

  const caucus_record* caucus = nullptr;
  if (c.channel == joint_channel) {
    if (c.shareable)
      return refuse(error_code::invalid_field, "only caucus words can be marked shareable",
                    "shareable");
  } else {
    caucus = find_caucus(room, c.channel);
    // Non-members learn nothing, not even whether the caucus exists.
    if (!mediator && (!caucus || !contains(caucus->members, me.id)))
      return refuse(error_code::not_a_member, "not a member of this caucus", "channel");
    if (!caucus) return refuse(error_code::invalid_field, "no such caucus", "channel");
    if (!caucus->open) return refuse(error_code::conflict, "the caucus is closed", "channel");
    if (c.shareable && me.as != role::party && me.as != role::advisor)
      return refuse(error_code::forbidden, "only a party's side marks its words shareable",
                    "shareable");
  }
  if (c.translates)
    if (auto bad = check_translation(b, me, c)) return bad;

  // Mediators may always speak; an interpreter rendering someone's words is not taking a turn.
  const bool turn_free = mediator || room.mode == protocol::turn_mode::open ||
                         room.floor_holder == me.id ||
                         (me.as == role::interpreter && c.translates.has_value());
  if (!caucus && !turn_free) return refuse(error_code::not_your_turn, "wait for the floor");

  b.emit(ev::message{c.channel, c.text, c.shareable, c.translates},
         caucus ? to_caucus(*caucus) : to_admitted());
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::signal_mediator& c) {
  if (auto bad = check_text(c.text, protocol::max_text_code_points, "text", false)) return bad;
  // Deliberately mediators only: not even the signaller's own side learns of it.
  b.emit(ev::mediator_signalled{c.text}, to_mediators());
  return std::nullopt;
}

}  // namespace kelisim::engine
