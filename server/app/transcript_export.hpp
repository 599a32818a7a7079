#pragma once
// Transcript exports: JSON (complete, machine-readable, with the hash chain), plain text and
// printable HTML, for everything or the joint channel only (or one participant's view).
// Which events appear is decided by protocol::may_see and nothing else.
#include <optional>
#include <string>
#include <vector>

#include "protocol/snapshot.hpp"
#include "store/transcript_store.hpp"

namespace kelisim::app {

enum class export_format { json, text, html };

struct export_scope {
  enum kind_t { all, joint, one_participant } kind = all;
  protocol::participant_id participant;  // one_participant scope only
};

struct room_facts {
  store::room_record record;
  protocol::room_snapshot snapshot;  // the administrator's view: every participant
};

struct rendered_export {
  std::string body;
  std::string content_type;
  std::string filename;
};

std::optional<export_format> export_format_from_string(std::string_view s);
std::string to_string(export_format f);
std::string to_string(const export_scope& s);

// `events` is the room's whole stored log; events outside the scope stay in the JSON as
// redacted stubs (seq and hashes only) so the chain still verifies offline.
rendered_export render_transcript(const room_facts& room, const std::vector<store::stored_event>& events,
                                  export_format format, const export_scope& scope,
                                  protocol::time_ms exported_at);

}  // namespace kelisim::app
