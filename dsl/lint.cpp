// Lint rules over resolved, typed ASTs; see lint.hpp.
#include "dsl/lint.hpp"

#include <algorithm>

#include <string_view>

#include "dsl/compiler.hpp"
#include "dsl/typecheck.hpp"

namespace leadflow::dsl {

namespace {

constexpr std::int64_t max_wait_seconds = 365LL * 24 * 3600;

std::string code(std::string_view s) { return "`" + std::string(s) + "`"; }

bool reads_unsubscribed(const Expr* e) {
  if (!e) return false;
  if (e->kind == ExprKind::LeadField && e->name == "unsubscribed") return true;
  for (const ExprPtr& child : e->children) {
    if (reads_unsubscribed(child.get())) return true;
  }
  for (const StringPart& part : e->parts) {
    if (reads_unsubscribed(part.expr.get())) return true;
  }
  return false;
}

class Linter {
 public:
  explicit Linter(Compilation& c) : c_(c), sink_(c.diagnostics) {}

  void run() {
    for (auto& file : c_.files) {
      // A constant of a file that is only imported may be for other importers: checking one
      // workflow must not flag the shared schema's lists.
      const bool root = std::find(c_.roots.begin(), c_.roots.end(), file->source) != c_.roots.end();
      for (const ConstDecl& decl : file->consts) {
        if (!root) continue;
        auto it = c_.symbols.consts.find(decl.name);
        const bool first = it == c_.symbols.consts.end() || it->second == &decl;
        if (!decl.used && first) {
          sink_.warning(DiagnosticKind::UnusedConstant, decl.name_span,
                        "constant " + code(decl.name) + " is never used");
        }
      }
      for (const WorkflowDecl& wf : file->workflows) lint_workflow(wf);
      for (const RouterDecl& router : file->routers) {
        if (router.fallback) continue;
        sink_.warning(DiagnosticKind::RouterWithoutFallback, router.name_span,
                      "router " + code(router.name) + " has no fallback")
            .help = "add `fallback manager` so that no lead is left without an owner";
      }
    }
  }

 private:
  void lint_workflow(const WorkflowDecl& wf) {
    sends_ = 0;
    block(wf.steps);
    if (sends_ < 2) return;
    for (const ExitRule& rule : wf.exits) {
      for (const std::string& event : rule.events) {
        if (event == "replied" || event == "unsubscribed") return;
      }
      if (reads_unsubscribed(rule.condition.get())) return;
    }
    sink_.warning(DiagnosticKind::MissingStopRule, wf.name_span,
                  "workflow " + code(wf.name) + " sends " + std::to_string(sends_) +
                      " messages but never exits on a reply or an unsubscribe")
        .help = "add `exit when event replied, unsubscribed`";
  }

  void block(const Block& steps) {
    for (const StepPtr& s : steps) {
      if (!s) continue;
      switch (s->kind) {
        case StepKind::Send:
          ++sends_;
          break;
        case StepKind::Wait:
          wait(*s);
          block(s->timeout_body);
          break;
        case StepKind::If:
        case StepKind::For:
          for (const IfArm& arm : s->arms) block(arm.body);
          block(s->else_body);
          break;
        default:
          break;
      }
    }
  }

  void wait(const Step& s) {
    if (!s.amount) return;
    std::optional<std::int64_t> seconds;
    if (s.wait_kind == WaitKind::Duration || s.wait_kind == WaitKind::ForEvent) {
      seconds = constant_seconds(*s.amount);
    } else if (s.wait_kind == WaitKind::BusinessDays) {
      // A business day is at least a calendar day.
      if (auto days = constant_int(*s.amount); days && *days <= max_wait_seconds / 86400 + 1) {
        seconds = *days * 86400;
      } else if (days) {
        seconds = max_wait_seconds + 1;
      }
    }
    if (!seconds || *seconds <= max_wait_seconds) return;
    std::string shown;
    if (s.amount->span.valid() && s.amount->span.source < c_.sources.size()) {
      shown = std::string(c_.sources.text(s.amount->span));
    }
    sink_.warning(DiagnosticKind::WaitTooLong, s.amount->span,
                  "wait of " + code(shown.empty() ? std::to_string(*seconds / 86400) + "d" : shown) +
                      " is longer than 365 days")
        .help = "check the unit; to come back to a lead much later, use `enroll again after`";
  }

  Compilation& c_;
  DiagnosticSink& sink_;
  int sends_ = 0;
};

}  // namespace

void lint(Compilation& c) { Linter(c).run(); }

}  // namespace leadflow::dsl
