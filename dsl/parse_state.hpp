// The builder state that parse actions fill while PEGTL walks a .flow file.
// Each construct pushes what it recognises and the enclosing construct's action pops it, so the
// stacks are empty between declarations; recovery after a syntax error simply clears them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/diagnostic.hpp"
#include "dsl/source.hpp"

namespace leadflow::dsl {

struct ParseState {
  ParseState(const SourceManager& s, SourceId id, DiagnosticSink& d, FileAst& f)
      : sources(s), source(id), base(s.file(id).text.data()), sink(d), file(f) {}

  const SourceManager& sources;
  SourceId source;
  const char* base;
  DiagnosticSink& sink;
  FileAst& file;
  int depth = 0;  // nesting of parentheses, blocks, unary operators (checked by the control)

  // Expressions under construction.
  std::vector<ExprPtr> exprs;
  std::vector<std::size_t> marks;     // exprs.size() at `(` of a call or `[` of a list
  std::vector<Op> ops;                // binary operators waiting for their right operand
  std::vector<ExprPtr> strings;       // string literals being assembled (interpolation nests)
  std::vector<TypeRef> types;
  std::vector<std::pair<std::string, Span>> names;

  // Workflows: steps whose clauses are still being parsed, and the blocks steps go into.
  std::unique_ptr<WorkflowDecl> workflow;
  std::vector<StepPtr> open_steps;
  std::vector<Block*> blocks;
  Trigger trigger;
  ExitRule exit;
  std::optional<EnrollPolicyKind> policy;
  ExprPtr policy_cooldown;
  bool policy_account = false;
  Span policy_scope_span;
  std::size_t enroll_begin = 0;

  // Other declarations being built (at most one at a time: declarations do not nest).
  std::unique_ptr<SchemaDecl> schema;
  std::unique_ptr<EventDecl> event;
  std::unique_ptr<ScoringDecl> scoring;
  std::unique_ptr<StagesDecl> stages;
  std::size_t stages_names_mark = 0;
  std::unique_ptr<UseDecl> use;
  std::unique_ptr<RouterDecl> router;
  std::unique_ptr<TeamDecl> team;
  std::unique_ptr<SlaDecl> sla;
  std::unique_ptr<CalendarDecl> calendar;
  std::unique_ptr<GovernanceDecl> governance;
  std::unique_ptr<TestDecl> test;
  std::vector<RecordEntry> record;  // entries of the record being parsed
  ExprPtr test_offset;

  // Pieces of the entry being parsed inside a declaration.
  ScoringRule rule;
  RouteTarget target;
  ExprPtr route_condition;
  std::optional<ClockRange> clock;
  int clock_begin = 0;
  std::string timezone;
  Span timezone_span;
  SlaLevel level;
  CapRule cap;
  std::int64_t range_low = 0;
  std::int64_t range_high = 0;

  Span span(const char* begin, const char* end) const {
    return Span{source, static_cast<std::uint32_t>(begin - base), static_cast<std::uint32_t>(end - base)};
  }
  template <typename Input>
  Span span(const Input& in) const {
    return span(in.begin(), in.end());
  }

  ExprPtr pop_expr() {
    ExprPtr e = std::move(exprs.back());
    exprs.pop_back();
    return e;
  }
  std::pair<std::string, Span> pop_name() {
    auto n = std::move(names.back());
    names.pop_back();
    return n;
  }

  // Drops everything half-built after a syntax error.
  void reset() {
    depth = 0;
    exprs.clear();
    marks.clear();
    ops.clear();
    strings.clear();
    types.clear();
    names.clear();
    workflow.reset();
    open_steps.clear();
    blocks.clear();
    trigger = Trigger{};
    exit = ExitRule{};
    policy.reset();
    policy_cooldown.reset();
    policy_account = false;
    schema.reset();
    event.reset();
    scoring.reset();
    stages.reset();
    use.reset();
    router.reset();
    team.reset();
    sla.reset();
    calendar.reset();
    governance.reset();
    test.reset();
    record.clear();
    test_offset.reset();
    rule = ScoringRule{};
    target = RouteTarget{};
    route_condition.reset();
    clock.reset();
  }
};

}  // namespace leadflow::dsl
