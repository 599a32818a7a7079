#include "integration_fixture.hpp"

#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>

#ifndef KELISIM_BINARY
#define KELISIM_BINARY ""
#endif

namespace kelisim::itest {

std::filesystem::path server_binary() {
  if (const char* env = std::getenv("KELISIM_BINARY"); env != nullptr && *env != '\0') return env;
  return KELISIM_BINARY;
}

test::server_options server_defaults() {
  test::server_options options;
  options.binary = server_binary();
  const std::filesystem::path web_root = std::filesystem::path(KELISIM_SOURCE_DIR) / "web-client";
  if (std::filesystem::is_directory(web_root)) options.web_root = web_root;
  return options;
}

void server_test::SetUp() { start_server(server_defaults()); }

void server_test::start_server(test::server_options options) {
  server_.reset();
  server_ = std::make_unique<server_process>(std::move(options));
}

void server_test::TearDown() {
  if (HasFailure() && server_) std::cerr << server_->output_tail() << "\n";
}

json room_test::open_room(json extra, const std::string& title) {
  json room = admin().create_room(title, "en", std::move(extra));
  room_ = room.at("id").get<std::string>();
  return room;
}

person room_test::invite(const std::string& label, const std::string& role, const std::string& name,
                         std::optional<std::string> side) {
  person p;
  p.label = label;
  p.role = role;
  p.side = side;
  p.name = name;
  p.invite = admin().issue_invite(room_, role, name, side);
  p.id = p.invite.at("invite_id").get<std::string>();
  p.token = p.invite.at("token").get<std::string>();
  return p;
}

json room_test::connect(person& p, std::optional<std::int64_t> resume_after) {
  if (p.ws) p.past.push_back(std::move(p.ws));
  p.ws = std::make_unique<ws_client>(server().connect());
  p.welcome = p.ws->join(p.token, resume_after);
  const auto& first = p.ws->log().front().parsed;
  if (text_of(first, "type") != "welcome")
    throw std::runtime_error(p.label + ": the first frame after hello is not the welcome: " + first.dump());
  return p.welcome;
}

void room_test::admit(person& p, person& mediator) {
  p->ok("accept_rules");
  mediator->ok("admit", {{"participant", p.id}});
  p->wait_for([&](const json& f) { return shows_admitted(f, p.id); });
}

person room_test::enter(const std::string& label, const std::string& role, const std::string& name,
                        std::optional<std::string> side, person* mediator) {
  person p = invite(label, role, name, std::move(side));
  connect(p);
  if (role != "mediator") admit(p, *mediator);
  return p;
}

std::int64_t seq_of(const json& frame) {
  if (!frame.is_object()) return -1;
  const auto it = frame.find("seq");
  return it != frame.end() && it->is_number_integer() ? it->get<std::int64_t>() : -1;
}

std::int64_t last_seq(const ws_client& c) {
  std::int64_t last = 0;
  for (const auto& f : c.log()) {
    const auto type = text_of(f.parsed, "type");
    if (type == "event" || type == "welcome") last = std::max(last, seq_of(f.parsed));
  }
  return last;
}

bool shows_admitted(const json& frame, const std::string& participant) {
  const auto type = text_of(frame, "type");
  if (type == "event")
    return text_of(frame, "kind") == "admitted" && text_of(frame, "participant") == participant;
  if (type != "welcome" || !frame.contains("room") || !frame["room"].contains("participants")) return false;
  for (const auto& p : frame["room"]["participants"])
    if (text_of(p, "id") == participant) return text_of(p, "state") == "admitted";
  return false;
}

json without_replay(json e) {
  if (e.is_object()) e.erase("replay");
  return e;
}

bool any_frame_contains(const ws_client& c, const std::string& needle) {
  for (const auto& f : c.log())
    if (f.data.find(needle) != std::string::npos) return true;
  return false;
}

::testing::AssertionResult received_exactly(const ws_client& c, const std::vector<json>& expected) {
  std::size_t next = 0;
  std::int64_t covered = -1;
  std::int64_t last = 0;
  auto failure = [&](const std::string& what, std::size_t index) {
    std::ostringstream out;
    out << what << "\n  at frame #" << index << "; expected next: "
        << (next < expected.size() ? expected[next].dump() : std::string("(nothing more)")) << "\n"
        << c.dump();
    return ::testing::AssertionFailure() << out.str();
  };
  const auto& log = c.log();
  for (std::size_t i = 0; i < log.size(); ++i) {
    const json& f = log[i].parsed;
    const auto type = text_of(f, "type");
    if (type == "welcome") {
      const auto s = seq_of(f);
      if (s < last) return failure("a welcome went back in time (seq " + std::to_string(s) + ")", i);
      covered = std::max(covered, s);
      while (next < expected.size() && seq_of(expected[next]) <= covered) ++next;
      continue;
    }
    if (type != "event") continue;
    const auto s = seq_of(f);
    if (f.contains("replay")) return failure("a live connection received a replayed event", i);
    if (s <= last) return failure("seq not increasing: duplicate or out of order", i);
    if (s <= covered) return failure("a live event at or below the welcome's seq", i);
    if (next >= expected.size()) return failure("an event this participant should not have received", i);
    if (f != expected[next]) {
      if (seq_of(expected[next]) > s) return failure("an event this participant should not have received", i);
      return failure("not the expected event (or an expected event is missing)", i);
    }
    last = s;
    ++next;
  }
  if (next < expected.size()) return failure("expected events never arrived", log.size());
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult each_command_answered_once(const ws_client& c) {
  std::map<std::string, int> answers;
  for (const auto& f : c.log()) {
    const auto type = text_of(f.parsed, "type");
    if ((type == "ack" || type == "error") && f.parsed.contains("id") && f.parsed["id"].is_string())
      ++answers[f.parsed["id"].get<std::string>()];
  }
  for (const auto& [id, n] : answers)
    if (n != 1) return ::testing::AssertionFailure() << "command " << id << " answered " << n << " times\n" << c.dump();
  return ::testing::AssertionSuccess();
}

std::vector<json> event_recorder::take(std::int64_t up_to) {
  mediator_->wait_for([&](const json& f) { return text_of(f, "type") == "event" && seq_of(f) == up_to; });
  std::vector<json> out;
  for (const auto& e : mediator_->events()) {
    const auto s = seq_of(e);
    if (s > recorded_ && s <= up_to) out.push_back(without_replay(e));
  }
  for (std::size_t i = 0; i < out.size(); ++i)
    if (seq_of(out[i]) != recorded_ + 1 + static_cast<std::int64_t>(i))
      throw std::runtime_error("event_recorder: the mediator's events are not contiguous after seq " +
                               std::to_string(recorded_) + " up to " + std::to_string(up_to) + "\n" +
                               mediator_->dump());
  if (static_cast<std::int64_t>(out.size()) != up_to - recorded_)
    throw std::runtime_error("event_recorder: the mediator missed events up to seq " + std::to_string(up_to) + "\n" +
                             mediator_->dump());
  recorded_ = up_to;
  all_.insert(all_.end(), out.begin(), out.end());
  return out;
}

std::vector<json> event_recorder::take_until(const std::string& kind, const std::function<bool(const json&)>& also) {
  const json e = mediator_->wait_event(kind, 0, [&](const json& f) { return seq_of(f) > recorded_ && (!also || also(f)); });
  return take(seq_of(e));
}

std::vector<std::string> message_texts(const std::vector<json>& events, const std::string& channel) {
  std::vector<std::string> out;
  for (const auto& e : events)
    if (text_of(e, "kind") == "message" && text_of(e, "channel") == channel) out.push_back(text_of(e, "text"));
  return out;
}

}  // namespace kelisim::itest
