// Name resolution: builds a compilation's Symbols and binds every name in its ASTs to them.
#pragma once

#include <vector>

#include "dsl/source.hpp"

namespace leadflow::dsl {

struct Compilation;

// Which sources a source may see: itself and the files it imports, transitively. Duplicate
// definitions are still checked across the whole compilation (the engine has one namespace).
class Visibility {
 public:
  // Everything sees everything (a single buffer, or tests on hand-built ASTs).
  Visibility() = default;
  // `imports[s]` lists the sources that source `s` imports directly (cycles allowed).
  static Visibility from_imports(const std::vector<std::vector<SourceId>>& imports);

  bool sees(SourceId from, SourceId target) const;

  // A source with an import that could not be loaded: the names it (or a file importing it)
  // misses probably live in that file, so resolve does not report them; the import error
  // says what is wrong.
  void mark_incomplete(SourceId source);
  bool incomplete(SourceId source) const;

 private:
  std::vector<std::vector<SourceId>> visible_;  // per source, sorted; none = sees everything
  std::vector<SourceId> incomplete_;            // sorted
};

// Fills `c.symbols` from the declarations of `c.files` (in load order; the first definition
// of a name wins) and resolves every name: lead and event fields (`resolved_slot` and `type`),
// constants (`resolved_const`, `ConstDecl::used`), events, workflows, routers, teams, SLAs,
// stages, scoring models, calendars, channels and time zones. Also checks the structural
// rules that need no types: triggers, enroll policies, points and stage ranges, SLA levels,
// clock times and steps after `stop`. Every problem goes to `c.diagnostics`; an expression
// that cannot be resolved keeps `Type::error()`, so typecheck stays quiet about it.
void resolve(Compilation& c, const Visibility& visibility = {});

}  // namespace leadflow::dsl
