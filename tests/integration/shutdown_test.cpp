// Graceful shutdown: SIGTERM closes every WebSocket with 1001 — admitted, in the lobby, not yet
// authenticated — and the process exits 0; what was acknowledged is there after a restart.
#include <csignal>

#include "integration_fixture.hpp"

namespace kelisim::itest {
namespace {

class GracefulShutdown : public room_test {};

TEST_F(GracefulShutdown, SigtermClosesEveryWebSocketWith1001AndExitsZero) {
  open_room();
  person med = enter("mediator", "mediator", "Mira", std::nullopt, nullptr);
  person pa = enter("party A", "party", "Aigul", "A", &med);
  person obs = enter("observer", "observer", "Oraz", std::nullopt, &med);
  person waiting = invite("party B", "party", "Boris", "B");
  connect(waiting);  // stays in the lobby
  auto unauthenticated = server().connect();
  const auto said = pa->ok("say", {{"channel", "joint"}, {"text", "before shutdown"}});

  // SIGTERM; the clients answer the server's close handshake like browsers would.
  server().send_signal(SIGTERM);
  for (person* p : {&med, &pa, &obs, &waiting}) {
    const auto how = (*p)->wait_closed(10s);
    EXPECT_TRUE(how.closed) << p->label;
    EXPECT_EQ(how.code, 1001) << p->label << ": " << how.reason << " " << how.error;
  }
  const auto how = unauthenticated.wait_closed(10s);
  EXPECT_EQ(how.code, 1001) << "a socket that never said hello: " << how.reason << " " << how.error;
  const auto status = server().wait_exit(15s);
  ASSERT_TRUE(status.has_value()) << "still running 15 s after SIGTERM\n" << server().output_tail();
  EXPECT_TRUE(status->exited) << status->describe() << "\n" << server().output_tail();
  EXPECT_EQ(status->code, 0) << status->describe();

  // The acknowledged message is there after a restart on the same data dir.
  server().restart();
  connect(pa, said - 1);
  const json replayed = pa->wait_event("message", 0, [&](const json& e) { return seq_of(e) == said; });
  EXPECT_EQ(replayed["text"], "before shutdown");
  EXPECT_EQ(replayed["replay"], true);
}

}  // namespace
}  // namespace kelisim::itest
