#include "app/verify_command.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/hash_chain.hpp"

namespace kelisim::app {

namespace {

using nlohmann::json;

// The three fields an export adds to each stored event; the rest is the hashed payload.
constexpr const char* hash_fields[] = {"payload_hash", "prev_hash", "hash"};

int unreadable(const std::string& path, const std::string& why) {
  std::fprintf(stderr, "kelisim verify: %s: %s\n", path.c_str(), why.c_str());
  return 2;
}

}  // namespace

int run_verify(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return unreadable(path, "cannot open file");
  std::stringstream content;
  content << file.rdbuf();
  const auto doc = json::parse(content.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return unreadable(path, "not a JSON document");
  const auto events = doc.find("events");
  if (events == doc.end() || !events->is_array()) return unreadable(path, "no \"events\" array");

  std::vector<store::stored_event> chain;
  chain.reserve(events->size());
  for (const auto& entry : *events) {
    if (!entry.is_object() || !entry.contains("seq") || !entry["seq"].is_number_integer())
      return unreadable(path, "an event without an integer seq");
    store::stored_event e;
    e.seq = entry["seq"].get<store::seq_t>();
    for (const char* field : hash_fields) {
      if (!entry.contains(field) || !entry[field].is_string())
        return unreadable(path, "event " + std::to_string(e.seq) + " lacks " + field);
    }
    e.payload_hash = entry["payload_hash"].get<std::string>();
    e.prev_hash = entry["prev_hash"].get<std::string>();
    e.hash = entry["hash"].get<std::string>();
    // A redacted event (outside the export's scope) keeps only its hashes: the chain still
    // verifies because it is built over payload hashes.
    if (!entry.value("redacted", false)) {
      json payload = entry;
      for (const char* field : hash_fields) payload.erase(field);
      e.body = payload.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    chain.push_back(std::move(e));
  }

  if (const auto broken = store::verify_chain(chain)) {
    std::printf("BROKEN at seq %lld: %s (%s)\n", static_cast<long long>(broken->seq),
                std::string(store::to_string(broken->fault)).c_str(), broken->reason.c_str());
    return 1;
  }
  const std::string head = chain.empty() ? std::string(store::zero_hash) : chain.back().hash;
  if (const auto claimed = doc.find("chain"); claimed != doc.end() && claimed->is_object() &&
                                               claimed->value("head", head) != head) {
    std::printf("BROKEN: chain.head %s does not match the last event's hash %s\n",
                claimed->value("head", std::string()).c_str(), head.c_str());
    return 1;
  }
  std::printf("OK: %zu events, chain head %s\n", chain.size(), head.c_str());
  return 0;
}

}  // namespace kelisim::app
