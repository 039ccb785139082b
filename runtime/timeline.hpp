// The dry-run timeline: effects as the JSON Lines of DESIGN.md ("Dry-run output") or as text
// grouped by lead, and the `--final-state` lines.
#pragma once

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "engine/engine.hpp"

namespace leadflow::runtime {

// `{"at":"2026-01-05T09:00:00Z","lead":"L-1","workflow":null,"action":"score",...fields}`: keys
// in that order, the effect's fields after them in their order; no trailing newline.
std::string effect_jsonl(const engine::Effect& effect);
// The same line appended to `out` (a dry run writes millions: no string per line).
void append_effect_jsonl(std::string& out, const engine::Effect& effect);

// `{"lead":"L-1","final":true,"score":45,"stage":"mql","owner":"ana@acme.com","fields":{...}}`:
// `fields` holds every non-null lead field but id, score, stage and owner, in slot order.
std::string final_state_jsonl(const engine::Program& program, const std::string& lead,
                              const engine::LeadState& state);

// One effect as a text line without the time and lead: `score +20 → 45 "pricing page view"`.
std::string effect_text(const engine::Effect& effect);

// Collects effects, trace lines and final states, then writes them as text grouped by lead
// (leads in order of first appearance, each lead's lines in time order).
class TextTimeline {
 public:
  void add(const engine::Effect& effect);
  void add(const engine::TraceLine& line);
  void add_final(const engine::Program& program, const std::string& lead, const engine::LeadState& state);
  void write(std::ostream& out) const;

 private:
  struct Group {
    std::string lead;
    std::vector<std::string> lines;
  };
  Group& group(const std::string& lead);
  std::vector<Group> groups_;
  std::map<std::string, std::size_t> index_;  // lead -> groups_ position
  std::vector<std::string> engine_lines_;  // lines without a lead
};

}  // namespace leadflow::runtime
