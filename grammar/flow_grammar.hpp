// The grammar of .flow files (docs/grammar.md is its prose twin). Every declaration and step
// starts with a keyword and commits there (if_must), so a syntax error is reported where it
// happens and parse actions only ever see input that is part of the final parse.
#pragma once

#include "grammar/expression.hpp"

namespace leadflow::grammar {

// ---- shared pieces
struct decl_name : identifier {};   // the name a declaration introduces
struct ref_name : identifier {};    // a reference to a declared router/team/sla/calendar/scoring/stages
struct event_ref : identifier {};   // a reference to an event type
struct block_close : rbrace {};
struct step_block_close : rbrace {};  // closes a then/else/timeout block
struct clock_begin : clock_lit {};
struct clock_end : clock_lit {};
struct clock_range : if_must<clock_begin, s_<dot_dot>, s_<clock_end>> {};

// ---- import "file.flow"
struct import_kw : kw_import {};
struct import_path : seq<string_lit> {};
struct import_decl : if_must<import_kw, s_<import_path>> {};

// ---- const name = expr
struct const_kw : kw_const {};
struct const_value : seq<expr> {};
struct const_decl : if_must<const_kw, s_<decl_name>, s_<equals>, s_<const_value>> {};

// ---- types: bool int decimal string time duration list<T>
struct type_ref;
struct type_name : identifier {};
struct type_close : one<'>'> {};
struct list_type : if_must<seq<kw_list, sep, one<'<'>>, s_<type_ref>, s_<type_close>> {};
struct type_ref : sor<list_type, type_name> {};

// ---- schema lead { name: type ... }
struct field_name : member_name {};
struct field_decl_body : if_must<field_name, s_<colon>, s_<type_ref>> {};
struct schema_field : field_decl_body {};
struct schema_kw : kw_schema {};
struct schema_open : lbrace {};
struct schema_decl
    : if_must<schema_kw, s_<kw_lead>, s_<schema_open>, star<sep, schema_field, semis>, s_<block_close>> {};

// ---- event name { field: type  set lead.x = expr }
struct set_target : if_must<kw_lead, s_<dot>, s_<member_name>> {};
struct set_value : seq<expr> {};
struct event_set : if_must<seq<kw_set, sep, at<kw_lead>>, s_<set_target>, s_<equals>, s_<set_value>> {};
struct event_field_decl : field_decl_body {};
struct event_kw : kw_event {};
struct event_open : lbrace {};
struct event_body : if_must<event_open, star<sep, sor<event_set, event_field_decl>, semis>, s_<block_close>> {};
struct event_decl : if_must<event_kw, s_<decl_name>, opt<sep, event_body>> {};

// ---- workflow triggers: when <event> [where c] | when lead.f becomes v | crosses [above|below] v
//      | when <condition> unchanged for <duration>
struct trigger_subject : seq<expr> {};
struct trigger_value : seq<expr> {};
struct trigger_where : seq<expr> {};
struct becomes_suffix : if_must<seq<sep, kw_becomes>, s_<trigger_value>> {};
struct crosses_above : kw_above {};
struct crosses_below : kw_below {};
struct crosses_suffix : if_must<seq<sep, kw_crosses>, opt<sep, sor<crosses_above, crosses_below>>, s_<trigger_value>> {};
struct unchanged_suffix : if_must<seq<sep, kw_unchanged>, s_<kw_for>, s_<trigger_value>> {};
struct where_suffix : if_must<seq<sep, kw_where>, s_<trigger_where>> {};
struct when_kw : kw_when {};
struct when_clause
    : if_must<when_kw, s_<trigger_subject>, opt<sor<becomes_suffix, crosses_suffix, unchanged_suffix, where_suffix>>> {};

// ---- exit when event a, b | exit when <condition>
struct exit_kw : kw_exit {};
struct exit_event : event_ref {};
struct exit_events : if_must<seq<kw_event, not_at<sep, dot>>, s_<exit_event>, star<if_must<seq<sep, comma>, s_<exit_event>>>> {};
struct exit_condition : seq<expr> {};
struct exit_clause : if_must<exit_kw, s_<kw_when>, s_<sor<exit_events, exit_condition>>> {};

// ---- enroll once | always | again after d, each [per lead | per account]   (policies)
//      |  enroll <workflow> (a step)
struct policy_account : kw_account {};
struct policy_scope : sor<kw_lead, policy_account> {};
struct policy_per : if_must<seq<sep, kw_per>, s_<policy_scope>> {};
struct policy_once : seq<kw_once, opt<policy_per>> {};
struct policy_always : seq<kw_always, opt<policy_per>> {};
struct policy_cooldown : seq<expr> {};
struct policy_again : if_must<kw_again, s_<kw_after>, s_<policy_cooldown>, opt<policy_per>> {};
struct enroll_target : identifier {};
struct enroll_kw : kw_enroll {};
struct enroll_clause : if_must<enroll_kw, s_<sor<policy_once, policy_always, policy_again, enroll_target>>> {};

// ---- steps
struct block_item;
struct block_body : star<sep, block_item, semis> {};

struct step_points : points {};
struct step_text : seq<string_lit> {};  // reason, template, title, url, tag

struct score_kw : kw_score {};
struct score_step : if_must<score_kw, s_<step_points>, s_<step_text>> {};

struct stage_word : member_name {};
struct stage_string : seq<string_lit> {};
struct stage_reason : if_must<seq<sep, kw_reason>, s_<step_text>> {};
struct stage_kw : kw_stage {};
struct stage_step : if_must<stage_kw, s_<sor<stage_string, stage_word>>, opt<stage_reason>> {};

struct set_kw : kw_set {};
struct set_step : if_must<set_kw, s_<set_target>, s_<equals>, s_<set_value>> {};

struct tag_kw : kw_tag {};
struct tag_step : if_must<tag_kw, s_<step_text>> {};

struct assign_router : ref_name {};
struct assign_team : ref_name {};
struct assign_owner : seq<expr> {};
struct assign_sla_name : ref_name {};
struct assign_using : if_must<kw_using, s_<assign_router>> {};
struct assign_to_team : if_must<seq<kw_to, sep, kw_team>, s_<assign_team>> {};
struct assign_to_owner : if_must<kw_to, s_<assign_owner>> {};
struct assign_sla : if_must<seq<sep, kw_with>, s_<kw_sla>, s_<assign_sla_name>> {};
struct assign_kw : kw_assign {};
struct assign_step : if_must<assign_kw, s_<sor<assign_using, assign_to_team, assign_to_owner>>, opt<assign_sla>> {};

struct task_due_value : seq<expr> {};
struct task_owner_value : seq<expr> {};
struct task_priority_value : identifier {};
struct task_due : if_must<seq<sep, kw_due>, s_<task_due_value>> {};
struct task_owner : if_must<seq<sep, kw_owner>, s_<task_owner_value>> {};
struct task_priority : if_must<seq<sep, kw_priority>, s_<task_priority_value>> {};
struct task_title : seq<string_lit> {};
struct task_kw : kw_task {};
struct task_step : if_must<task_kw, s_<task_title>, star<sor<task_due, task_owner, task_priority>>> {};

struct send_channel : identifier {};
struct send_sender : seq<string_lit> {};
struct send_recipient : seq<expr> {};
struct send_from : if_must<seq<sep, kw_from>, s_<send_sender>> {};
struct send_to : if_must<seq<sep, kw_to>, s_<send_recipient>> {};
struct send_kw : kw_send {};
struct send_step : if_must<send_kw, s_<send_channel>, s_<step_text>, star<sor<send_from, send_to>>> {};

struct notify_owner : kw_owner {};
struct notify_manager : kw_manager {};
struct notify_channel_name : identifier {};
struct notify_channel : if_must<notify_channel_name, s_<step_text>> {};
struct notify_message : seq<string_lit> {};
struct notify_kw : kw_notify {};
struct notify_step : if_must<notify_kw, s_<sor<notify_owner, notify_manager, notify_channel>>, s_<notify_message>> {};

struct webhook_kw : kw_webhook {};
struct webhook_step : if_must<webhook_kw, s_<step_text>> {};

struct validate_kw : kw_validate {};
struct validate_step : if_must<validate_kw, s_<kw_email>> {};

struct enrich_step : kw_enrich {};
struct stop_step : kw_stop {};

// wait 30m | wait 3 business days [using cal] | wait until t | wait up to 1h for event e [where c] [on timeout {..}]
struct wait_amount_value : seq<expr> {};
struct business_days : kw_days {};
struct business_hours : kw_hours {};
struct business_calendar : ref_name {};
struct business_suffix : if_must<seq<sep, kw_business>, s_<sor<business_days, business_hours>>,
                                 opt<if_must<seq<sep, kw_using>, s_<business_calendar>>>> {};
struct wait_amount : seq<wait_amount_value, opt<business_suffix>> {};
struct wait_until_value : seq<expr> {};
struct wait_until : if_must<kw_until, s_<wait_until_value>> {};
struct wait_limit : seq<expr> {};
struct wait_event : event_ref {};
struct wait_where_value : seq<expr> {};
struct wait_where : if_must<seq<sep, kw_where>, s_<wait_where_value>> {};
struct timeout_open : lbrace {};
struct on_timeout : if_must<seq<sep, kw_on, sep, kw_timeout>, s_<timeout_open>, block_body, s_<step_block_close>> {};
struct wait_for_event
    : if_must<seq<kw_up, sep, kw_to>, s_<wait_limit>, s_<kw_for>, s_<kw_event>, s_<wait_event>, opt<wait_where>, opt<on_timeout>> {};
struct wait_kw : kw_wait {};
struct wait_step : if_must<wait_kw, s_<sor<wait_until, wait_for_event, wait_amount>>> {};

// if c { } else if c { } else { }
struct if_condition : seq<expr> {};
struct then_open : lbrace {};
struct else_open : lbrace {};
struct elif_kw : kw_if {};
struct else_if_arm : if_must<seq<sep, kw_else, sep, elif_kw>, s_<if_condition>, s_<then_open>, block_body, s_<step_block_close>> {};
struct else_arm : if_must<seq<sep, kw_else>, s_<else_open>, block_body, s_<step_block_close>> {};
struct if_kw : kw_if {};
struct if_step : if_must<if_kw, s_<if_condition>, s_<then_open>, block_body, s_<step_block_close>, star<else_if_arm>, opt<else_arm>> {};

// for up to 3 leads of account [where c] [order by e [asc|desc]] { } [else { }]
// for every lead of account ...   (account workflows only: the body runs on each lead chosen)
struct for_limit : int_lit {};
struct for_every : kw_every {};
struct for_count : sor<for_every, if_must<seq<kw_up, sep, kw_to>, s_<for_limit>>> {};
struct for_leads : sor<kw_leads, kw_lead> {};
struct for_where_value : seq<expr> {};
struct for_where : if_must<seq<sep, kw_where>, s_<for_where_value>> {};
struct for_order_value : seq<expr> {};
struct for_ascending : kw_asc {};
struct for_descending : kw_desc {};
struct for_order : if_must<seq<sep, kw_order>, s_<kw_by>, s_<for_order_value>, opt<sep, sor<for_ascending, for_descending>>> {};
struct for_kw : kw_for {};
struct for_step : if_must<for_kw, s_<for_count>, s_<for_leads>, s_<kw_of>, s_<kw_account>, opt<for_where>, opt<for_order>,
                          s_<then_open>, block_body, s_<step_block_close>, opt<else_arm>> {};

struct step : sor<score_step, stage_step, set_step, tag_step, assign_step, task_step, send_step, notify_step,
                  webhook_step, validate_step, enrich_step, wait_step, if_step, for_step, stop_step> {};
struct block_item : sor<enroll_clause, step> {};

struct workflow_item : sor<when_clause, exit_clause, enroll_clause, step> {};
struct workflow_kw : kw_workflow {};
struct workflow_open : lbrace {};
struct workflow_decl
    : if_must<workflow_kw, s_<decl_name>, s_<workflow_open>, star<sep, workflow_item, semis>, s_<block_close>> {};

// ---- scoring name { <condition> -> +N "reason"   on <event> [where c] -> +N ["reason"]   inactive d -> -N ["reason"] }
struct rule_points : points {};
struct rule_reason : seq<string_lit> {};
struct rule_where : seq<expr> {};
struct rule_event : event_ref {};
struct on_rule : if_must<kw_on, s_<rule_event>, opt<if_must<seq<sep, kw_where>, s_<rule_where>>>, s_<arrow>, s_<rule_points>,
                         opt<sep, rule_reason>> {};
struct inactive_after : seq<expr> {};
struct inactive_rule : if_must<kw_inactive, s_<inactive_after>, s_<arrow>, s_<rule_points>, opt<sep, rule_reason>> {};
struct fit_condition : seq<expr> {};
struct fit_rule : seq<fit_condition, must<s_<arrow>>, must<s_<rule_points>>, must<s_<rule_reason>>> {};
struct scoring_rule : sor<on_rule, inactive_rule, fit_rule> {};
struct scoring_kw : kw_scoring {};
struct scoring_open : lbrace {};
struct scoring_decl : if_must<scoring_kw, s_<decl_name>, s_<scoring_open>, star<sep, scoring_rule, semis>, s_<block_close>> {};

// ---- stages [name] by score { name low..high }   |   stages name { a b c }   (a pipeline, in order)
struct range_low : int_lit {};
struct range_high : int_lit {};
struct stage_range : if_must<stage_word, s_<range_low>, s_<dot_dot>, s_<range_high>> {};
struct score_ranges_open : lbrace {};
struct score_ranges : if_must<seq<kw_by, sep, kw_score>, s_<score_ranges_open>, star<sep, stage_range, semis>, s_<block_close>> {};
struct pipeline_open : lbrace {};
struct pipeline_stage : stage_word {};
struct pipeline_stages
    : if_must<pipeline_open, star<sep, pipeline_stage, opt<sep, sor<arrow, comma, one<';'>>>>, s_<block_close>> {};
struct stages_named : if_must<decl_name, s_<sor<score_ranges, pipeline_stages>>> {};
struct stages_kw : kw_stages {};
struct stages_decl : if_must<stages_kw, s_<sor<score_ranges, stages_named>>> {};

// ---- use scoring a, b | use stages name
struct use_name : ref_name {};
struct use_scoring : if_must<kw_scoring, s_<use_name>, star<if_must<seq<sep, comma>, s_<use_name>>>> {};
struct use_stages : if_must<kw_stages, s_<use_name>> {};
struct use_kw : kw_use {};
struct use_decl : if_must<use_kw, s_<sor<use_scoring, use_stages>>> {};

// ---- disable workflow a, b   (ship alternatives side by side; the configuration turns one off)
struct disable_kw : kw_disable {};
struct disable_decl : if_must<disable_kw, s_<kw_workflow>, s_<use_name>, star<if_must<seq<sep, comma>, s_<use_name>>>> {};

// ---- router name { <condition> -> <target>   otherwise -> <target>   fallback <target> }
struct target_team_name : ref_name {};
struct skip_condition : identifier {};
struct target_skip : if_must<seq<sep, kw_skip>, s_<skip_condition>, star<if_must<seq<sep, comma>, s_<skip_condition>>>> {};
struct target_round_robin : if_must<kw_round_robin, s_<kw_team>, s_<target_team_name>, opt<target_skip>> {};
struct target_team : if_must<kw_team, s_<target_team_name>> {};
struct target_manager : kw_manager {};
struct target_owner : seq<expr> {};
struct route_target : sor<target_round_robin, target_team, target_manager, target_owner> {};
struct fallback_clause : if_must<kw_fallback, s_<route_target>> {};
struct route_otherwise : kw_otherwise {};
struct route_condition : seq<expr> {};
struct route : seq<sor<route_otherwise, route_condition>, must<s_<arrow>>, must<s_<route_target>>> {};
struct router_kw : kw_router {};
struct router_open : lbrace {};
struct router_decl : if_must<router_kw, s_<decl_name>, s_<router_open>, star<sep, sor<fallback_clause, route>, semis>, s_<block_close>> {};

// ---- team name { manager "m"  members [..]  capacity 25  timezone "Europe/Sofia"  hours 09:00..18:00 }
struct team_manager_value : seq<string_lit> {};
struct team_members_value : seq<expr> {};
struct team_capacity_value : int_lit {};
struct timezone_value : seq<string_lit> {};
struct team_manager : if_must<kw_manager, s_<team_manager_value>> {};
struct team_members : if_must<kw_members, s_<team_members_value>> {};
struct team_capacity : if_must<kw_capacity, s_<team_capacity_value>> {};
struct team_timezone : if_must<kw_timezone, s_<timezone_value>> {};
struct team_hours : if_must<kw_hours, s_<clock_range>> {};
struct team_kw : kw_team {};
struct team_open : lbrace {};
struct team_decl : if_must<team_kw, s_<decl_name>, s_<team_open>,
                           star<sep, sor<team_manager, team_members, team_capacity, team_timezone, team_hours>, semis>,
                           s_<block_close>> {};

// ---- sla name 5m from assign|event e until first_activity|event e { at 50% <action> }
struct sla_duration : seq<expr> {};
struct sla_from_assign : kw_assign {};
struct sla_start_event : event_ref {};
struct sla_from_event : if_must<kw_event, s_<sla_start_event>> {};
struct sla_until_activity : kw_first_activity {};
struct sla_stop_event : event_ref {};
struct sla_until_event : if_must<kw_event, s_<sla_stop_event>> {};
struct sla_percent : percent_lit {};
struct sla_remind_owner : if_must<kw_remind, s_<kw_owner>> {};
struct sla_alert_manager : seq<kw_alert, sep, kw_manager> {};
struct sla_alert_team : if_must<kw_alert, s_<kw_team>> {};
struct sla_reassign : kw_reassign {};
struct sla_notify_channel : identifier {};
struct sla_notify_target : seq<string_lit> {};
struct sla_notify : if_must<kw_notify, s_<sla_notify_channel>, s_<sla_notify_target>> {};
struct sla_action : sor<sla_remind_owner, sla_alert_manager, sla_alert_team, sla_reassign, sla_notify> {};
struct sla_level : if_must<kw_at, s_<sla_percent>, s_<sla_action>> {};
struct sla_kw : kw_sla {};
struct sla_open : lbrace {};
struct sla_decl : if_must<sla_kw, s_<decl_name>, s_<sla_duration>, s_<kw_from>, s_<sor<sla_from_assign, sla_from_event>>,
                          s_<kw_until>, s_<sor<sla_until_activity, sla_until_event>>, s_<sla_open>,
                          star<sep, sla_level, semis>, s_<block_close>> {};

// ---- calendar name { timezone "Z"  workdays mon..fri  hours 09:00..17:00  holidays [..] }
struct weekday_first : identifier {};
struct weekday_last : identifier {};
struct calendar_workdays : if_must<kw_workdays, s_<weekday_first>, s_<dot_dot>, s_<weekday_last>> {};
struct calendar_hours : if_must<kw_hours, s_<clock_range>> {};
struct calendar_holidays_value : seq<expr> {};
struct calendar_holidays : if_must<kw_holidays, s_<calendar_holidays_value>> {};
struct calendar_timezone : if_must<kw_timezone, s_<timezone_value>> {};
struct calendar_kw : kw_calendar {};
struct calendar_open : lbrace {};
struct calendar_decl : if_must<calendar_kw, s_<decl_name>, s_<calendar_open>,
                               star<sep, sor<calendar_timezone, calendar_workdays, calendar_hours, calendar_holidays>, semis>,
                               s_<block_close>> {};

// ---- governance { timezone "Z"  cap email 75 per sender per day  cap actions 1000 per day  send window 08:00..20:00 }
struct cap_channel : identifier {};
struct cap_limit : int_lit {};
struct cap_per_sender : if_must<kw_sender, s_<kw_per>, s_<kw_day>> {};
struct cap_per_day : kw_day {};
struct governance_cap : if_must<kw_cap, s_<cap_channel>, s_<cap_limit>, s_<kw_per>, s_<sor<cap_per_sender, cap_per_day>>> {};
struct governance_window : if_must<kw_send, s_<kw_window>, s_<clock_range>> {};
struct governance_timezone : if_must<kw_timezone, s_<timezone_value>> {};
struct governance_kw : kw_governance {};
struct governance_decl : if_must<governance_kw, s_<lbrace>,
                                 star<sep, sor<governance_timezone, governance_cap, governance_window>, semis>,
                                 s_<block_close>> {};

// ---- test "name" { given lead {..}  start "2026-01-05T09:00:00Z"  at 0m event e {..}
//                     expect at 5m task {..}  expect no email  expect final {..}  run for 30d }
struct record_key : member_name {};
struct record_value : seq<expr> {};
struct record_entry : if_must<record_key, s_<colon>, s_<record_value>> {};
struct record_open : lbrace {};
struct record_close : rbrace {};
struct record : if_must<record_open, star<sep, record_entry, opt<sep, comma>>, s_<record_close>> {};
struct test_lead_record : seq<record> {};
struct test_given : if_must<kw_given, s_<kw_lead>, s_<test_lead_record>> {};
struct test_start_value : seq<string_lit> {};
struct test_start : if_must<kw_start, s_<test_start_value>> {};
struct test_offset : seq<expr> {};
struct test_event_name : event_ref {};
struct test_event_data : seq<record> {};
struct test_event : if_must<kw_at, s_<test_offset>, s_<kw_event>, s_<test_event_name>, opt<sep, test_event_data>> {};
struct expect_action : member_name {};
struct expect_fields : seq<record> {};
struct expect_at : if_must<kw_at, s_<test_offset>, s_<expect_action>, opt<sep, expect_fields>> {};
struct expect_never : if_must<kw_no, s_<expect_action>, opt<sep, expect_fields>> {};
struct expect_final : if_must<kw_final, s_<expect_fields>> {};
struct expect_kw : kw_expect {};
struct test_expect : if_must<expect_kw, s_<sor<expect_at, expect_never, expect_final>>> {};
struct test_run_for_value : seq<expr> {};
struct test_run_for : if_must<kw_run, s_<kw_for>, s_<test_run_for_value>> {};
struct test_name : seq<string_lit> {};
struct test_kw : kw_test {};
struct test_open : lbrace {};
struct test_decl : if_must<test_kw, s_<test_name>, s_<test_open>,
                           star<sep, sor<test_given, test_start, test_event, test_expect, test_run_for>, semis>,
                           s_<block_close>> {};

// ---- file
struct declaration : sor<import_decl, const_decl, schema_decl, event_decl, workflow_decl, scoring_decl, stages_decl,
                         use_decl, disable_decl, router_decl, team_decl, sla_decl, calendar_decl, governance_decl, test_decl> {};
// What the parser loop consumes at a time; recovery restarts it at the next declaration.
struct bad_declaration : eof {};  // never matches where it is used; names the error message
struct top_item : seq<sep, sor<eof, seq<declaration, semis>, must<bad_declaration>>> {};
// The whole file, for grammar analysis and tests.
struct flow_file : seq<star<sep, declaration, semis>, sep, eof> {};

}  // namespace leadflow::grammar
