// Imports and the compiler driver: loading files once, relative paths, missing files, cycles,
// visibility across files, size limits and directory expansion.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dsl/compiler.hpp"

using namespace leadflow::dsl;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "leadflow-import-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `text` to `relative` (creating directories) and returns the full path.
  std::string write(const std::string& relative, const std::string& text) const {
    const fs::path file = path_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }
  std::string operator/(const std::string& relative) const { return (path_ / relative).string(); }

 private:
  fs::path path_;
};

CompileOptions quiet() {
  CompileOptions options;
  options.warnings = false;
  options.lower = false;
  return options;
}

// "file line:col Kind: message" per diagnostic (file without its directory), in sorted order.
std::string at(const Compilation& c, Span span) {
  if (!span.valid()) return "-";
  const LineCol lc = c.sources.line_col(span.source, span.begin);
  return fs::path(c.sources.file(span.source).path).filename().string() + " " + std::to_string(lc.line) + ":" +
         std::to_string(lc.col);
}

std::vector<std::string> diagnostics(const Compilation& c) {
  std::vector<std::string> out;
  for (const Diagnostic& d : c.diagnostics.diagnostics()) {
    out.push_back(at(c, d.span) + " " + std::string(kind_name(d.kind)) + ": " + d.message);
  }
  return out;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("an imported file's declarations are visible to the importer", "[dsl][import]") {
  TempDir dir;
  dir.write("schema.flow", "schema lead { employees: int }\nevent form_submitted\nconst big = 50\n");
  const std::string main = dir.write("main.flow", R"(import "schema.flow"
workflow w {
  when form_submitted
  if lead.employees > big { tag "big" }
})");
  auto c = compile_files({main}, quiet());
  CHECK(diagnostics(*c).empty());
  REQUIRE(c->files.size() == 2);
  // Load order: imports before importers.
  CHECK(c->sources.file(c->files[0]->source).path == dir / "schema.flow");
  CHECK(c->sources.file(c->files[1]->source).path == main);
}

TEST_CASE("imports are relative to the importing file and each file is loaded once", "[dsl][import]") {
  TempDir dir;
  dir.write("shared/schema.flow", "event replied\nschema lead { country: string }\n");
  dir.write("flows/a.flow", "import \"../shared/schema.flow\"\nworkflow a { when replied }\n");
  dir.write("flows/b.flow",
            "import \"../shared/schema.flow\"\nimport \"a.flow\"\n"
            "workflow b {\n  when replied\n  if lead.country == \"DE\" { enroll a }\n}\n");
  auto c = compile_files({dir / "flows"}, quiet());
  CHECK(diagnostics(*c).empty());
  CHECK(c->sources.size() == 3);
  CHECK(c->files.size() == 3);
  CHECK(c->sources.file(c->files[0]->source).path == dir / "shared/schema.flow");
}

TEST_CASE("an import of a missing file is an error at its path", "[dsl][import]") {
  TempDir dir;
  dir.write("schema.flow", "event replied\n");
  const std::string main = dir.write("main.flow", "import \"schem.flow\"\nimport \"nothing/here.flow\"\n");
  auto c = compile_files({main}, quiet());
  REQUIRE(diagnostics(*c) == Lines{
                                 "main.flow 1:8 ImportNotFound: imported file `schem.flow` does not exist",
                                 "main.flow 2:8 ImportNotFound: imported file `nothing/here.flow` does not exist",
                             });
  CHECK(c->diagnostics.diagnostics()[0].help == "did you mean `schema.flow`?");
  CHECK(c->diagnostics.diagnostics()[1].help ==
        "imports are relative to the importing file; looked for `" + (dir / "nothing/here.flow") + "`");
}

TEST_CASE("names missing because an import failed are not reported again", "[dsl][import]") {
  TempDir dir;
  dir.write("middle.flow", "import \"gone.flow\"\n");
  const std::string main = dir.write("main.flow", R"(import "middle.flow"
workflow w {
  when form_submitted
  if lead.employees > big { enroll nurture }
})");
  auto c = compile_files({main}, quiet());
  CHECK(diagnostics(*c) == Lines{"middle.flow 1:8 ImportNotFound: imported file `gone.flow` does not exist"});
}

TEST_CASE("files importing each other are an error at the import closing the cycle", "[dsl][import]") {
  TempDir dir;
  const std::string a = dir.write("a.flow", "import \"b.flow\"\nevent replied\n");
  const std::string b = dir.write("b.flow", "import \"a.flow\"\nworkflow w { when replied }\n");
  auto c = compile_files({a}, quiet());
  // Compilation goes on: `replied` from a.flow is still visible in b.flow.
  REQUIRE(diagnostics(*c) ==
          Lines{"b.flow 1:8 ImportCycle: import cycle: `" + a + "` -> `" + b + "` -> `" + a + "`"});
  const Diagnostic& d = c->diagnostics.diagnostics()[0];
  REQUIRE(d.notes.size() == 1);
  CHECK(at(*c, d.notes[0].span) == "a.flow 1:8");
  CHECK(d.notes[0].message == "`" + a + "` imports `" + b + "` here");
  CHECK(c->files.size() == 2);
}

TEST_CASE("a longer import cycle has a note at every other import in it", "[dsl][import]") {
  TempDir dir;
  const std::string a = dir.write("a.flow", "import \"b.flow\"\n");
  dir.write("b.flow", "\nimport \"c.flow\"\n");
  dir.write("c.flow", "import \"a.flow\"\n");
  dir.write("self.flow", "import \"self.flow\"\n");
  auto c = compile_files({a, dir / "self.flow"}, quiet());
  REQUIRE(diagnostics(*c).size() == 2);
  const Diagnostic& d = c->diagnostics.diagnostics()[0];
  CHECK(at(*c, d.span) == "c.flow 1:8");
  REQUIRE(d.notes.size() == 2);
  CHECK(at(*c, d.notes[0].span) == "a.flow 1:8");
  CHECK(at(*c, d.notes[1].span) == "b.flow 2:8");
  const Diagnostic& self = c->diagnostics.diagnostics()[1];
  CHECK(at(*c, self.span) == "self.flow 1:8");
  CHECK(self.notes.empty());
}

TEST_CASE("a file does not see declarations of files it does not import", "[dsl][import]") {
  TempDir dir;
  const std::string a = dir.write("a.flow", "const limit = 5\nevent replied\n");
  const std::string b = dir.write("b.flow", R"(workflow w {
  when replied
  if lead.score > limit { tag "x" }
})");
  auto c = compile_files({a, b}, quiet());
  REQUIRE(diagnostics(*c) == Lines{
                                 "b.flow 2:8 UnknownEvent: unknown event `replied`",
                                 "b.flow 3:19 UnknownName: unknown name `limit`",
                             });
  CHECK(c->diagnostics.diagnostics()[0].help == "`replied` is defined in `" + a + "`, which this file does not import");
  CHECK(c->diagnostics.diagnostics()[1].help == "`limit` is defined in `" + a + "`, which this file does not import");
}

TEST_CASE("visibility is transitive through imports", "[dsl][import]") {
  TempDir dir;
  dir.write("base.flow", "event replied\nschema lead { country: string }\n");
  dir.write("middle.flow", "import \"base.flow\"\n");
  const std::string top = dir.write("top.flow", "import \"middle.flow\"\nworkflow w {\n  when replied\n  if lead.country == \"DE\" { tag \"x\" }\n}\n");
  auto c = compile_files({top}, quiet());
  CHECK(diagnostics(*c).empty());
}

TEST_CASE("a name defined in two files is a duplicate even when neither imports the other", "[dsl][import]") {
  TempDir dir;
  const std::string a = dir.write("a.flow", "workflow w { when replied }\nevent replied\n");
  const std::string b = dir.write("b.flow", "import \"a.flow\"\nworkflow w { when replied }\n");
  const std::string c_path = dir.write("c.flow", "event replied\n");
  auto c = compile_files({a, b, c_path}, quiet());
  REQUIRE(diagnostics(*c) == Lines{
                                 "b.flow 2:10 DuplicateDefinition: workflow `w` is already defined",
                                 "c.flow 1:7 DuplicateDefinition: event `replied` is already defined",
                             });
  CHECK(at(*c, c->diagnostics.diagnostics()[0].notes[0].span) == "a.flow 1:10");
  CHECK(at(*c, c->diagnostics.diagnostics()[1].notes[0].span) == "a.flow 2:7");
}

TEST_CASE("a file over the size limit is an error at 1:1 and is skipped", "[dsl][import]") {
  SECTION("in memory") {
    auto c = compile_text("big.flow", std::string(max_file_bytes + 1, ' '), quiet());
    CHECK(diagnostics(*c) == Lines{"big.flow 1:1 FileTooLarge: file is 8388609 bytes, over the 8 MiB limit"});
    CHECK(c->files.empty());
  }
  SECTION("imported") {
    TempDir dir;
    dir.write("big.flow", std::string(max_file_bytes + 10, '#'));
    const std::string main = dir.write("main.flow", "import \"big.flow\"\n");
    auto c = compile_files({main}, quiet());
    CHECK(diagnostics(*c) == Lines{"big.flow 1:1 FileTooLarge: file is 8388618 bytes, over the 8 MiB limit"});
    CHECK(c->files.size() == 1);
  }
}

TEST_CASE("directories expand to their .flow files, recursively and sorted", "[dsl][import]") {
  TempDir dir;
  dir.write("b.flow", "");
  dir.write("a.flow", "");
  dir.write("sub/c.flow", "");
  dir.write("notes.txt", "");
  const std::string extra = dir.write("other.txt", "");
  std::vector<std::string> bad;
  const auto files = collect_flow_files({dir / "", extra, dir / "missing"}, bad);
  CHECK(files == std::vector<std::string>{dir / "a.flow", dir / "b.flow", dir / "sub/c.flow", extra});
  CHECK(bad == std::vector<std::string>{dir / "missing"});
}

TEST_CASE("a root path that cannot be read is an error", "[dsl][import]") {
  TempDir dir;
  auto c = compile_files({dir / "missing.flow"}, quiet());
  CHECK(diagnostics(*c) == Lines{"- ImportNotFound: cannot read `" + (dir / "missing.flow") + "`"});
}

TEST_CASE("a clean program using every construct compiles without diagnostics", "[dsl][import]") {
  TempDir dir;
  dir.write("schema.flow", R"(# Fields and events.
schema lead {
  first_name: string
  title: string
  employees: int
  country: string
  language: string
  named_account: bool
  account_owner: string
  meeting_at: time
  meeting_status: string
  email_domain: string
}
event form_submitted { form_id: string  title: string  set lead.title = event.title }
event demo_requested
event meeting_booked { meeting_at: time  set lead.meeting_at = event.meeting_at }
event replied
event unsubscribed
event pricing_page_view
event email_opened
const free_mail = ["gmail.com", "yahoo.com"]
const target_countries = ["US", "CA", "GB", "DE", "AT", "CH"]
)");
  const std::string main = dir.write("main.flow", R"(import "schema.flow"

workflow inbound_router {
  when form_submitted where event.form_id == "demo"
  enroll once per lead
  exit when lead.unsubscribed or lead.stage == "disqualified"

  validate email
  enrich
  if lead.employees > 50 and lead.country in target_countries {
    score +30 "mid-market company in a target country"
    assign using ae_router with sla hot_lead
    task "Call {lead.first_name} now" due 5m owner lead.owner priority high
  } else if lead.email_domain in free_mail {
    score -10 "free mail"
    stage cold
  } else {
    score +10 "inbound form"
    enroll nurture
  }
}

workflow nurture {
  when lead.stage becomes "mql"
  enroll again after 30d
  exit when event replied, unsubscribed
  send email "welcome"
  wait 2 business days using office
  send email "case_study" from "vp_sales" to lead.email
  wait until lead.created_at + 14d
  notify slack "#sales" "nurtured {lead.email}"
  webhook "https://example.com/hook"
}

workflow meeting_booker {
  when demo_requested
  exit when event replied
  send email "what_to_expect"
  wait up to 1h for event meeting_booked where event.meeting_at > now
  on timeout {
    send email "trouble_booking"
    task "Manual follow-up" owner lead.owner
    stop
  }
}

workflow hot {
  when lead.score crosses above 80
  notify owner "hot lead {lead.first_name}"
  tag "hot"
}

workflow ghost_buster {
  when lead.stage == "sal" unchanged for 30d
  enroll always
  if days_since(lead.last_activity_at) > 14 {
    set lead.meeting_status = "stale"
    stage closed_lost reason "no response"
  }
}

scoring fit {
  lead.title matches /\b(ceo|cto|cfo|coo|chief)\b/i -> +25 "C-level"
  lead.employees >= 500                          -> +20 "500+ employees"
  lower(lead.email_domain) in free_mail          -> -10 "free-mail address"
}
scoring engagement {
  on pricing_page_view -> +20
  on email_opened -> +2 "opened"
  on unsubscribed -> -20
  inactive 30d -> -15
}
stages by score { cold 0..20  warm 21..40  mql 41..60  sal 61..80  sql 81..100 }
stages outbound { prospect -> contacted -> qualified -> closed_won -> closed_lost }
use scoring fit, engagement

team sdr {
  manager "mia@example.com"
  members ["ana@example.com", "ben@example.com"]
  capacity 40
  timezone "Europe/Sofia"
  hours 09:00..18:00
}
router ae_router {
  lead.named_account                  -> lead.account_owner
  lead.country in ["DE", "AT", "CH"]  -> team sdr
  lead.language == "es"               -> round_robin team sdr skip away
  otherwise                           -> round_robin team sdr skip away, at_capacity
  fallback manager
}
sla hot_lead 5m from assign until first_activity {
  at 50% remind owner
  at 100% alert manager
  at 150% reassign
  at 200% notify slack "#sales-alerts"
}
calendar office {
  timezone "Europe/Berlin"
  workdays mon..fri
  hours 09:00..17:00
  holidays ["2026-12-25", "2026-12-26"]
}
governance {
  timezone "UTC"
  cap email 50 per sender per day
  cap linkedin 20 per day
  send window 08:00..20:00
}
)");
  CompileOptions options;
  options.lower = false;  // warnings on
  auto c = compile_files({main}, options);
  CHECK(diagnostics(*c).empty());
  CHECK(c->symbols.active_scorings == std::vector<std::string>{"fit", "engagement"});
  CHECK(c->symbols.workflows.size() == 5);
  CHECK(c->symbols.governance != nullptr);
}
