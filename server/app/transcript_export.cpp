#include "app/transcript_export.hpp"

#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/export_labels.hpp"
#include "protocol/codec.hpp"
#include "protocol/text.hpp"

namespace kelisim::app {

using nlohmann::json;

std::optional<export_format> export_format_from_string(std::string_view s) {
  if (s == "json") return export_format::json;
  if (s == "text") return export_format::text;
  if (s == "html") return export_format::html;
  return std::nullopt;
}

std::string to_string(export_format f) {
  switch (f) {
    case export_format::json: return "json";
    case export_format::text: return "text";
    case export_format::html: return "html";
  }
  return "json";
}

std::string to_string(const export_scope& s) {
  switch (s.kind) {
    case export_scope::all: return "all";
    case export_scope::joint: return "joint";
    case export_scope::one_participant: return "participant:" + s.participant;
  }
  return "all";
}

namespace {

constexpr std::string_view zero_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The scope as a viewer for may_see; nullopt = everything.
std::optional<protocol::viewer> scope_viewer(const room_facts& room, const export_scope& scope) {
  switch (scope.kind) {
    case export_scope::all:
      return std::nullopt;
    case export_scope::joint:
      // What every admitted person could read: an observer's view, who is in no caucus.
      return protocol::viewer{"", protocol::role::observer, true};
    case export_scope::one_participant:
      for (const auto& p : room.snapshot.participants)
        if (p.id == scope.participant)
          return protocol::viewer{p.id, p.as, p.state == protocol::presence_state::admitted ||
                                                  p.as == protocol::role::mediator};
      return protocol::viewer{scope.participant, protocol::role::observer, false};
  }
  return std::nullopt;
}

struct visible_event {
  const store::stored_event* stored;
  std::optional<protocol::event> typed;  // nullopt = outside the scope (redacted)
};

std::vector<visible_event> select(const room_facts& room, const std::vector<store::stored_event>& events,
                                  const export_scope& scope) {
  const auto viewer = scope_viewer(room, scope);
  std::vector<visible_event> out;
  out.reserve(events.size());
  for (const auto& stored : events) {
    auto decoded = protocol::decode_canonical_event(stored.body);
    auto* e = std::get_if<protocol::event>(&decoded);
    if (e && (!viewer || protocol::may_see(*viewer, *e))) out.push_back({&stored, std::move(*e)});
    else out.push_back({&stored, std::nullopt});
  }
  return out;
}

std::string replace_all(std::string text, std::string_view key, std::string_view value) {
  for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size()))
    text.replace(at, key.size(), value);
  return text;
}

// Describes events in the room's language; knows names, roles, sides and caucus titles.
class narrator {
 public:
  narrator(const room_facts& room, const export_labels& words) : words_(words) {
    for (const auto& p : room.snapshot.participants) people_[p.id] = p;
  }

  std::string name(const protocol::participant_id& id) const {
    if (id == protocol::admin_actor) return std::string(words_.administrator);
    if (id == protocol::system_actor) return std::string(words_.system);
    const auto it = people_.find(id);
    return it == people_.end() ? id : it->second.name;
  }

  // "Aigerim (party, side A)"
  std::string who_is(const protocol::participant_id& id) const {
    const auto it = people_.find(id);
    if (it == people_.end()) return name(id);
    std::string s = it->second.name + " (" + std::string(words_.roles[static_cast<int>(it->second.as)]);
    if (it->second.side) s += ", " + std::string(words_.side) + " " + *it->second.side;
    return s + ")";
  }

  void remember_caucus(const protocol::ev::caucus_opened& c) { caucus_titles_[c.caucus] = c.title; }
  std::string caucus_name(const protocol::caucus_id& id) const {
    const auto it = caucus_titles_.find(id);
    return it == caucus_titles_.end() || it->second.empty() ? id : it->second + " (" + id + ")";
  }

  // The sentence for a non-message event.
  std::string describe(const protocol::event& e) const {
    namespace ev = protocol::ev;
    auto fill = [&](std::string_view pattern, const protocol::participant_id& whom = {}) {
      std::string s(pattern);
      s = replace_all(std::move(s), "{who}", name(e.actor));
      s = replace_all(std::move(s), "{whom}", name(whom));
      return s;
    };
    return std::visit(
        [&](const auto& body) -> std::string {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, ev::room_created>) return replace_all(std::string(words_.room_created), "{title}", body.title);
          else if constexpr (std::is_same_v<T, ev::joined_lobby>) return fill(words_.joined_lobby, body.participant);
          else if constexpr (std::is_same_v<T, ev::rules_accepted>) return fill(words_.rules_accepted, body.participant);
          else if constexpr (std::is_same_v<T, ev::admitted>) return fill(words_.admitted, body.participant);
          else if constexpr (std::is_same_v<T, ev::denied>) return fill(words_.denied, body.participant);
          else if constexpr (std::is_same_v<T, ev::hand_raised>) return fill(words_.hand_raised, body.participant);
          else if constexpr (std::is_same_v<T, ev::hand_lowered>) return fill(words_.hand_lowered, body.participant);
          else if constexpr (std::is_same_v<T, ev::floor_granted>) return fill(words_.floor_granted, body.participant);
          else if constexpr (std::is_same_v<T, ev::floor_released>)
            return replace_all(fill(words_.floor_released, body.participant), "{reason}",
                               words_.reasons[static_cast<int>(body.reason)]);
          else if constexpr (std::is_same_v<T, ev::turn_mode_changed>)
            return replace_all(replace_all(std::string(words_.turn_mode_changed), "{mode}",
                                           words_.modes[static_cast<int>(body.mode)]),
                               "{seconds}", std::to_string(body.turn_seconds));
          else if constexpr (std::is_same_v<T, ev::caucus_opened>) return replace_all(std::string(words_.caucus_opened), "{caucus}", caucus_name(body.caucus));
          else if constexpr (std::is_same_v<T, ev::caucus_closed>) return replace_all(std::string(words_.caucus_closed), "{caucus}", caucus_name(body.caucus));
          else if constexpr (std::is_same_v<T, ev::caucus_joined>) return replace_all(fill(words_.caucus_joined, body.participant), "{caucus}", caucus_name(body.caucus));
          else if constexpr (std::is_same_v<T, ev::caucus_left>) return replace_all(fill(words_.caucus_left, body.participant), "{caucus}", caucus_name(body.caucus));
          else if constexpr (std::is_same_v<T, ev::mediator_signalled>) {
            auto s = fill(words_.mediator_signalled);
            return body.text.empty() ? s : s + ": " + body.text;
          }
          else if constexpr (std::is_same_v<T, ev::muted>) return fill(words_.muted, body.participant);
          else if constexpr (std::is_same_v<T, ev::unmuted>) return fill(words_.unmuted, body.participant);
          else if constexpr (std::is_same_v<T, ev::removed>) {
            auto s = fill(words_.removed, body.participant);
            return body.reason.empty() ? s : s + " (" + body.reason + ")";
          }
          else if constexpr (std::is_same_v<T, ev::paused>) return std::string(words_.paused);
          else if constexpr (std::is_same_v<T, ev::resumed>) return std::string(words_.resumed);
          else if constexpr (std::is_same_v<T, ev::session_ended>) return std::string(words_.session_ended);
          else if constexpr (std::is_same_v<T, ev::agreement_drafted>)
            return replace_all(std::string(words_.agreement_drafted), "{version}", std::to_string(body.version)) + ":\n" + body.text;
          else if constexpr (std::is_same_v<T, ev::agreement_signed>)
            return replace_all(fill(words_.agreement_signed, body.participant), "{version}", std::to_string(body.version));
          else if constexpr (std::is_same_v<T, ev::agreement_voided>)
            return replace_all(fill(words_.agreement_voided, body.participant), "{version}", std::to_string(body.version));
          else return "";  // message: rendered by the caller
        },
        e.body);
  }

 private:
  const export_labels& words_;
  std::map<protocol::participant_id, protocol::participant_view> people_;
  std::map<protocol::caucus_id, std::string> caucus_titles_;
};

std::string human_time(protocol::time_ms t) {
  auto s = protocol::format_timestamp(t);  // 2026-11-26T05:02:26.123Z
  if (s.size() >= 19) s = s.substr(0, 10) + " " + s.substr(11, 8) + " UTC";
  return s;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Which section of a human-readable export an event belongs to.
enum class section_kind { joint, caucus, signals };
struct section_key {
  section_kind kind;
  protocol::caucus_id caucus;
  auto operator<=>(const section_key&) const = default;
};

section_key section_of(const protocol::event& e) {
  if (e.to.scope == protocol::audience_scope::caucus) return {section_kind::caucus, e.to.caucus};
  if (e.to.scope == protocol::audience_scope::mediators) return {section_kind::signals, {}};
  return {section_kind::joint, {}};
}

// One line of a human-readable export, without markup.
struct line {
  std::string time;
  protocol::seq_t seq;
  std::string speaker;  // empty for non-message events
  std::string text;
  std::string note;     // shareable / translation marks
};

struct document {
  std::string title;
  std::vector<std::pair<std::string, std::string>> facts;  // label, value
  std::vector<std::string> participants;
  std::map<section_key, std::vector<line>> sections;
  std::map<protocol::caucus_id, std::string> caucus_headings;
  std::size_t hidden = 0;
  std::string chain_head;
};

document compose(const room_facts& room, const std::vector<visible_event>& events,
                 const export_scope& scope, protocol::time_ms exported_at) {
  const auto& words = labels_for(room.record.language);
  narrator voice(room, words);
  document doc;
  doc.title = std::string(words.transcript) + ": " + room.snapshot.title;
  doc.facts = {{std::string(words.room), room.snapshot.title + " (" + room.record.id + ")"},
               {std::string(words.language), room.record.language},
               {std::string(words.created), human_time(room.record.created_at)},
               {std::string(words.exported), human_time(exported_at)},
               {"", std::string(scope.kind == export_scope::all     ? words.scope_all
                                : scope.kind == export_scope::joint ? words.scope_joint
                                                                    : words.scope_participant)}};
  for (const auto& p : room.snapshot.participants) doc.participants.push_back(voice.who_is(p.id));
  for (const auto& item : events) {
    doc.chain_head = item.stored->hash;
    if (!item.typed) {
      ++doc.hidden;
      continue;
    }
    const auto& e = *item.typed;
    if (const auto* opened = std::get_if<protocol::ev::caucus_opened>(&e.body)) {
      voice.remember_caucus(*opened);
      std::string heading = std::string(words.caucus) + ": " + voice.caucus_name(opened->caucus) +
                            " — " + std::string(words.members) + ": ";
      for (std::size_t i = 0; i < opened->members.size(); ++i)
        heading += (i ? ", " : "") + voice.name(opened->members[i]);
      doc.caucus_headings[opened->caucus] = heading;
    }
    line l{human_time(e.ts), e.seq, "", "", ""};
    if (const auto* said = std::get_if<protocol::ev::message>(&e.body)) {
      l.speaker = voice.who_is(e.actor);
      l.text = said->text;
      if (said->shareable) l.note = std::string(words.shareable);
      if (said->translates) l.note = std::string(words.translation_of) + std::to_string(*said->translates);
    } else {
      l.text = voice.describe(e);
    }
    doc.sections[section_of(e)].push_back(std::move(l));
  }
  if (doc.chain_head.empty()) doc.chain_head = std::string(zero_hash);
  return doc;
}

std::string section_title(const document& doc, const section_key& key, const export_labels& words) {
  switch (key.kind) {
    case section_kind::joint: return std::string(words.joint_session);
    case section_kind::signals: return std::string(words.signals);
    case section_kind::caucus: {
      const auto it = doc.caucus_headings.find(key.caucus);
      return it != doc.caucus_headings.end() ? it->second : std::string(words.caucus) + ": " + key.caucus;
    }
  }
  return "";
}

std::string render_text(const room_facts& room, const document& doc) {
  const auto& words = labels_for(room.record.language);
  std::ostringstream out;
  out << doc.title << "\n" << std::string(std::min<std::size_t>(protocol::code_points(doc.title), 60), '=') << "\n";
  for (const auto& [label, value] : doc.facts) out << (label.empty() ? "" : label + ": ") << value << "\n";
  out << "\n" << words.participants << ":\n";
  for (const auto& p : doc.participants) out << "  - " << p << "\n";
  for (const auto& [key, lines] : doc.sections) {
    const auto heading = section_title(doc, key, words);
    out << "\n== " << heading << " ==\n";
    if (key.kind == section_kind::caucus) out << "[" << words.caucus_notice << "]\n";
    for (const auto& l : lines) {
      out << "[" << l.time << "] #" << l.seq << "  ";
      if (!l.speaker.empty()) out << l.speaker << ": ";
      out << l.text;
      if (!l.note.empty()) out << "  [" << l.note << "]";
      out << "\n";
    }
  }
  if (doc.hidden) out << "\n(" << doc.hidden << " " << words.hidden_events << ")\n";
  out << "\n" << words.chain_head << ": " << doc.chain_head << "\n" << words.verify_hint << "\n";
  return out.str();
}

std::string render_html(const room_facts& room, const document& doc) {
  const auto& words = labels_for(room.record.language);
  std::ostringstream out;
  out << "<!doctype html>\n<html lang=\"" << html_escape(room.record.language) << "\">\n<head>\n"
      << "<meta charset=\"utf-8\">\n<title>" << html_escape(doc.title) << "</title>\n"
      << "<style>\n"
         "body{font-family:Georgia,'Times New Roman',serif;max-width:50rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}\n"
         "h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #999}\n"
         "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:bold}\n"
         "section.caucus{border:2px dashed #7a4b00;padding:0 1rem 1rem;background:#fff8ec}\n"
         "section.signals{border:2px dotted #555;padding:0 1rem 1rem}\n"
         ".notice{font-style:italic;color:#7a4b00}.meta{color:#555;font-size:.85rem;white-space:nowrap}\n"
         "ol{list-style:none;padding:0}li{margin:.4rem 0}.speaker{font-weight:bold}.note{color:#225;font-size:.85rem}\n"
         ".text{white-space:pre-wrap}code{word-break:break-all}\n"
         "@media print{section.caucus{break-inside:avoid-page}}\n"
         "</style>\n</head>\n<body>\n<h1>" << html_escape(doc.title) << "</h1>\n<dl>\n";
  for (const auto& [label, value] : doc.facts)
    out << "<dt>" << html_escape(label) << "</dt><dd>" << html_escape(value) << "</dd>\n";
  out << "</dl>\n<h2>" << html_escape(words.participants) << "</h2>\n<ul>\n";
  for (const auto& p : doc.participants) out << "<li>" << html_escape(p) << "</li>\n";
  out << "</ul>\n";
  for (const auto& [key, lines] : doc.sections) {
    const char* css = key.kind == section_kind::caucus    ? "caucus"
                      : key.kind == section_kind::signals ? "signals"
                                                          : "joint";
    out << "<section class=\"" << css << "\">\n<h2>" << html_escape(section_title(doc, key, words)) << "</h2>\n";
    if (key.kind == section_kind::caucus)
      out << "<p class=\"notice\">" << html_escape(words.caucus_notice) << "</p>\n";
    out << "<ol>\n";
    for (const auto& l : lines) {
      out << "<li><span class=\"meta\">" << html_escape(l.time) << " · #" << l.seq << "</span> ";
      if (!l.speaker.empty()) out << "<span class=\"speaker\">" << html_escape(l.speaker) << ":</span> ";
      out << "<span class=\"text\">" << html_escape(l.text) << "</span>";
      if (!l.note.empty()) out << " <span class=\"note\">[" << html_escape(l.note) << "]</span>";
      out << "</li>\n";
    }
    out << "</ol>\n</section>\n";
  }
  if (doc.hidden) out << "<p>(" << doc.hidden << " " << html_escape(words.hidden_events) << ")</p>\n";
  out << "<p>" << html_escape(words.chain_head) << ": <code>" << doc.chain_head << "</code><br>"
      << html_escape(words.verify_hint) << "</p>\n</body>\n</html>\n";
  return out.str();
}

std::string render_json(const room_facts& room, const std::vector<visible_event>& events,
                        const export_scope& scope, protocol::time_ms exported_at) {
  json participants = json::array();
  for (const auto& p : room.snapshot.participants)
    participants.push_back({{"id", p.id}, {"name", p.name}, {"role", protocol::to_string(p.as)},
                            {"side", p.side ? json(*p.side) : json(nullptr)},
                            {"state", protocol::to_string(p.state)}});
  json list = json::array();
  std::string head(zero_hash);
  for (const auto& item : events) {
    const auto& stored = *item.stored;
    json entry;
    if (item.typed) {
      entry = json::parse(stored.body, nullptr, false);
      if (!entry.is_object()) entry = json::object();
    } else {
      entry = {{"seq", stored.seq}, {"redacted", true}};
    }
    entry["payload_hash"] = stored.payload_hash;
    entry["prev_hash"] = stored.prev_hash;
    entry["hash"] = stored.hash;
    list.push_back(std::move(entry));
    head = stored.hash;
  }
  json doc = {{"room",
               {{"id", room.record.id},
                {"title", room.snapshot.title},
                {"language", room.record.language},
                {"created_at", protocol::format_timestamp(room.record.created_at)},
                {"state", protocol::to_string(room.snapshot.phase)},
                {"participants", std::move(participants)}}},
              {"scope", to_string(scope)},
              {"exported_at", protocol::format_timestamp(exported_at)},
              {"events", std::move(list)},
              {"chain", {{"algorithm", "sha256"}, {"head", head}}}};
  return doc.dump(2);
}

}  // namespace

rendered_export render_transcript(const room_facts& room, const std::vector<store::stored_event>& events,
                                  export_format format, const export_scope& scope,
                                  protocol::time_ms exported_at) {
  const auto selected = select(room, events, scope);
  const auto base = "kelisim-" + room.record.id + "-" + (scope.kind == export_scope::joint ? "joint" : scope.kind == export_scope::all ? "all" : "participant");
  switch (format) {
    case export_format::json:
      return {render_json(room, selected, scope, exported_at), "application/json; charset=utf-8", base + ".json"};
    case export_format::text:
      return {render_text(room, compose(room, selected, scope, exported_at)), "text/plain; charset=utf-8", base + ".txt"};
    case export_format::html:
      return {render_html(room, compose(room, selected, scope, exported_at)), "text/html; charset=utf-8", base + ".html"};
  }
  return {};
}

}  // namespace kelisim::app
