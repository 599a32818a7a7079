// Confidentiality soak: many randomized sessions (late joins, caucuses opened and closed with
// random members, caucus talk, joint talk, reconnects with and without resume, a party probing a
// caucus it is not in, per-participant exports in every format). Every caucus has a unique marker
// in its title and in each of its messages. At the end, every byte each participant received —
// every frame on every connection they had (events, welcomes, errors) and their own exports —
// is scanned: no marker of a caucus they were not put in may appear. Joint-scope exports carry
// no marker at all. Members must have received their own caucus's markers (the scan is not empty).
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "abuse_support.hpp"

namespace kelisim::abuse {
namespace {

constexpr int sessions = 8;
constexpr int steps = 50;

struct caucus_model {
  std::string id;
  std::string marker;  // "MK-<nonce>-s<session>-<id>-": unique, and no marker is a prefix of another
  std::set<std::string> members;  // participant ids put in at opening (mediators see all anyway)
  bool open = true;
  int said = 0;
};

class session {
 public:
  session(const server_process& server, int number, std::uint32_t seed, const std::string& nonce)
      : server_(server), number_(number), random_(seed), nonce_(nonce) {
    room_ = server.admin().create_room("Soak " + std::to_string(number)).at("id").get<std::string>();
    people_.push_back(enter(server, room_, "mediator", "mediator", std::nullopt, nullptr));
    add("party A1", "party", "A");
    add("party B1", "party", "B");
    add("advisor A", "advisor", "A");
    add("advisor B", "advisor", "B");
    add("observer", "observer", std::nullopt);
  }

  void run() {
    for (int step = 0; step < steps; ++step) {
      if (step == steps / 3) add("party A2 (late)", "party", "A");
      const auto roll = random_() % 100;
      if (roll < 15) open_caucus();
      else if (roll < 50) caucus_say();
      else if (roll < 58) close_caucus();
      else if (roll < 68) joint_say();
      else if (roll < 80) reconnect();
      else if (roll < 88) probe_foreign_caucus();
      else export_for_someone();
    }
    for (std::size_t i = 1; i < people_.size(); ++i) export_for(i);
  }

  // Returns the violations found, and counts what members legitimately received.
  std::vector<std::string> scan(int& own_markers_seen) const {
    std::vector<std::string> leaks;
    for (std::size_t i = 1; i < people_.size(); ++i) {  // everyone but the mediator
      const auto& p = people_[i];
      std::vector<std::string> received;
      for (const auto& old : p.past)
        for (auto& f : old->raw_log()) received.push_back(std::move(f));
      for (auto& f : p.ws->raw_log()) received.push_back(std::move(f));
      const auto exported = exports_.find(p.pass.id);
      if (exported != exports_.end())
        for (const auto& e : exported->second) received.push_back(e);
      for (const auto& c : caucuses_) {
        const bool member = c.members.contains(p.pass.id);
        for (const auto& bytes : received) {
          if (bytes.find(c.marker) == std::string::npos) continue;
          if (member) {
            ++own_markers_seen;
          } else {
            leaks.push_back("session " + std::to_string(number_) + ": " + p.label + " received caucus " + c.id +
                            "'s marker: " + bytes.substr(0, 400));
            break;
          }
        }
      }
    }
    for (const auto& body : joint_exports_)
      for (const auto& c : caucuses_)
        if (body.find(c.marker) != std::string::npos)
          leaks.push_back("session " + std::to_string(number_) + ": a joint-scope export carries caucus " + c.id);
    return leaks;
  }

 private:
  void add(const std::string& label, const std::string& role, std::optional<std::string> side) {
    people_.push_back(enter(server_, room_, label, role, std::move(side), &people_.front()));
  }
  member& mediator() { return people_.front(); }
  // Parties and advisors (who may be put in a caucus).
  std::vector<std::size_t> caucus_eligible() const {
    std::vector<std::size_t> out;
    for (std::size_t i = 1; i < people_.size(); ++i)
      if (people_[i].label.rfind("observer", 0) != 0) out.push_back(i);
    return out;
  }
  std::vector<caucus_model*> open_caucuses() {
    std::vector<caucus_model*> out;
    for (auto& c : caucuses_)
      if (c.open) out.push_back(&c);
    return out;
  }

  void open_caucus() {
    const auto eligible = caucus_eligible();
    std::set<std::string> members;
    if (random_() % 3) {  // usually one side (with its advisor), sometimes anyone
      const std::string side = (random_() % 2) ? "A" : "B";
      for (auto i : eligible)
        if (people_[i].label.find(" " + side) != std::string::npos && random_() % 4) members.insert(people_[i].pass.id);
    }
    if (members.empty()) members.insert(people_[eligible[random_() % eligible.size()]].pass.id);
    const std::string provisional = "MK-" + nonce_ + "-s" + std::to_string(number_) + "-n" +
                                    std::to_string(caucuses_.size()) + "-";
    const auto from = mediator()->frame_count();
    const auto seq = mediator()->ok("open_caucus", {{"members", members}, {"title", provisional + "title"}});
    const json opened = mediator()->wait_event("caucus_opened", from, [&](const json& e) { return seq_of(e) == seq; });
    caucuses_.push_back({opened.at("caucus").get<std::string>(), provisional, members, true, 0});
  }

  void caucus_say() {
    auto open = open_caucuses();
    if (open.empty()) return open_caucus();
    auto& c = *open[random_() % open.size()];
    // A member (or the mediator) speaks; the text carries the marker.
    std::vector<std::size_t> speakers{0};
    for (std::size_t i = 1; i < people_.size(); ++i)
      if (c.members.contains(people_[i].pass.id)) speakers.push_back(i);
    auto& who = people_[speakers[random_() % speakers.size()]];
    json fields = {{"channel", c.id}, {"text", c.marker + "said-" + std::to_string(c.said++)}};
    if (&who != &mediator() && random_() % 3 == 0) fields["shareable"] = true;
    who->ok("say", fields);
  }

  void close_caucus() {
    auto open = open_caucuses();
    if (open.empty()) return;
    auto& c = *open[random_() % open.size()];
    mediator()->ok("close_caucus", {{"caucus", c.id}});
    c.open = false;
  }

  void joint_say() {
    auto& who = people_[random_() % (people_.size() - 1)];  // anyone but the last-added (maybe the observer)
    if (who.label.rfind("observer", 0) == 0) return;
    who->ok("say", {{"channel", "joint"}, {"text", "joint words " + std::to_string(random_() % 1000)}});
  }

  void reconnect() {
    auto& who = people_[1 + random_() % (people_.size() - 1)];
    if (random_() % 2) who->drop();
    else who->close();
    who.connect(server_, random_() % 4 != 0);  // mostly resume; sometimes a fresh welcome
  }

  // A party or advisor outside a caucus tries to speak in it and to join it: refused, and the
  // refusals must carry nothing of the caucus.
  void probe_foreign_caucus() {
    if (caucuses_.empty()) return;
    const auto& c = caucuses_[random_() % caucuses_.size()];
    for (std::size_t i = 1; i < people_.size(); ++i) {
      auto& p = people_[i];
      if (c.members.contains(p.pass.id)) continue;
      p->refused("say", {{"channel", c.id}, {"text", "let me in"}});
      p->refused("join_caucus", {{"caucus", c.id}});
      return;
    }
  }

  void export_for_someone() {
    export_for(1 + random_() % (people_.size() - 1));
    const auto joint = server_.admin().transcript(room_, "json", "joint");
    EXPECT_EQ(joint.status, 200) << joint.describe();
    joint_exports_.push_back(joint.body);
  }
  void export_for(std::size_t i) {
    for (const char* format : {"json", "text", "html"}) {
      const auto response = server_.admin().send(
          "GET", "/api/rooms/" + room_ + "/transcript?format=" + format + "&participant=" + people_[i].pass.id);
      EXPECT_EQ(response.status, 200) << response.describe();
      exports_[people_[i].pass.id].push_back(response.body);
    }
  }

  const server_process& server_;
  int number_;
  std::mt19937 random_;
  std::string nonce_;
  std::string room_;
  std::vector<member> people_;  // [0] is the mediator
  std::vector<caucus_model> caucuses_;
  std::map<std::string, std::vector<std::string>> exports_;  // participant id -> export bodies
  std::vector<std::string> joint_exports_;
};

TEST(ConfidentialitySoak, NoCaucusMarkerEverReachesSomeoneOutsideTheCaucus) {
  auto options = server_defaults();
  server_process server(options);
  const std::string nonce = test::random_hex(4);
  const std::uint32_t seed = std::random_device{}();
  std::cout << "confidentiality soak seed " << seed << "\n";
  int own_markers_seen = 0;
  std::vector<std::string> leaks;
  for (int s = 0; s < sessions; ++s) {
    session one(server, s, seed + static_cast<std::uint32_t>(s), nonce);
    one.run();
    for (auto& leak : one.scan(own_markers_seen)) leaks.push_back(std::move(leak));
  }
  EXPECT_TRUE(leaks.empty()) << "seed " << seed << ": " << leaks.size() << " leaks, first: " << leaks.front();
  EXPECT_GT(own_markers_seen, sessions * 5) << "members hardly received their own caucus: the scan proves little";
}

}  // namespace
}  // namespace kelisim::abuse
