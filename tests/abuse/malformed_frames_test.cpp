// Thousands of connections that each upgrade properly and then send one kind of malformed
// WebSocket traffic (RFC 6455 violations, lying lengths, invalid UTF-8, oversized or
// over-fragmented messages, long control frames, garbage). Between batches a liveness probe:
// GET /healthz and a normal client's hello -> welcome. The server must close every violation
// with the close code RFC 6455 asks for (or simply hang up), never crash, and keep serving.
#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "abuse_support.hpp"

namespace kelisim::abuse {
namespace {

constexpr int connection_count = 2000;
constexpr int batch = 100;
constexpr int workers = 4;

// A byte string literal with embedded NULs, whole (without its terminating NUL).
template <std::size_t N>
std::string bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

struct malformed_case {
  std::string name;
  std::string bytes;
  // Close codes the server may answer with; empty: any ending will do (or none: the client
  // drops, e.g. after a length that promises bytes that never come).
  std::vector<int> closes;
  bool wait_for_close = true;
};

std::string text(std::size_t n, char c = 'x') { return std::string(n, c); }

std::vector<malformed_case> every_case() {
  std::vector<malformed_case> cases;
  const std::vector<int> protocol_error{1002};
  // Reserved opcodes 3-7 (data) and 11-15 (control).
  for (std::uint8_t op : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15})
    cases.push_back({"opcode " + std::to_string(op), raw_frame(bits().op(op), "{}"), protocol_error});
  // Reserved bits without a negotiated extension (permessage-deflate is off).
  for (std::uint8_t rsv : {1, 2, 4, 7})
    cases.push_back({"rsv " + std::to_string(rsv), raw_frame(bits().reserved(rsv), R"({"type":"hello"})"), protocol_error});
  // Client frames must be masked.
  cases.push_back({"unmasked text", raw_frame(bits().unmasked(), R"({"type":"hello","v":1,"token":"x"})"), protocol_error});
  cases.push_back({"unmasked ping", raw_frame(bits().op(9).unmasked(), "p"), protocol_error});
  // Lengths: a non-minimal encoding, a 64-bit length with the top bit set, a length far over
  // the message limit, and lengths promising more (or fewer) bytes than sent.
  cases.push_back({"16-bit length for 5 bytes", raw_frame(bits().form(16), "hello"), protocol_error});
  cases.push_back({"64-bit length for 5 bytes", raw_frame(bits().form(64), "hello"), protocol_error});
  cases.push_back({"length with top bit", raw_frame(bits().length(0x8000000000000001ull).form(64), "x"),
                   {1002, 1009}});
  cases.push_back({"length 1 TiB", raw_frame(bits().length(1ull << 40).form(64), "x"), {1009}});
  cases.push_back({"length 65537", raw_frame(bits().length(65537), "x"), {1009}});
  cases.push_back({"promises 100 sends 10", raw_frame(bits().length(100), text(10)), {}, false});
  cases.push_back({"promises 10 sends 100", raw_frame(bits().length(10), text(100)), {}});
  // Text that is not UTF-8: lone continuation, overlong, surrogate, truncated sequence.
  for (std::string bad : {std::string("\x80"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
                          std::string("\xf4\x90\x80\x80"), std::string("{\"type\":\"hello\",\"token\":\"\xe2\x82\"}")})
    cases.push_back({"invalid utf-8", raw_frame(bits(), bad), {1007}});
  // Invalid UTF-8 split across fragments.
  cases.push_back({"invalid utf-8 in a continuation",
                   raw_frame(bits().more(), "{\"a\":\"") + raw_frame(bits().op(0), "\xff\"}"), {1007}});
  // Oversized: one frame, and many fragments adding up to more than 64 KiB.
  cases.push_back({"one frame of 70 KiB", raw_frame(bits(), text(70 * 1024)), {1009}});
  {
    std::string fragments = raw_frame(bits().more(), text(1024));
    for (int i = 0; i < 70; ++i) fragments += raw_frame(bits().more().op(0), text(1024));
    fragments += raw_frame(bits().op(0), "x");
    cases.push_back({"70 fragments of 1 KiB", fragments, {1009}});
  }
  // Over-fragmented but small: 2,000 one-byte fragments of a hello that is not JSON. Valid
  // framing: the server answers the (bad) first message and closes as for any bad hello.
  {
    std::string fragments = raw_frame(bits().more(), "{");
    for (int i = 0; i < 2000; ++i) fragments += raw_frame(bits().more().op(0), " ");
    fragments += raw_frame(bits().op(0), "}");
    cases.push_back({"2000 one-byte fragments", fragments, {}});
  }
  // Control frames: longer than 125 bytes, fragmented, a close with a bad code or 1-byte body.
  cases.push_back({"ping of 126 bytes", raw_frame(bits().op(9), text(126)), protocol_error});
  cases.push_back({"pong of 4000 bytes", raw_frame(bits().op(10), text(4000)), protocol_error});
  cases.push_back({"close of 200 bytes", raw_frame(bits().op(8), "\x03\xe8" + text(198)), protocol_error});
  cases.push_back({"fragmented ping", raw_frame(bits().more().op(9), "p"), protocol_error});
  cases.push_back({"close code 999", raw_frame(bits().op(8), "\x03\xe7"), protocol_error});
  cases.push_back({"close code 1005", raw_frame(bits().op(8), "\x03\xed"), protocol_error});
  cases.push_back({"close with 1-byte body", raw_frame(bits().op(8), "\x03"), protocol_error});
  cases.push_back({"close with invalid utf-8 reason", raw_frame(bits().op(8), "\x03\xe8\xff\xfe"), {1002, 1007}});
  // Continuation without a start, and a new message inside a fragmented one.
  cases.push_back({"continuation first", raw_frame(bits().op(0), "x"), protocol_error});
  cases.push_back({"text inside a fragmented text",
                   raw_frame(bits().more(), "{") + raw_frame(bits(), "}"), protocol_error});
  // Binary (the protocol is text only) and plain garbage after the upgrade.
  cases.push_back({"binary frame", raw_frame(bits().op(2), bytes("\x00\x01\x02")), {1003}});
  cases.push_back({"garbage bytes", bytes("\xff\xff\xff\xff\x00\x00\x00\x00 GET / HTTP/1.1\r\n\r\n"), {}});
  cases.push_back({"a lone header byte", std::string("\x81"), {}, false});
  return cases;
}

test::ws_options io_options(std::chrono::milliseconds timeout) {
  test::ws_options options;
  options.io_timeout = timeout;
  options.connect_timeout = timeout;
  return options;
}

TEST(MalformedFrames, TwoThousandConnectionsNeverStopTheServerFromServing) {
  server_process server(server_defaults());
  const json room = server.admin().create_room("Abuse room");
  const auto mediator = issue(server, room.at("id").get<std::string>(), "mediator", "Mira");
  ASSERT_EQ(probe(server, mediator.token), "");

  const auto cases = every_case();
  std::mutex mutex;
  std::map<std::string, std::map<std::string, int>> outcomes;  // case -> "close 1002" -> count
  std::vector<std::string> failures;
  std::atomic<int> next{0};

  for (int batch_start = 0; batch_start < connection_count; batch_start += batch) {
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&] {
        for (int i = next++; i < batch_start + batch; i = next++) {
          const auto& c = cases[static_cast<std::size_t>(i) % cases.size()];
          std::string outcome;
          bool bad = false;
          try {
            auto client = server.client(io_options(8s));
            client.connect();
            if (const auto ec = client.send_raw(c.bytes); ec) {
              outcome = "send failed: " + ec.message();  // the server may hang up mid-write
            } else if (!c.wait_for_close) {
              client.drop();
              outcome = "dropped";
            } else {
              const auto closed = client.wait_closed(8s);
              if (!closed.closed) {
                outcome = "still open";
                bad = true;
              } else if (closed.code != 0) {
                outcome = "close " + std::to_string(closed.code);
                bad = !c.closes.empty() &&
                      std::find(c.closes.begin(), c.closes.end(), closed.code) == c.closes.end();
              } else {
                outcome = "hung up";
              }
            }
          } catch (const std::exception& failure) {
            outcome = std::string("client error: ") + failure.what();
            bad = true;
          }
          std::lock_guard lock(mutex);
          ++outcomes[c.name][outcome];
          if (bad && failures.size() < 20) failures.push_back(c.name + ": " + outcome);
        }
      });
    }
    for (auto& t : threads) t.join();
    next = batch_start + batch;
    ASSERT_TRUE(server.running()) << "the server died after " << batch_start + batch << " connections\n"
                                  << server.output_tail();
    ASSERT_EQ(probe(server, mediator.token), "") << "after " << batch_start + batch << " connections\n"
                                                 << server.output_tail();
  }

  std::string summary;
  for (const auto& [name, seen] : outcomes) {
    summary += "  " + name + ":";
    for (const auto& [outcome, count] : seen) summary += " [" + outcome + "] x" + std::to_string(count);
    summary += "\n";
  }
  EXPECT_TRUE(failures.empty()) << "unexpected outcomes (first " << failures.size() << "):\n  "
                                << testing::PrintToString(failures) << "\nall outcomes:\n" << summary;
  std::cout << "malformed frame outcomes:\n" << summary;
  // And it still shuts down cleanly.
  const auto status = server.terminate();
  EXPECT_TRUE(status.exited && status.code == 0) << status.describe() << "\n" << server.output_tail();
}

}  // namespace
}  // namespace kelisim::abuse
