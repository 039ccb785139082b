// The stored lead state (runtime/store/lead_codec): strings that need JSON escaping, at every
// position of the eight-byte scan that decides whether they do, read back unchanged.
#include <catch2/catch.hpp>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "runtime/reload.hpp"
#include "runtime/store/lead_codec.hpp"

using namespace leadflow;

namespace {

const runtime::CompiledSet& standard_workflows() {
  static runtime::CompiledSet set = runtime::compile_workflow_set(std::string(LEADFLOW_SOURCE_DIR) + "/stdlib-workflows");
  return set;
}

}  // namespace

TEST_CASE("lead states with strings that need escaping encode to JSON that decodes to the same strings",
          "[runtime][store][codec]") {
  REQUIRE(standard_workflows().ok());
  const auto& program = standard_workflows().program;
  const engine::Slot first_name = program->lead_slot("first_name");
  const engine::Slot company = program->lead_slot("company");
  REQUIRE(first_name != engine::no_index);
  REQUIRE(company != engine::no_index);

  std::vector<std::string> specials = {"\"", "\\", "\n", "\t", std::string(1, '\x01'), std::string(1, '\x1f'),
                                       "\b", "\f", "\r"};
  std::vector<std::string> texts = {"", "plain", "exactly8", "sixteen bytes ok", "Zoë → Straße 漢字 ünïcödé 1234567"};
  for (const std::string& special : specials) {
    for (std::size_t at = 0; at <= 17; ++at) {
      std::string s(17, 'a');
      s.insert(at, special);
      texts.push_back(s);
      texts.push_back("\xc3\xa9\xe2\x86\x92" + s);  // UTF-8 bytes (high bit set) before it
    }
  }
  for (const std::string& text : texts) {
    engine::LeadState lead;
    lead.tenant = "acme";
    lead.fields.assign(program->lead_fields.size(), engine::Value());
    lead.fields[static_cast<std::size_t>(first_name)] = engine::Value::string(text);
    lead.fields[static_cast<std::size_t>(company)] = engine::Value::string(text + text);
    lead.score_log.push_back({engine::intern("scoring " + text), engine::intern(text), 5, 1795453047, engine::intern(text)});
    const std::string json = runtime::store::encode_lead(lead, *program);

    boost::json::error_code ec;
    boost::json::parse(json, ec);
    CHECK_FALSE(ec);
    engine::LeadState back = runtime::store::decode_lead(json, program, {});
    CHECK(back.fields[static_cast<std::size_t>(first_name)].as_string() == text);
    CHECK(back.fields[static_cast<std::size_t>(company)].as_string() == text + text);
    REQUIRE(back.score_log.size() == 1);
    CHECK(back.score_log[0].reason == text);
    CHECK(back.score_log[0].rule == text);
    CHECK(runtime::store::encode_lead(back, *program) == json);
  }
}

TEST_CASE("a field edge's last evaluation, kept as its parts, is stored as the trace line it reads as",
          "[runtime][store][codec]") {
  REQUIRE(standard_workflows().ok());
  const auto& program = standard_workflows().program;
  engine::LeadState lead;
  lead.tenant = "acme";
  lead.fields.assign(program->lead_fields.size(), engine::Value());
  // Inserted out of key order: stored in key order, as from the std::map these were before.
  engine::TriggerCheck& edge = lead.facts.triggers["mql_handoff#0"];
  edge.at = 1795453047;
  edge.failed = 2;
  edge.edge_trigger = engine::intern("when lead.score crosses above 30");
  edge.edge_field = engine::intern("score");
  edge.edge_before = engine::Value::integer(10);
  edge.edge_after = engine::Value::integer(20);
  engine::TriggerCheck& missing = lead.facts.triggers["deal_close#1"];
  missing.result = true;
  missing.edge_trigger = engine::intern("when lead.stage becomes \"mql\"");
  missing.edge_field = engine::intern("stage");
  missing.edge_after = engine::Value::string("mql");
  lead.facts.triggers["alternatives#0"].set_line("when disqualified where event.reason matches /competitor/i → false");

  const std::string json = runtime::store::encode_lead(lead, *program);
  const auto triggers = boost::json::parse(json).at("facts").at("triggers").as_object();
  std::vector<std::string> keys;
  for (const auto& [k, v] : triggers) keys.emplace_back(k);
  CHECK(keys == std::vector<std::string>{"alternatives#0", "deal_close#1", "mql_handoff#0"});
  CHECK(triggers.at("mql_handoff#0").at(2).as_string() ==
        "when lead.score crosses above 30 → false (score = 20, before 10)");
  CHECK(triggers.at("deal_close#1").at(2).as_string() == "when lead.stage becomes \"mql\" → true (stage = \"mql\", before missing)");

  engine::LeadState back = runtime::store::decode_lead(json, program, {});
  REQUIRE(back.facts.triggers.size() == 3);
  auto it = back.facts.triggers.find("mql_handoff#0");
  REQUIRE(it != back.facts.triggers.end());
  CHECK(it->second.text() == "when lead.score crosses above 30 → false (score = 20, before 10)");
  CHECK(it->second.failed == 2);
  CHECK(runtime::store::encode_lead(back, *program) == json);
}
