// Effect lines: append_effect_jsonl's fast paths write what the engine's JSON functions write,
// and the JSONL writer writes the same bytes whether it formats on a second thread or not.
#include <catch2/catch.hpp>

#include <limits>
#include <sstream>
#include <string>

#include "runtime/jsonl_effect_writer.hpp"
#include "runtime/timeline.hpp"

using leadflow::engine::Effect;
using leadflow::engine::Value;
using leadflow::runtime::append_effect_jsonl;
using leadflow::runtime::JsonlEffectWriter;

namespace {

// The line as the engine's own JSON functions spell it, piece by piece.
std::string reference_line(const Effect& e) {
  std::string out = "{\"at\":";
  leadflow::engine::append_json_string(out, leadflow::engine::format_time(e.at));
  out += ",\"lead\":";
  leadflow::engine::append_json_string(out, e.lead);
  out += ",\"workflow\":";
  if (e.workflow.empty()) {
    out += "null";
  } else {
    leadflow::engine::append_json_string(out, e.workflow);
  }
  out += ",\"action\":";
  leadflow::engine::append_json_string(out, e.action);
  for (const auto& [key, value] : e.fields) {
    out += ',';
    leadflow::engine::append_json_string(out, key);
    out += ':';
    leadflow::engine::append_json(out, value);
  }
  out += '}';
  return out;
}

Effect sample(int n) {
  Effect e{1767600000 + n * 3607, "L-" + std::to_string(n), n % 3 == 0 ? "" : "inbound_router", "score", {}};
  e.fields.emplace_back("delta", Value::integer(n % 2 == 0 ? n : -n));
  e.fields.emplace_back("reason", Value::string("visited \"pricing\" page #" + std::to_string(n)));
  e.fields.emplace_back("due", Value::time(1767600000 + n));
  return e;
}

}  // namespace

TEST_CASE("effect lines escape exactly as the engine's JSON strings do", "[runtime][timeline]") {
  // Each string sits at several offsets, so the character to escape falls in a word checked
  // whole and in the bytes after the last whole word.
  const std::string specials[] = {"\"", "\\", "\n", "\r", "\t", "\b", "\f", std::string(1, '\0'), "\x01", "\x1f",
                                  "\x7f", "é", "\xff", " ", "~"};
  for (const std::string& special : specials) {
    for (std::size_t before = 0; before < 18; ++before) {
      const std::string text = std::string(before, 'a') + special + "bcdefghij";
      Effect e{0, text, text, text, {{text, Value::string(text)}}};
      std::string line;
      append_effect_jsonl(line, e);
      INFO("special byte " << static_cast<int>(static_cast<unsigned char>(special[0])) << " after " << before);
      CHECK(line == reference_line(e));
    }
  }
}

TEST_CASE("effect lines write times, numbers, lists and nulls as the engine does", "[runtime][timeline]") {
  Effect e{-1, "", "", "set",
           {{"int", Value::integer(-9223372036854775807LL - 1)},
            {"zero", Value::integer(0)},
            {"decimal", Value::decimal(2.0)},
            {"nan", Value::decimal(std::numeric_limits<double>::quiet_NaN())},
            {"time", Value::time(253402300800)},  // year 10000: the engine's long form
            {"before_1970", Value::time(-86399)},
            {"duration", Value::duration(5400)},
            {"list", Value::list({Value::string("DE"), Value::integer(1), Value()})},
            {"null", Value()},
            {"bool", Value::boolean(true)}}};
  std::string line;
  append_effect_jsonl(line, e);
  CHECK(line == reference_line(e));
}

TEST_CASE("the JSONL writer writes the same bytes with and without its second thread", "[runtime][timeline]") {
  std::string expected;
  for (int n = 0; n < 10'000; ++n) {
    append_effect_jsonl(expected, sample(n));
    expected += '\n';
  }
  for (bool background : {false, true}) {
    INFO("background " << background);
    std::ostringstream out;
    {
      JsonlEffectWriter writer(out, background);
      for (int n = 0; n < 10'000; ++n) writer.add(sample(n));
      writer.finish();
      out << "after finish\n";  // the caller may write again once finish() returned
    }
    CHECK(out.str() == expected + "after finish\n");
  }
}

TEST_CASE("a JSONL writer given nothing writes nothing", "[runtime][timeline]") {
  for (bool background : {false, true}) {
    std::ostringstream out;
    { JsonlEffectWriter writer(out, background); }
    CHECK(out.str().empty());
  }
}
