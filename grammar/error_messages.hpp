// What a syntax error says was expected, per grammar rule. The parser appends what it found.
#pragma once

#include "grammar/flow_grammar.hpp"

namespace leadflow::grammar {

struct error_messages {
  template <typename Rule>
  static constexpr const char* message = nullptr;
};

// s_<R> (a token after optional whitespace) reports what R reports.
template <typename R>
inline constexpr const char* error_message_of = error_messages::template message<R>;

#define LEADFLOW_EXPECTED(rule, text) \
  template <>                         \
  inline constexpr const char* error_messages::message<rule> = text

LEADFLOW_EXPECTED(bad_declaration,
                  "expected a declaration (`workflow`, `schema`, `event`, `const`, `import`, `scoring`, `stages`, "
                  "`use`, `disable`, `router`, `team`, `sla`, `calendar`, `governance` or `test`)");
LEADFLOW_EXPECTED(decl_name, "expected a name");
LEADFLOW_EXPECTED(ref_name, "expected a name");
LEADFLOW_EXPECTED(event_ref, "expected an event name");
LEADFLOW_EXPECTED(block_close, "expected `}`");
LEADFLOW_EXPECTED(step_block_close, "expected `}` to close the block");
LEADFLOW_EXPECTED(lbrace, "expected `{`");
LEADFLOW_EXPECTED(rparen, "expected `)`");
LEADFLOW_EXPECTED(call_close, "expected `,` or `)` after an argument");
LEADFLOW_EXPECTED(list_close, "expected `,` or `]` after a list element");
LEADFLOW_EXPECTED(interp_close, "expected `}` to close the interpolation");
LEADFLOW_EXPECTED(string_close, "expected `\"` to close the string (strings end on the same line)");
LEADFLOW_EXPECTED(regex_body, "expected a regular expression");
LEADFLOW_EXPECTED(regex_close, "expected `/` to close the regular expression");
LEADFLOW_EXPECTED(regex_flags, "expected regular expression flags");
LEADFLOW_EXPECTED(match_pattern, "expected a regular expression like `/^vp/i` or a string after `matches`");
LEADFLOW_EXPECTED(block_comment_body, "expected `*/` to close the comment");
LEADFLOW_EXPECTED(expr, "expected an expression");
LEADFLOW_EXPECTED(unary, "expected an operand");
LEADFLOW_EXPECTED(multiplicative, "expected an operand");
LEADFLOW_EXPECTED(additive, "expected an operand");
LEADFLOW_EXPECTED(not_expr, "expected an operand");
LEADFLOW_EXPECTED(and_expr, "expected an operand");
LEADFLOW_EXPECTED(kw_in, "expected `in` after `not`");
LEADFLOW_EXPECTED(dot, "expected `.`");
LEADFLOW_EXPECTED(member_name, "expected a field name");
LEADFLOW_EXPECTED(equals, "expected `=`");
LEADFLOW_EXPECTED(colon, "expected `:` between a field name and its type");
LEADFLOW_EXPECTED(arrow, "expected `->`");
LEADFLOW_EXPECTED(dot_dot, "expected `..`");
LEADFLOW_EXPECTED(type_ref, "expected a type (`bool`, `int`, `decimal`, `string`, `time`, `duration` or `list<T>`)");
LEADFLOW_EXPECTED(type_close, "expected `>` to close `list<`");
LEADFLOW_EXPECTED(import_path, "expected the imported file's path as a string");
LEADFLOW_EXPECTED(const_value, "expected the constant's value");
LEADFLOW_EXPECTED(kw_lead, "expected `lead`");
LEADFLOW_EXPECTED(schema_open, "expected `{` to open the schema");
LEADFLOW_EXPECTED(set_target, "expected a lead field like `lead.stage`");
LEADFLOW_EXPECTED(set_value, "expected the value to set");
LEADFLOW_EXPECTED(trigger_subject, "expected a trigger: an event name, or a condition on lead fields");
LEADFLOW_EXPECTED(trigger_value, "expected a value");
LEADFLOW_EXPECTED(trigger_where, "expected a condition after `where`");
LEADFLOW_EXPECTED(kw_for, "expected `for`");
LEADFLOW_EXPECTED(kw_when, "expected `when`");
LEADFLOW_EXPECTED(exit_event, "expected an event name");
LEADFLOW_EXPECTED(policy_cooldown, "expected a duration after `again after`");
LEADFLOW_EXPECTED(kw_after, "expected `after`");
LEADFLOW_EXPECTED(step_points, "expected points like `+25` or `-10`");
LEADFLOW_EXPECTED(rule_points, "expected points like `+25` or `-10`");
LEADFLOW_EXPECTED(step_text, "expected a string in double quotes");
LEADFLOW_EXPECTED(task_title, "expected the task title as a string");
LEADFLOW_EXPECTED(rule_reason, "expected the reason as a string, e.g. `\"C-level title\"`");
LEADFLOW_EXPECTED(notify_message, "expected the message as a string");
LEADFLOW_EXPECTED(send_channel, "expected a channel (`email`, `sms` or `linkedin`)");
LEADFLOW_EXPECTED(send_sender, "expected the sender as a string");
LEADFLOW_EXPECTED(send_recipient, "expected the recipient");
LEADFLOW_EXPECTED(kw_email, "expected `email`");
LEADFLOW_EXPECTED(assign_router, "expected a router name");
LEADFLOW_EXPECTED(assign_team, "expected a team name");
LEADFLOW_EXPECTED(assign_owner, "expected an owner");
LEADFLOW_EXPECTED(assign_sla_name, "expected an SLA name");
LEADFLOW_EXPECTED(kw_sla, "expected `sla`");
LEADFLOW_EXPECTED(task_due_value, "expected when the task is due, e.g. `5m`");
LEADFLOW_EXPECTED(task_owner_value, "expected the task's owner");
LEADFLOW_EXPECTED(task_priority_value, "expected a priority (`high`, `normal` or `low`)");
LEADFLOW_EXPECTED(stage_word, "expected a stage name");
LEADFLOW_EXPECTED(wait_until_value, "expected a time after `wait until`");
LEADFLOW_EXPECTED(wait_limit, "expected how long to wait, e.g. `1h`");
LEADFLOW_EXPECTED(kw_event, "expected `event`");
LEADFLOW_EXPECTED(wait_event, "expected the event to wait for");
LEADFLOW_EXPECTED(wait_where_value, "expected a condition after `where`");
LEADFLOW_EXPECTED(timeout_open, "expected `{` after `on timeout`");
LEADFLOW_EXPECTED(business_calendar, "expected a calendar name");
LEADFLOW_EXPECTED(if_condition, "expected a condition");
LEADFLOW_EXPECTED(then_open, "expected `{` after the condition");
LEADFLOW_EXPECTED(else_open, "expected `{` or `if` after `else`");
LEADFLOW_EXPECTED(workflow_open, "expected `{` to open the workflow");
LEADFLOW_EXPECTED(scoring_open, "expected `{` to open the scoring model");
LEADFLOW_EXPECTED(rule_where, "expected a condition after `where`");
LEADFLOW_EXPECTED(rule_event, "expected an event name after `on`");
LEADFLOW_EXPECTED(inactive_after, "expected a duration after `inactive`");
LEADFLOW_EXPECTED(range_low, "expected the low end of the range, e.g. `0..20`");
LEADFLOW_EXPECTED(range_high, "expected the high end of the range, e.g. `0..20`");
LEADFLOW_EXPECTED(score_ranges_open, "expected `{` to open the stage ranges");
LEADFLOW_EXPECTED(pipeline_open, "expected `{` to open the stage list");
LEADFLOW_EXPECTED(kw_score, "expected `score`");
LEADFLOW_EXPECTED(use_name, "expected a name");
LEADFLOW_EXPECTED(target_team_name, "expected a team name");
LEADFLOW_EXPECTED(skip_condition, "expected a skip condition (`away` or `at_capacity`)");
LEADFLOW_EXPECTED(kw_team, "expected `team`");
LEADFLOW_EXPECTED(route_target, "expected a target: an owner, `team NAME`, `round_robin team NAME` or `manager`");
LEADFLOW_EXPECTED(router_open, "expected `{` to open the router");
LEADFLOW_EXPECTED(team_manager_value, "expected the manager as a string");
LEADFLOW_EXPECTED(team_members_value, "expected the members as a list of strings");
LEADFLOW_EXPECTED(team_capacity_value, "expected a whole number");
LEADFLOW_EXPECTED(timezone_value, "expected an IANA time zone as a string, e.g. `\"Europe/Berlin\"`");
LEADFLOW_EXPECTED(team_open, "expected `{` to open the team");
LEADFLOW_EXPECTED(clock_range, "expected a clock range like `09:00..17:00`");
LEADFLOW_EXPECTED(clock_begin, "expected a clock time like `09:00`");
LEADFLOW_EXPECTED(clock_end, "expected a clock time like `17:00`");
LEADFLOW_EXPECTED(sla_duration, "expected the SLA's duration, e.g. `5m`");
LEADFLOW_EXPECTED(kw_from, "expected `from`");
LEADFLOW_EXPECTED(kw_until, "expected `until`");
LEADFLOW_EXPECTED(sla_start_event, "expected an event name");
LEADFLOW_EXPECTED(sla_stop_event, "expected an event name");
LEADFLOW_EXPECTED(sla_open, "expected `{` to open the SLA levels");
LEADFLOW_EXPECTED(sla_percent, "expected a percentage like `50%`");
LEADFLOW_EXPECTED(sla_action, "expected `remind owner`, `alert manager`, `alert team`, `reassign` or `notify CHANNEL \"target\"`");
LEADFLOW_EXPECTED(kw_owner, "expected `owner`");
LEADFLOW_EXPECTED(sla_notify_channel, "expected a channel name");
LEADFLOW_EXPECTED(sla_notify_target, "expected the notification target as a string");
LEADFLOW_EXPECTED(weekday_first, "expected a weekday (`mon` .. `sun`)");
LEADFLOW_EXPECTED(weekday_last, "expected a weekday (`mon` .. `sun`)");
LEADFLOW_EXPECTED(calendar_holidays_value, "expected a list of dates like `[\"2026-12-25\"]`");
LEADFLOW_EXPECTED(calendar_open, "expected `{` to open the calendar");
LEADFLOW_EXPECTED(cap_channel, "expected a channel (`email`, `sms`, `linkedin` or `actions`)");
LEADFLOW_EXPECTED(cap_limit, "expected a whole number");
LEADFLOW_EXPECTED(kw_per, "expected `per`");
LEADFLOW_EXPECTED(kw_day, "expected `day`");
LEADFLOW_EXPECTED(kw_window, "expected `window`");
LEADFLOW_EXPECTED(kw_workflow, "expected `workflow`");
LEADFLOW_EXPECTED(policy_scope, "expected `lead` or `account` after `per`");
LEADFLOW_EXPECTED(for_count, "expected `up to N` or `every` after `for`");
LEADFLOW_EXPECTED(for_limit, "expected how many leads at most, e.g. `3`");
LEADFLOW_EXPECTED(for_leads, "expected `leads` (or `lead`)");
LEADFLOW_EXPECTED(kw_of, "expected `of`");
LEADFLOW_EXPECTED(kw_account, "expected `account`");
LEADFLOW_EXPECTED(for_where_value, "expected a condition after `where`");
LEADFLOW_EXPECTED(kw_by, "expected `by`");
LEADFLOW_EXPECTED(for_order_value, "expected what to order the leads by, e.g. `lead.created_at`");
LEADFLOW_EXPECTED(sep, "expected whitespace");
LEADFLOW_EXPECTED(eof, "expected the end of the file");

LEADFLOW_EXPECTED(record_key, "expected a field name");
LEADFLOW_EXPECTED(record_value, "expected a value");
LEADFLOW_EXPECTED(record_close, "expected `}` to close the record (entries are `name: value`)");
LEADFLOW_EXPECTED(test_lead_record, "expected the lead's fields as `{ name: value, ... }`");
LEADFLOW_EXPECTED(test_start_value, "expected the test's start time as a string, e.g. `\"2026-01-05T09:00:00Z\"`");
LEADFLOW_EXPECTED(test_offset, "expected an offset from the start, e.g. `30m`");
LEADFLOW_EXPECTED(test_event_name, "expected an event name");
LEADFLOW_EXPECTED(expect_action, "expected an action (`email`, `task`, `assign`, `stage`, `score`, ...) or `final`");
LEADFLOW_EXPECTED(expect_fields, "expected the fields to match as `{ name: value, ... }`");
LEADFLOW_EXPECTED(test_run_for_value, "expected how long to run, e.g. `30d`");
LEADFLOW_EXPECTED(test_name, "expected the test's name as a string");
LEADFLOW_EXPECTED(test_open, "expected `{` to open the test");
LEADFLOW_EXPECTED(kw_given, "expected `given`");

#undef LEADFLOW_EXPECTED

}  // namespace leadflow::grammar
