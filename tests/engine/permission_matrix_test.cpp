// Role x command -> accepted or the exact error code, as tables. One room is set up so that every
// command is well-formed; what differs between cells is only who sends it.
#include <array>
#include <set>

#include "room_harness.hpp"

namespace kelisim::engine::testing {
namespace {

using outcome = std::optional<error_code>;
constexpr outcome accepted = std::nullopt;
constexpr auto forbidden = error_code::forbidden;
constexpr auto conflict = error_code::conflict;
constexpr auto not_your_turn = error_code::not_your_turn;
constexpr auto not_admitted = error_code::not_admitted;
constexpr auto room_paused = error_code::room_paused;

// The acting person of each role, in the column order of the tables.
const std::array<participant_id, 5> actor_of_role{"med", "pa", "aa", "int", "obs"};

// Moderated mode, pb holds the floor; c1 = {pa, aa, int} opened by med2, c2 = {pb} opened by
// med2 and attended by med; ab muted; agreement v1 drafted; "newcomer" waits in the lobby having
// accepted the rules; med has not accepted the rules (mediators are admitted on joining).
room_harness standard_room() {
  room_harness h;
  h.ok(administrator(), cmd::create_room{"Neighbours", "kk", protocol::turn_mode::open, 0, "Be kind"});
  h.ok("med", cmd::join{"Aigerim", role::mediator, std::nullopt});
  h.bring_in("med2", role::mediator, std::nullopt, "med");
  h.bring_in("pa", role::party, "A", "med");
  h.bring_in("pb", role::party, "B", "med");
  h.bring_in("aa", role::advisor, "A", "med");
  h.bring_in("ab", role::advisor, "B", "med");
  h.bring_in("int", role::interpreter, std::nullopt, "med");
  h.bring_in("obs", role::observer, std::nullopt, "med");
  h.ok("newcomer", cmd::join{"Late", role::party, "A"});
  h.ok("newcomer", cmd::accept_rules{});
  h.ok("med", cmd::say{"joint", "Welcome", false, std::nullopt});
  h.ok("med2", cmd::open_caucus{{"pa", "aa", "int"}, "Side A"});
  h.ok("med2", cmd::open_caucus{{"pb"}, "Side B"});
  h.ok("med", cmd::join_caucus{"c2"});
  h.ok("med", cmd::mute{"ab"});
  h.ok("med", cmd::draft_agreement{"We share the fence."});
  h.ok("med", cmd::set_turn_mode{protocol::turn_mode::moderated, 0, std::nullopt});
  h.ok("med", cmd::grant_floor{"pb"});
  return h;
}

struct matrix_row {
  protocol::command command;
  std::array<outcome, 5> by_role;  // mediator, party, advisor, interpreter, observer
};

const std::vector<matrix_row>& client_matrix() {
  static const std::vector<matrix_row> rows{
      {cmd::accept_rules{}, {accepted, conflict, conflict, conflict, conflict}},
      {cmd::say{"joint", "I hear you", false, std::nullopt},
       {accepted, not_your_turn, not_your_turn, not_your_turn, forbidden}},
      {cmd::say{"c1", "Between us", false, std::nullopt},
       {accepted, accepted, accepted, accepted, forbidden}},
      {cmd::raise_hand{}, {forbidden, accepted, accepted, forbidden, forbidden}},
      {cmd::lower_hand{}, {forbidden, conflict, conflict, forbidden, forbidden}},
      {cmd::yield_floor{}, {forbidden, not_your_turn, not_your_turn, not_your_turn, forbidden}},
      {cmd::signal_mediator{"I need a break"}, {forbidden, accepted, accepted, forbidden, forbidden}},
      {cmd::admit{"newcomer"}, {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::deny{"newcomer"}, {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::grant_floor{"pa"}, {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::revoke_floor{}, {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::set_turn_mode{protocol::turn_mode::round, 60, std::nullopt},
       {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::open_caucus{{"pb", "ab"}, "B again"}, {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::close_caucus{"c1"}, {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::join_caucus{"c1"}, {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::leave_caucus{"c2"}, {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::mute{"pb"}, {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::unmute{"ab"}, {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::remove{"pb", "shouting"}, {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::pause{}, {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::resume{}, {conflict, forbidden, forbidden, forbidden, forbidden}},
      {cmd::end_session{}, {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::draft_agreement{"Version two"}, {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::sign_agreement{1}, {forbidden, accepted, forbidden, forbidden, forbidden}},
      // Internal commands are never a participant's to send.
      {cmd::create_room{"x", "kk", protocol::turn_mode::open, 0, ""},
       {forbidden, forbidden, forbidden, forbidden, forbidden}},
      {cmd::join{"again", role::party, "A"}, {conflict, conflict, conflict, conflict, conflict}},
      {cmd::tick{}, {forbidden, forbidden, forbidden, forbidden, forbidden}},
      {cmd::close_room{}, {forbidden, forbidden, forbidden, forbidden, forbidden}},
      {cmd::revoke_participant{"pb"}, {forbidden, forbidden, forbidden, forbidden, forbidden}},
  };
  return rows;
}

std::string describe(outcome o) {
  return o ? std::string(protocol::to_string(*o)) : std::string("accepted");
}

void check_table(const room_state& room, const std::vector<matrix_row>& rows,
                 const std::array<participant_id, 5>& actors, protocol::time_ms now) {
  for (const auto& row : rows) {
    for (std::size_t r = 0; r < actors.size(); ++r) {
      const decision d = decide(room, row.command, participant(actors[r]), now);
      const outcome got = d.accepted() ? accepted : outcome{d.refused->code};
      EXPECT_EQ(describe(got), describe(row.by_role[r]))
          << protocol::command_name(row.command) << " (alternative " << row.command.index()
          << ") by " << actors[r] << (d.refused ? ": " + d.refused->reason : "");
      if (d.accepted()) {
        EXPECT_FALSE(d.events.empty());
      }
    }
  }
}

TEST(PermissionMatrix, EveryRoleTimesEveryCommand) {
  const auto h = standard_room();
  check_table(h.state, client_matrix(), actor_of_role, h.now);
}

TEST(PermissionMatrix, CoversEveryCommand) {
  std::set<std::size_t> covered;
  for (const auto& row : client_matrix()) covered.insert(row.command.index());
  EXPECT_EQ(covered.size(), std::variant_size_v<protocol::command>);
}

TEST(PermissionMatrix, LobbyParticipantsWaitToBeAdmitted) {
  room_harness h = standard_room();
  const std::array<participant_id, 5> lobby{"lmed", "lpa", "laa", "lint", "lobs"};
  h.ok("lpa", cmd::join{"p", role::party, "A"});
  h.ok("laa", cmd::join{"a", role::advisor, "A"});
  h.ok("lint", cmd::join{"i", role::interpreter, std::nullopt});
  h.ok("lobs", cmd::join{"o", role::observer, std::nullopt});
  // A lobby mediator cannot exist (mediators are admitted on joining): "lmed" never joined.
  std::vector<matrix_row> rows;
  for (const auto& row : client_matrix()) {
    matrix_row lobby_row{row.command, {}};
    for (std::size_t r = 0; r < 5; ++r) {
      const auto& full = row.by_role[r];
      if (std::holds_alternative<cmd::join>(row.command)) lobby_row.by_role[r] = r == 0 ? accepted : conflict;
      else if (r == 0) lobby_row.by_role[r] = forbidden;  // never joined
      else if (std::holds_alternative<cmd::accept_rules>(row.command)) lobby_row.by_role[r] = accepted;
      // What the role may not do stays forbidden; what it may do waits for admission.
      else lobby_row.by_role[r] = full == forbidden ? forbidden : outcome{not_admitted};
    }
    rows.push_back(lobby_row);
  }
  check_table(h.state, rows, lobby, h.now);
}

TEST(PermissionMatrix, RemovedParticipantsCanNeverActAgain) {
  room_harness h = standard_room();
  for (const auto& id : {"pa", "aa", "int", "obs"}) h.ok("med", cmd::remove{id, ""});
  h.ok(administrator(), cmd::revoke_participant{"med2"});
  for (const auto& row : client_matrix()) {
    for (const auto& id : {"pa", "aa", "int", "obs", "med2"}) {
      const decision d = decide(h.state, row.command, participant(id), h.now);
      ASSERT_FALSE(d.accepted()) << protocol::command_name(row.command) << " by " << id;
      EXPECT_EQ(d.refused->code, forbidden) << protocol::command_name(row.command) << " by " << id;
    }
  }
}

TEST(PermissionMatrix, AfterTheEndEveryCommandIsRoomEnded) {
  room_harness h = standard_room();
  h.ok("med", cmd::end_session{});
  for (const auto& row : client_matrix())
    for (const auto& id : actor_of_role)
      EXPECT_EQ(h.no(id, row.command).code, error_code::room_ended)
          << protocol::command_name(row.command);
  EXPECT_EQ(h.no(administrator(), cmd::close_room{}).code, error_code::room_ended);
  EXPECT_EQ(h.no(timer(), cmd::tick{}).code, error_code::room_ended);
  EXPECT_EQ(h.no("someone", cmd::join{"x", role::party, "A"}).code, error_code::room_ended);
}

TEST(PermissionMatrix, WhilePausedOnlyMediatorsSpeak) {
  room_harness h = standard_room();
  h.ok("med", cmd::set_turn_mode{protocol::turn_mode::open, 0, std::nullopt});
  h.ok("pa", cmd::raise_hand{});
  h.ok("med", cmd::pause{});
  const std::vector<matrix_row> rows{
      {cmd::say{"joint", "hi", false, std::nullopt},
       {accepted, room_paused, room_paused, room_paused, forbidden}},
      {cmd::say{"c1", "hi", false, std::nullopt},
       {accepted, room_paused, room_paused, room_paused, forbidden}},
      {cmd::raise_hand{}, {forbidden, room_paused, room_paused, forbidden, forbidden}},
      {cmd::lower_hand{}, {forbidden, room_paused, room_paused, forbidden, forbidden}},
      {cmd::yield_floor{}, {forbidden, room_paused, room_paused, room_paused, forbidden}},
      {cmd::sign_agreement{1}, {forbidden, room_paused, forbidden, forbidden, forbidden}},
      // A party must be able to ask for help whatever the state of the room.
      {cmd::signal_mediator{""}, {forbidden, accepted, accepted, forbidden, forbidden}},
      {cmd::pause{}, {conflict, forbidden, forbidden, forbidden, forbidden}},
      {cmd::resume{}, {accepted, forbidden, forbidden, forbidden, forbidden}},
      {cmd::draft_agreement{"v2"}, {accepted, forbidden, forbidden, forbidden, forbidden}},
  };
  check_table(h.state, rows, actor_of_role, h.now);
}

TEST(PermissionMatrix, InternalCommandsBelongToAdministratorAndTimer) {
  room_harness h = standard_room();
  EXPECT_EQ(h.no(administrator(), cmd::say{"joint", "hi", false, std::nullopt}).code, forbidden);
  EXPECT_EQ(h.no(timer(), cmd::pause{}).code, forbidden);
  EXPECT_EQ(h.no(administrator(), cmd::tick{}).code, forbidden);
  EXPECT_EQ(h.no(timer(), cmd::close_room{}).code, forbidden);
  EXPECT_EQ(h.no(administrator(), cmd::create_room{}).code, conflict);
  EXPECT_EQ(h.no(timer(), cmd::tick{}).code, conflict);  // nothing is due
  const auto events = h.ok(administrator(), cmd::revoke_participant{"pb"});
  EXPECT_EQ(kinds(events), (std::vector<std::string>{"floor_released", "removed"}));
  EXPECT_EQ(body_of<ev::removed>(events.back()).reason, "invite_revoked");
  EXPECT_EQ(h.no(administrator(), cmd::revoke_participant{"pb"}).code, conflict);
  EXPECT_EQ(h.no(administrator(), cmd::revoke_participant{"ghost"}).code, error_code::invalid_field);
}

TEST(PermissionMatrix, NothingBeforeTheRoomExists) {
  room_harness h;
  EXPECT_EQ(h.no("med", cmd::join{"m", role::mediator, std::nullopt}).code, error_code::not_found);
  EXPECT_EQ(h.no(timer(), cmd::tick{}).code, error_code::not_found);
  EXPECT_EQ(h.no(participant("med"), cmd::create_room{}).code, forbidden);
  h.ok(administrator(), cmd::create_room{"Room", "ru", protocol::turn_mode::open, 0, ""});
  EXPECT_EQ(h.state.phase, protocol::room_phase::scheduled);
}

}  // namespace
}  // namespace kelisim::engine::testing
