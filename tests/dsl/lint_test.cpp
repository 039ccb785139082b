// Lint warnings: missing stop rules, routers without fallback, very long waits, unused constants.
#include <catch2/catch.hpp>

#include "tests/support/diagnostic_lines.hpp"

#include <string>
#include <vector>

#include "dsl/compiler.hpp"

using namespace leadflow::dsl;

namespace {

// Declarations the snippets below use; appended after each snippet, so the snippet's own
// line numbers start at 1.
const char* const prelude = R"(
event replied
event unsubscribed
event form_submitted
)";

std::unique_ptr<Compilation> compile(const std::string& text, bool warnings = true) {
  return leadflow::testing::check_text(text, prelude, warnings);
}

std::vector<std::string> diagnostics(const Compilation& c) { return leadflow::testing::diagnostic_lines(c); }

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("a workflow sending twice without an exit on reply or unsubscribe gets a warning", "[dsl][lint]") {
  auto c = compile(R"(workflow cadence {
  when form_submitted
  send email "hello"
  wait 2d
  if lead.score > 10 { send sms "hi" }
})");
  REQUIRE(diagnostics(*c) ==
          Lines{"1:10 MissingStopRule: workflow `cadence` sends 2 messages but never exits on a reply or an unsubscribe"});
  const Diagnostic& d = c->diagnostics.diagnostics()[0];
  CHECK(d.severity == Severity::Warning);
  CHECK(d.help == "add `exit when event replied, unsubscribed`");
  CHECK(c->ok());
}

TEST_CASE("an exit on reply, unsubscribe or lead.unsubscribed is a stop rule", "[dsl][lint]") {
  auto c = compile(R"(workflow a {
  when form_submitted
  exit when event replied
  send email "one"
  send email "two"
}
workflow b {
  when form_submitted
  exit when event bounced_hard, unsubscribed
  send email "one"
  send email "two"
}
workflow c {
  when form_submitted
  exit when lead.bounced or lead.unsubscribed
  send email "one"
  wait up to 3d for event replied on timeout { send email "two" }
}
workflow d {
  when form_submitted
  send email "only one"
}
event bounced_hard)");
  CHECK(diagnostics(*c).empty());
}

TEST_CASE("a router without a fallback gets a warning", "[dsl][lint]") {
  auto c = compile(R"(router r {
  otherwise -> "max@example.com"
}
router s {
  otherwise -> "max@example.com"
  fallback "mia@example.com"
})");
  REQUIRE(diagnostics(*c) == Lines{"1:8 RouterWithoutFallback: router `r` has no fallback"});
  CHECK(c->diagnostics.diagnostics()[0].help == "add `fallback manager` so that no lead is left without an owner");
}

TEST_CASE("a constant wait over 365 days gets a warning", "[dsl][lint]") {
  auto c = compile(R"(const forever = 400d
workflow w {
  when form_submitted
  wait 400d
  wait 365d
  wait forever
  wait up to 53w for event replied
  wait 400 business days
})");
  CHECK(diagnostics(*c) == Lines{
                               "4:8 WaitTooLong: wait of `400d` is longer than 365 days",
                               "6:8 WaitTooLong: wait of `forever` is longer than 365 days",
                               "7:14 WaitTooLong: wait of `53w` is longer than 365 days",
                               "8:8 WaitTooLong: wait of `400` is longer than 365 days",
                           });
}

TEST_CASE("a constant that nothing uses gets a warning", "[dsl][lint]") {
  auto c = compile(R"(const used = ["US"]
const unused = 5
workflow w {
  when form_submitted
  if lead.country in used { tag "x" }
}
schema lead { country: string })");
  CHECK(diagnostics(*c) == Lines{"2:7 UnusedConstant: constant `unused` is never used"});
}

TEST_CASE("lint rules run only when warnings are on", "[dsl][lint]") {
  auto c = compile(R"(const unused = 5
router r { otherwise -> "max@example.com" }
workflow w {
  when form_submitted
  wait 400d
  send email "one"
  send email "two"
})",
                   false);
  CHECK(diagnostics(*c).empty());
}
