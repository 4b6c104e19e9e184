/*
 * Every list and KPI query of disputes, cases, fraud warnings and reception
 * visits, at station and at county scope, on ten years of a county's data
 * (bench/county_queries.sh, bench/README.md).
 *
 *   county_queries DB [REPEAT [RUNS [DUMP]]]
 *
 * Builds a county (one branch, 15 stations of 4 grids each) in DB (a new
 * file) and fills it straight with SQL, from a fixed seed and fixed ids, so
 * that a store is the same on every run: 50,000 disputes, 20,000 cases
 * (FQ_BENCH_CASES), 100,000 fraud warnings, 40,000 reception visits, with
 * clue transfers, fraud links and outreach events, spread over the ten
 * years before a fixed "now" (2026-11-01 00:00 +08:00), a third of each in
 * the busiest station. Old records are concluded, recent ones open, some
 * past their deadline. No ANALYZE: the server never runs it, so the planner
 * works without statistics here as it does there. Then it runs each query REPEAT times (default 100)
 * through the store functions the API handlers call (fq_*_list,
 * fq_*_kpi_json), RUNS times over (default 3), and prints per query the
 * medians over the runs of p50 and p99, the worst p99, and the median of the
 * CPU time the query took on this thread (cpu p50: the part of the latency
 * that does not depend on how loaded the machine is).
 *
 * DUMP (a file name) also writes every query's answer (sorted-key JSON, one
 * line each): two builds answer identically when their dumps are equal.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cases/case.h"
#include "cases/dispute.h"
#include "cases/fraud.h"
#include "cases/reception.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "db/db.h"
#include "org/units.h"

#define STATIONS   15
#define GRIDS	   4
#define NOW_MS	   1793462400000LL /* 2026-11-01T00:00:00+08:00 */
#define DAY_MS	   86400000LL
#define YEAR_MS	   (365 * DAY_MS)
#define SPAN_MS	   (10 * YEAR_MS)
#define REPEAT_MAX 2000
#define RUNS_MAX   9
#define TARGET_MS  100.0

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double unif(void)
{
	return (double)(next() >> 11) / 9007199254740992.0;
}

static int64_t below(int64_t n)
{
	return (int64_t)(next() % (uint64_t)n);
}

/* A station: the busiest (index 0) takes a third, the others share the rest. */
static int station_pick(void)
{
	return unif() < 1.0 / 3 ? 0 : 1 + (int)below(STATIONS - 1);
}

static void station_code(int s, char out[16])
{
	snprintf(out, 16, "3399025%02d000", s + 10);
}

static void grid_code(int s, int g, char out[16])
{
	snprintf(out, 16, "3399021%02d%03d", s + 10, g + 1);
}

/* A fixed id: kind letter and counter in UUID form, unique and the same on every run. */
static void fixed_id(char kind, int64_t n, char out[37])
{
	snprintf(out, 37, "0000000%c-0000-7000-8000-%012lld", kind, (long long)n);
}

static int64_t when_in_span(void)
{
	return NOW_MS - 1 - (int64_t)(unif() * (double)SPAN_MS);
}

static int die(const char *what, const struct fq_err *err)
{
	fprintf(stderr, "county_queries: %s: %s %s\n", what, err->machine, err->message);
	return 1;
}

static int build_units(struct fq_dbc *c, struct fq_err *err)
{
	struct fq_unit_new u = {.code = "339900", .name = "清江市公安局", .kind = "city"};
	int rc;

	if ((rc = fq_unit_create(c, &u, err)))
		return rc;
	u = (struct fq_unit_new){
	    .code = "339902", .name = "枫溪县公安局", .kind = "branch", .parent = "339900"};
	if ((rc = fq_unit_create(c, &u, err)))
		return rc;
	for (int s = 0; s < STATIONS; s++) {
		char code[16], name[64];
		station_code(s, code);
		snprintf(name, sizeof(name), "第%d派出所", s + 1);
		u = (struct fq_unit_new){
		    .code = code, .name = name, .kind = "station", .parent = "339902"};
		if ((rc = fq_unit_create(c, &u, err)))
			return rc;
		for (int g = 0; g < GRIDS; g++) {
			char gc[16], gn[64];
			grid_code(s, g, gc);
			snprintf(gn, sizeof(gn), "第%d派出所第%d网格", s + 1, g + 1);
			u = (struct fq_unit_new){
			    .code = gc, .name = gn, .kind = "grid", .parent = code};
			if ((rc = fq_unit_create(c, &u, err)))
				return rc;
		}
	}
	return 0;
}

static const char *const dispute_types[] = {"neighbour", "family", "marriage",
					    "land_boundary", "labour_wages", "consumer",
					    "traffic", "property_management", "other"};
static const char *const grades[] = {"general", "key", "major"};

static int build_disputes(struct fq_dbc *c, int n, struct fq_err *err)
{
	for (int i = 0; i < n; i++) {
		char id[37], number[64], unit[16], grid[16];
		int s = station_pick(), has_grid = unif() < 0.8, gi = (int)(unif() * 100);
		int grade = gi < 70 ? 0 : gi < 95 ? 1 : 2;
		int64_t created = when_in_span(), deadline = created + (15 - 6 * grade) * DAY_MS;
		int64_t age = NOW_MS - created, resolved_at = 0, outcome_at = 0, escalated = 0;
		int64_t sessions = below(3), reopened = unif() < 0.04;
		const char *state, *outcome = NULL;
		double r = unif();

		station_code(s, unit);
		grid_code(s, (int)below(GRIDS), grid);
		if (age > 60 * DAY_MS && r > 0.01) {
			double o = unif();
			state = o < 0.55 ? "closed" : o < 0.62 ? "following_up" : o < 0.75 ? "resolved_agreement" : o < 0.85 ? "resolved" : o < 0.94 ? "referred" : "failed";
		} else {
			double o = unif();
			state = o < 0.3 ? "graded" : o < 0.5 ? "assigned" : o < 0.7 ? "mediating" : o < 0.75 ? "reopened" : o < 0.9 ? "resolved_agreement" : "closed";
		}
		if (strcmp(state, "graded") && strcmp(state, "assigned") &&
		    strcmp(state, "mediating") && strcmp(state, "reopened")) {
			outcome_at = created + below(30 * DAY_MS) + 1;
			if (outcome_at > NOW_MS)
				outcome_at = NOW_MS - 1;
			outcome = strcmp(state, "referred") == 0 ? "referred"
				  : strcmp(state, "failed") == 0 ? "failed"
				  : unif() < 0.6		 ? "resolved_agreement"
								 : "resolved";
			if (strcmp(outcome, "resolved_agreement") == 0 ||
			    strcmp(outcome, "resolved") == 0)
				resolved_at = outcome_at;
		}
		if (outcome_at > deadline || (!outcome && deadline < NOW_MS))
			escalated = deadline + 60000;
		fixed_id('d', i, id);
		snprintf(number, sizeof(number), "TJ-%s-B-%06d", unit, i);
		int rc = fq_dbc_run(
		    c, err, NULL,
		    "INSERT INTO dispute (id, number, unit_code, grid_code, type, description,"
		    " description_norm, occurred_at, people_involved, amount_fen, source, score,"
		    " grade_auto, grade, grade_reasons, state, outcome, outcome_at, resolved_at,"
		    " session_count, reopened_count, deadline_at, escalated_at, created_at,"
		    " updated_at) VALUES (?, ?, ?, ?, ?, '邻里因噪音发生纠纷', '邻里因噪音发生纠纷',"
		    " ?, ?, ?, 'walk_in', ?, ?, ?, '[]', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    "tttttiiiittttIIiiiIii", id, number, unit, has_grid ? grid : NULL,
		    dispute_types[below(9)], created - below(DAY_MS), 2 + below(8),
		    below(5) ? 0 : below(5000000), 10 + 20 * grade + below(15), grades[grade],
		    grades[grade], state, outcome, outcome_at ? outcome_at : INT64_MIN,
		    resolved_at ? resolved_at : INT64_MIN, outcome ? sessions : 0, reopened,
		    deadline, escalated ? escalated : INT64_MIN, created, created);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *const case_types[] = {"ebike_theft", "bicycle_theft", "petty_theft",
					 "burglary",	"pickpocketing", "fraud",
					 "property_damage", "assault",	 "minor_injury"};

static int build_cases(struct fq_dbc *c, int n, struct fq_err *err)
{
	for (int i = 0; i < n; i++) {
		char id[37], number[64], unit[16], grid[16];
		int s = station_pick();
		const struct fq_case_type *t = fq_case_type_find(case_types[below(9)]);
		int64_t accepted = when_in_span(), age = NOW_MS - accepted, lost = below(500000);
		int64_t recovered = unif() < 0.4 ? below(lost + 1) : 0, next_due = INT64_MIN;
		int64_t solved = INT64_MIN, closed = INT64_MIN, transferred = INT64_MIN;
		const char *state;
		double o = unif();

		station_code(s, unit);
		grid_code(s, (int)below(GRIDS), grid);
		if (age > 90 * DAY_MS)
			state = o < 0.45 ? "solved" : o < 0.85 ? "closed" : o < 0.95 ? "transferred" : "investigating";
		else
			state = o < 0.3 ? "accepted" : o < 0.7 ? "investigating" : o < 0.85 ? "solved" : "transferred";
		if (strcmp(state, "solved") == 0)
			solved = accepted + below(30 * DAY_MS);
		if (strcmp(state, "closed") == 0)
			closed = accepted + below(60 * DAY_MS);
		if (strcmp(state, "transferred") == 0)
			transferred = accepted + below(3 * DAY_MS);
		if (strcmp(state, "accepted") == 0 || strcmp(state, "investigating") == 0)
			next_due = accepted + (3 + below(30)) * DAY_MS;
		fixed_id('c', i, id);
		snprintf(number, sizeof(number), "AJ-%s-B-%06d", unit, i);
		int rc = fq_dbc_run(
		    c, err, NULL,
		    "INSERT INTO case_file (id, number, unit_code, grid_code, origin, type,"
		    " type_group, title, description, method, occurred_at, occurred_minute, state,"
		    " accepted_at, solved_at, closed_at, transferred_at, lost_fen, recovered_fen,"
		    " next_due_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'walk_in', ?, ?,"
		    " '案件', '合成案件', '剪断车锁推走', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    "ttttttiitiIIIiiIii", id, number, unit, grid, t->code, t->group,
		    accepted - below(DAY_MS), below(1440), state, accepted, solved, closed,
		    transferred, lost, recovered, next_due, accepted, accepted);
		if (rc)
			return rc;
	}
	/* Clues passed on: one for every ten cases. */
	for (int i = 0; i < n / 10; i++) {
		char id[37], number[64], unit[16];
		int64_t at = when_in_span();
		station_code(station_pick(), unit);
		fixed_id('t', i, id);
		snprintf(number, sizeof(number), "XS-%s-B-%06d", unit, i);
		int rc = fq_dbc_run(c, err, NULL,
				    "INSERT INTO case_transfer (id, number, unit_code, kind, clue_text,"
				    " receiver_name, receiver_kind, items, transferred_at, created_at,"
				    " updated_at) VALUES (?, ?, ?, 'clue', '线索', '刑侦大队',"
				    " 'criminal', '[]', ?, ?, ?)",
				    "tttiii", id, number, unit, at, at, at);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *const warning_types[] = {"rebate", "investment", "customer_service",
					    "impersonate_police", "loan", "game_trading",
					    "romance", "credit"};

static int build_warnings(struct fq_dbc *c, int n, struct fq_err *err)
{
	static const int64_t minutes[4] = {30, 120, 24 * 60, 3 * 24 * 60};

	for (int i = 0; i < n; i++) {
		char id[37], number[64], unit[16], grid[16], phone[16];
		int s = station_pick(), level = 1 + (int)below(4);
		int64_t received = when_in_span(), deadline = received + minutes[level - 1] * 60000;
		int64_t reached = INT64_MIN, escalated = INT64_MIN, prot = 0;
		int dissuaded = 0, attempts = 0;
		const char *state = "received", *outcome = NULL, *pstate = NULL;

		station_code(s, unit);
		grid_code(s, (int)below(GRIDS), grid);
		snprintf(phone, sizeof(phone), "13%09lld", (long long)below(1000000000));
		if (NOW_MS - received > 3 * DAY_MS) {
			double o = unif();
			state = "closed";
			attempts = 1 + (int)below(2);
			if (o < 0.9) {
				reached = received + below(minutes[level - 1] * 60000 * 3 / 2);
				dissuaded = unif() < 0.35;
				pstate = dissuaded ? "about_to_pay" : unif() < 0.6 ? "not_involved" : "already_paid";
				prot = dissuaded ? below(5000000) : 0;
				outcome = dissuaded ? "dissuaded" : pstate;
			} else {
				outcome = "not_reached";
			}
		} else if (unif() < 0.5) {
			state = "contacting";
			attempts = 1;
		}
		if ((reached == INT64_MIN || reached > deadline) && deadline < NOW_MS)
			escalated = deadline + 60000;
		fixed_id('w', i, id);
		snprintf(number, sizeof(number), "YJ-%s-B-%06d", unit, i);
		int rc = fq_dbc_run(
		    c, err, NULL,
		    "INSERT INTO fraud_warning (id, number, unit_code, grid_code, route, source,"
		    " phone, phone_norm, person_name, warning_type, level, warned_at, received_at,"
		    " deadline_at, state, outcome, attempts, first_reached_at, person_state,"
		    " dissuaded, protected_fen, escalated_at, created_at, updated_at) VALUES (?, ?,"
		    " ?, ?, 'location', 'import', ?, ?, '甲', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " ?, ?)",
		    "tttttttiiiittiItiiIii", id, number, unit, grid, phone, phone,
		    warning_types[below(8)], (int64_t)level, received - 60000, received, deadline,
		    state, outcome, (int64_t)attempts, reached, pstate, (int64_t)dissuaded, prot,
		    escalated, received, received);
		if (rc)
			return rc;
		if (i % 200 == 0) {
			rc = fq_dbc_run(c, err, NULL,
					"INSERT INTO fraud_link (warning_id, kind, object_id, matched_by,"
					" reported_at, linked_at) VALUES (?, 'case', ?, 'phone', ?, ?)",
					"ttii", id, id, received + DAY_MS, received + DAY_MS);
			if (rc)
				return rc;
		}
	}
	for (int i = 0; i < 3000; i++) {
		char id[37], unit[16];
		int64_t at = when_in_span();
		station_code(station_pick(), unit);
		fixed_id('o', i, id);
		int rc = fq_dbc_run(c, err, NULL,
				    "INSERT INTO fraud_outreach (id, unit_code, held_at, place, kind,"
				    " audience, attendance, created_at, updated_at) VALUES (?, ?, ?,"
				    " '文化礼堂', 'talk', 'residents', ?, ?, ?)",
				    "ttiiii", id, unit, at, 20 + below(200), at, at);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *const needs[] = {"consultation", "help", "lost_found",
				    "certificate", "mediation", "report"};

static int build_visits(struct fq_dbc *c, int n, struct fq_err *err)
{
	static const char *const targets[] = {"alert", "service_request", "dispute", "case"};

	for (int i = 0; i < n; i++) {
		char id[37], number[64], unit[16], phone[16], conv[37];
		int64_t at = when_in_span(), ended = unif() < 0.9 ? at + below(90) * 60000 : INT64_MIN;
		int converted = unif() < 0.15, pending = converted && unif() < 0.1;

		station_code(station_pick(), unit);
		snprintf(phone, sizeof(phone), "13%09lld", (long long)below(1000000000));
		fixed_id('v', i, id);
		fixed_id('x', i, conv);
		snprintf(number, sizeof(number), "JD-%s-B-%06d", unit, i);
		int rc = fq_dbc_run(
		    c, err, NULL,
		    "INSERT INTO reception_visit (id, number, unit_code, visitor_name, phone,"
		    " phone_norm, need, what_done, started_at, ended_at, converted_to, converted_id,"
		    " conversion_state, converted_at, created_at, updated_at) VALUES (?, ?, ?, '访客',"
		    " ?, ?, ?, '已答复', ?, ?, ?, ?, ?, ?, ?, ?)",
		    "ttttttiItttIii", id, number, unit, phone, phone, needs[below(6)], at, ended,
		    converted ? targets[below(4)] : NULL, converted && !pending ? conv : NULL,
		    converted ? (pending ? "pending" : "done") : NULL,
		    converted ? at + 600000 : INT64_MIN, at, at);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- the queries ---- */

#define BUSY	   "339902510000"
#define BUSY_PATH  "/339900/339902/339902510000/"
#define COUNTY	   "339902"
#define COUNTY_PTH "/339900/339902/"
#define BUSY_GRID  "339902110001"

enum kind { DISPUTES, CASES, FRAUD, RECEPTION };

struct query {
	const char *name;
	enum kind kind;
	int kpi;	   /* 0 list, 1 KPI */
	int county;	   /* 0 the busy station, 1 the county */
	const char *state; /* list filters, by kind */
	const char *sort;
	const char *type;
	const char *unit;
	int overdue;
	int64_t level, page, from_ms, to_ms;
};

#define LAST_YEAR NOW_MS - YEAR_MS, NOW_MS
#define TEN_YEARS NOW_MS - 11 * YEAR_MS, NOW_MS + DAY_MS

static const struct query queries[] = {
    {"disputes list: deadline, page 1", DISPUTES, 0, 0, NULL, NULL, NULL, NULL, -1, 0, 1, 0, 0},
    {"disputes list: open, overdue", DISPUTES, 0, 0, "open", NULL, NULL, NULL, 1, 0, 1, 0, 0},
    {"disputes list: one grid", DISPUTES, 0, 0, NULL, NULL, NULL, BUSY_GRID, -1, 0, 1, 0, 0},
    {"disputes list: -reported, page 50", DISPUTES, 0, 0, NULL, "-reported", NULL, NULL, -1, 0, 50, 0, 0},
    {"disputes list: major, -score", DISPUTES, 0, 0, NULL, "-score", "major", NULL, -1, 0, 1, 0, 0},
    {"disputes KPI: one year", DISPUTES, 1, 0, NULL, NULL, NULL, NULL, -1, 0, 0, LAST_YEAR},
    {"disputes KPI: ten years", DISPUTES, 1, 0, NULL, NULL, NULL, NULL, -1, 0, 0, TEN_YEARS},
    {"cases list: -accepted, page 1", CASES, 0, 0, NULL, NULL, NULL, NULL, -1, 0, 1, 0, 0},
    {"cases list: open, by due", CASES, 0, 0, "open", "due", NULL, NULL, -1, 0, 1, 0, 0},
    {"cases list: one type, -lost, page 5", CASES, 0, 0, NULL, "-lost", "ebike_theft", NULL, -1, 0, 5, 0, 0},
    {"cases list: overdue", CASES, 0, 0, NULL, NULL, NULL, NULL, 1, 0, 1, 0, 0},
    {"cases KPI: one year", CASES, 1, 0, NULL, NULL, NULL, NULL, -1, 0, 0, LAST_YEAR},
    {"cases KPI: ten years", CASES, 1, 0, NULL, NULL, NULL, NULL, -1, 0, 0, TEN_YEARS},
    {"fraud list: open, by deadline", FRAUD, 0, 0, "open", NULL, NULL, NULL, -1, 0, 1, 0, 0},
    {"fraud list: level 1, -received, page 50", FRAUD, 0, 0, NULL, "-received", NULL, NULL, -1, 1, 50, 0, 0},
    {"fraud list: one type, one month", FRAUD, 0, 0, NULL, NULL, "loan", NULL, -1, 0, 1, NOW_MS - 150 * DAY_MS, NOW_MS - 120 * DAY_MS},
    {"fraud list: overdue", FRAUD, 0, 0, NULL, NULL, NULL, NULL, 1, 0, 1, 0, 0},
    {"fraud KPI: one year", FRAUD, 1, 0, NULL, NULL, NULL, NULL, -1, 0, 0, LAST_YEAR},
    {"fraud KPI: ten years", FRAUD, 1, 0, NULL, NULL, NULL, NULL, -1, 0, 0, TEN_YEARS},
    {"reception list: page 1", RECEPTION, 0, 0, NULL, NULL, NULL, NULL, -1, 0, 1, 0, 0},
    {"reception list: help, page 20", RECEPTION, 0, 0, "help", NULL, NULL, NULL, -1, 0, 20, 0, 0},
    {"reception KPI: one year", RECEPTION, 1, 0, NULL, NULL, NULL, NULL, -1, 0, 0, LAST_YEAR},
    {"reception KPI: ten years", RECEPTION, 1, 0, NULL, NULL, NULL, NULL, -1, 0, 0, TEN_YEARS},
};
#define NQUERIES (sizeof(queries) / sizeof(queries[0]))

static int run_query(struct fq_dbc *c, const struct query *q, int county, json_t **out,
		     struct fq_err *err)
{
	const char *path = county ? COUNTY_PTH : BUSY_PATH, *unit = county ? COUNTY : BUSY;

	if (q->kpi) {
		switch (q->kind) {
		case DISPUTES:
			return fq_dispute_kpi_json(c, unit, q->from_ms, q->to_ms, NOW_MS, out, err);
		case CASES:
			return fq_case_kpi_json(c, unit, q->from_ms, q->to_ms, out, err);
		case FRAUD:
			return fq_fraud_kpi_json(c, unit, q->from_ms, q->to_ms, NOW_MS, out, err);
		case RECEPTION:
			return fq_reception_kpi_json(c, unit, q->from_ms, q->to_ms, out, err);
		}
	}
	switch (q->kind) {
	case DISPUTES: {
		struct fq_dispute_query d = {.scope_path = path,
					     .state = q->state,
					     .grade = q->type,
					     .unit = q->unit,
					     .overdue = q->overdue,
					     .sort = q->sort,
					     .now_ms = NOW_MS,
					     .page = q->page,
					     .per_page = 20};
		return fq_dispute_list(c, &d, out, err);
	}
	case CASES: {
		struct fq_case_query k = {.scope_path = path,
					  .state = q->state,
					  .type = q->type,
					  .overdue = q->overdue,
					  .sort = q->sort,
					  .now_ms = NOW_MS,
					  .page = q->page,
					  .per_page = 20};
		return fq_case_list(c, &k, out, err);
	}
	case FRAUD: {
		struct fq_fraud_query f = {.scope_path = path,
					   .state = q->state,
					   .warning_type = q->type,
					   .level = q->level,
					   .overdue = q->overdue,
					   .escalated = -1,
					   .from_ms = q->from_ms,
					   .to_ms = q->to_ms,
					   .sort = q->sort,
					   .now_ms = NOW_MS,
					   .page = q->page,
					   .per_page = 20};
		return fq_fraud_list(c, &f, out, err);
	}
	case RECEPTION: {
		struct fq_reception_query r = {.scope_path = path,
					       .need = q->state,
					       .converted = -1,
					       .page = q->page,
					       .per_page = 20};
		return fq_reception_list(c, &r, out, err);
	}
	}
	return 0;
}

/* This thread's CPU time in ns: what a query costs whatever the load of the machine. */
static int64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_db *db;
	struct fq_dbc *c;
	static double ms[REPEAT_MAX], cpu[REPEAT_MAX];
	double p50[2][NQUERIES][RUNS_MAX], p99[2][NQUERIES][RUNS_MAX], cpu50[2][NQUERIES][RUNS_MAX];
	const char *env = getenv("FQ_BENCH_CASES");
	int repeat = argc > 2 ? atoi(argv[2]) : 100, runs = argc > 3 ? atoi(argv[3]) : 3;
	int ncases = env ? atoi(env) : 20000, missed = 0;
	FILE *dump = NULL;
	int64_t t0;

	if (argc < 2 || argc > 5 || repeat < 1 || repeat > REPEAT_MAX || runs < 1 ||
	    runs > RUNS_MAX || ncases < 1000) {
		fprintf(stderr, "usage: county_queries DB [REPEAT [RUNS [DUMP]]]\n");
		return 2;
	}
	if (argc == 5 && !(dump = fopen(argv[4], "w"))) {
		perror(argv[4]);
		return 1;
	}
	if (fq_uuid_global_init() || fq_text_global_init() || fq_db_open(argv[1], NULL, &db, &err) ||
	    fq_db_migrate(db, NULL, &err))
		return die("open", &err);
	c = fq_db_acquire(db);
	t0 = fq_mono_ns();
	if (fq_dbc_begin(c, 1, &err) || build_units(c, &err) || build_disputes(c, 50000, &err) ||
	    build_cases(c, ncases, &err) || build_warnings(c, 100000, &err) ||
	    build_visits(c, 40000, &err) || fq_dbc_commit(c, &err))
		return die("generate", &err);
	printf("store: 50000 disputes, %d cases, 100000 warnings, 40000 visits in %d stations over "
	       "ten years, built in %.1f s\n",
	       ncases, STATIONS, (double)(fq_mono_ns() - t0) / 1e9);
	printf("%d runs of %d requests per query; per query the medians over the runs of p50 and "
	       "p99, the worst p99, and the median CPU time (ms)\n",
	       runs, repeat);

	for (int r = 0; r < runs; r++)
		for (size_t q = 0; q < NQUERIES; q++)
			for (int county = 0; county < 2; county++) {
				for (int i = 0; i < repeat; i++) {
					json_t *out = NULL;
					int64_t s = fq_mono_ns(), s_cpu = cpu_ns();
					if (run_query(c, &queries[q], county, &out, &err))
						return die(queries[q].name, &err);
					ms[i] = (double)(fq_mono_ns() - s) / 1e6;
					cpu[i] = (double)(cpu_ns() - s_cpu) / 1e6;
					if (dump && r == 0 && i == 0) {
						char *text = json_dumps(out, JSON_SORT_KEYS | JSON_COMPACT);
						fprintf(dump, "%s %s: %s\n", queries[q].name,
							county ? "county" : "station", text);
						free(text);
					}
					json_decref(out);
				}
				qsort(ms, (size_t)repeat, sizeof(double), cmp_double);
				p50[county][q][r] = ms[repeat / 2];
				p99[county][q][r] = ms[(int)ceil(0.99 * repeat) - 1];
				cpu50[county][q][r] = median(cpu, repeat);
			}
	printf("%-40s %8s %8s %8s %8s   %8s %8s %8s %8s\n", "", "station", "", "", "", "county", "",
	       "", "");
	printf("%-40s %8s %8s %8s %8s   %8s %8s %8s %8s\n", "query", "p50", "p99", "max p99",
	       "cpu p50", "p50", "p99", "max p99", "cpu p50");
	for (size_t q = 0; q < NQUERIES; q++) {
		double a[2], b[2], w[2], k[2];
		for (int county = 0; county < 2; county++) {
			w[county] = 0;
			for (int r = 0; r < runs; r++)
				if (p99[county][q][r] > w[county])
					w[county] = p99[county][q][r];
			a[county] = median(p50[county][q], runs);
			b[county] = median(p99[county][q], runs);
			k[county] = median(cpu50[county][q], runs);
			missed += b[county] >= TARGET_MS;
		}
		printf("%-40s %8.2f %8.2f %8.2f %8.2f   %8.2f %8.2f %8.2f %8.2f%s\n", queries[q].name,
		       a[0], b[0], w[0], k[0], a[1], b[1], w[1], k[1],
		       b[0] >= TARGET_MS || b[1] >= TARGET_MS ? "   MISSED (p99 < 100 ms)" : "");
	}
	printf("%d of %d figures (p99, median of runs) miss the target p99 < %.0f ms\n", missed,
	       (int)(2 * NQUERIES), TARGET_MS);
	if (dump)
		fclose(dump);
	fq_db_release(db, c);
	fq_db_close(db);
	fq_text_global_cleanup();
	return 0;
}
