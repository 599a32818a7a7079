// The agreement: mediators draft versioned text; parties sign one specific, current version.
// Codes beyond the gate (drafting is mediators', signing parties'):
//   draft with empty text or not UTF-8        -> invalid_field "text"
//   draft over 8,000 code points              -> too_large "text"
//   sign when nothing is drafted, a stale or
//     future version, or a second time        -> conflict "version"
#include "engine/decision_builder.hpp"

namespace kelisim::engine {

verdict decide_command(decision_builder& b, const cmd::draft_agreement& c) {
  if (auto bad = check_text(c.text, protocol::max_text_code_points, "text", true)) return bad;
  const auto& agreement = b.room().agreement;
  const int previous = agreement.version;
  const auto earlier_signatures = agreement.signatures;
  b.emit(ev::agreement_drafted{previous + 1, c.text}, to_admitted());
  // New words void every earlier signature: nobody is bound to text they did not read.
  for (const auto& s : earlier_signatures)
    b.emit(ev::agreement_voided{s.version, s.participant}, to_admitted(s.participant));
  return std::nullopt;
}

verdict decide_command(decision_builder& b, const cmd::sign_agreement& c) {
  const auto& agreement = b.room().agreement;
  if (agreement.version == 0) return refuse(error_code::conflict, "nothing to sign yet", "version");
  if (c.version != agreement.version)
    return refuse(error_code::conflict, "only the current version can be signed", "version");
  for (const auto& s : agreement.signatures)
    if (s.participant == b.who().id && s.version == c.version)
      return refuse(error_code::conflict, "already signed this version", "version");
  b.emit(ev::agreement_signed{c.version, b.who().id}, to_admitted());
  return std::nullopt;
}

}  // namespace kelisim::engine
