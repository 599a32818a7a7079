#pragma once
// The fixed words of a transcript export in the room's language (kk, ru, en).
#include <string>
#include <string_view>

#include "protocol/domain.hpp"

namespace kelisim::app {

struct export_labels {
  std::string_view transcript, room, language, created, exported, scope_all, scope_joint,
      scope_participant, participants, joint_session, caucus, caucus_notice, signals, time,
      chain_head, hidden_events, administrator, system, side, shareable, translation_of,
      members, verify_hint;
  // Sentence templates per event kind; {who} actor, {whom} subject, {caucus}, {version},
  // {mode}, {seconds}, {reason}, {title}.
  std::string_view room_created, joined_lobby, rules_accepted, admitted, denied, hand_raised,
      hand_lowered, floor_granted, floor_released, turn_mode_changed, caucus_opened,
      caucus_closed, caucus_joined, caucus_left, mediator_signalled, muted, unmuted, removed,
      paused, resumed, session_ended, agreement_drafted, agreement_signed, agreement_voided;
  std::string_view roles[5];        // by protocol::role
  std::string_view modes[3];        // by protocol::turn_mode
  std::string_view reasons[3];      // by protocol::floor_release_reason
  std::string_view states[5];       // by protocol::room_phase
};

const export_labels& labels_for(std::string_view language);

}  // namespace kelisim::app
