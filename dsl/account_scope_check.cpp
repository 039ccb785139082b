// Where account-level constructs fit: an account workflow decides for the whole account, so
// only `for` steps (which choose the leads) can stand at its top level; the steps inside a `for`
// body run on one lead each, like any workflow's.
#include "dsl/account_scope_check.hpp"

#include <string>

#include "dsl/compiler.hpp"

namespace leadflow::dsl {
namespace {

std::string code(std::string_view s) { return "`" + std::string(s) + "`"; }

const char* keyword(StepKind k) {
  switch (k) {
    case StepKind::Score: return "score";
    case StepKind::Stage: return "stage";
    case StepKind::Set: return "set";
    case StepKind::Tag: return "tag";
    case StepKind::Assign: return "assign";
    case StepKind::Task: return "task";
    case StepKind::Send: return "send";
    case StepKind::Notify: return "notify";
    case StepKind::Webhook: return "webhook";
    case StepKind::Validate: return "validate";
    case StepKind::Enrich: return "enrich";
    case StepKind::Enroll: return "enroll";
    case StepKind::Wait: return "wait";
    case StepKind::If: return "if";
    case StepKind::Stop: return "stop";
    case StepKind::For: return "for";
  }
  return "?";
}

// An event that concerns an account, not a person: it names a `domain` and no `email` (the
// runtime gives it to every lead of the domain; runtime/jsonl_input.cpp is_account_event).
bool account_level(const EventInfo& e) { return e.field_index.count("domain") != 0 && e.field_index.count("email") == 0; }

class Checker {
 public:
  explicit Checker(Compilation& c) : c_(c), sink_(c.diagnostics) {}

  void run() {
    for (const auto& file : c_.files) {
      for (const WorkflowDecl& wf : file->workflows) workflow(wf);
    }
  }

 private:
  void workflow(const WorkflowDecl& wf) {
    if (!wf.account_scoped()) {
      lead_block(wf.steps, false);
      return;
    }
    for (const Trigger& t : wf.triggers) {
      const EventInfo* e = nullptr;
      if (t.kind == TriggerKind::Event && t.subject && t.subject->kind == ExprKind::Name) e = c_.symbols.event(t.subject->name);
      if (t.kind == TriggerKind::Event && (!e || account_level(*e))) continue;  // unknown: reported by resolve
      Diagnostic& d = sink_.error(DiagnosticKind::AccountScope, t.span,
                                  "workflow " + code(wf.name) + " runs per account, so it must start on an "
                                  "account-level event");
      d.help = "an account-level event has a `domain` and no `email`, like `company_intent`; or drop `per account`";
    }
    account_block(wf.steps);
  }

  // The top level of an account workflow (and its `for` steps' else blocks): `for` steps only.
  void account_block(const Block& steps) {
    for (const StepPtr& s : steps) {
      if (!s) continue;
      if (s->kind != StepKind::For) {
        Diagnostic& d = sink_.error(DiagnosticKind::AccountScope, s->keyword_span.valid() ? s->keyword_span : s->span,
                                    code(keyword(s->kind)) + " needs a lead, and an account workflow has none at its top level");
        d.help = "put it inside `for up to N leads of account where ... { }`, which runs it on each lead chosen";
        continue;
      }
      limit(*s);
      for (const IfArm& arm : s->arms) lead_block(arm.body, true);
      account_block(s->else_body);
    }
  }

  // Steps that run on one lead: no `for` (in a `for` body, or anywhere in a per-lead workflow).
  void lead_block(const Block& steps, bool in_for_body) {
    for (const StepPtr& s : steps) {
      if (!s) continue;
      if (s->kind == StepKind::For) {
        Diagnostic& d = sink_.error(DiagnosticKind::AccountScope, s->keyword_span.valid() ? s->keyword_span : s->span,
                                    in_for_body ? std::string("`for` inside a `for` body: the body already runs on one lead")
                                                : std::string("`for ... of account` needs an account workflow"));
        if (!in_for_body) d.help = "make the workflow's policy per account, e.g. `enroll again after 30d per account`";
        continue;
      }
      if (s->kind == StepKind::Enroll) enroll(*s);
      for (const IfArm& arm : s->arms) lead_block(arm.body, in_for_body);
      lead_block(s->else_body, in_for_body);
      lead_block(s->timeout_body, in_for_body);
    }
  }

  void limit(const Step& s) {
    if (s.for_limit_span.valid() && s.for_limit <= 0) {
      sink_.error(DiagnosticKind::AccountScope, s.for_limit_span, "`for up to 0 leads` would choose nobody")
          .help = "write `up to 1` or more, or `for every lead of account`";
    }
  }

  void enroll(const Step& s) {
    auto it = c_.symbols.workflows.find(s.name);
    if (it == c_.symbols.workflows.end() || !it->second || !it->second->account_scoped()) return;
    sink_.error(DiagnosticKind::AccountScope, s.name_span.valid() ? s.name_span : s.span,
                "workflow " + code(s.name) + " runs per account: only its account-level event starts it, not `enroll`");
  }

  Compilation& c_;
  DiagnosticSink& sink_;
};

}  // namespace

void check_account_scope(Compilation& c) { Checker(c).run(); }

}  // namespace leadflow::dsl
