#include "demo/demo_fraud.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/fraud.h"
#include "cases/reception.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "http/audit.h"
#include "core/banned.h"

#define STATION	     "339902510000"
#define LAT0	     29.660
#define LON0	     120.150
#define DLAT	     0.175
#define DLON	     0.200
#define DAYS	     365
#define DAY_MS	     (86400LL * 1000)
#define MIN_MS	     (60LL * 1000)
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵",
				       "周", "吴", "徐", "孙", "朱", "马", "胡", "郭"};
static const char *const given[] = {"建国", "秀英", "桂兰", "志强", "丽华", "伟", "芳",
				    "敏",   "静",   "磊",   "洋",   "婷",   "超", "玉兰"};

/* Weighted pick: weights sum to 100. */
static int pick(struct fq_rng *g, const int *w, int n)
{
	int r = (int)fq_rng_below(g, 100), acc = 0;
	for (int i = 0; i < n; i++) {
		acc += w[i];
		if (r < acc)
			return i;
	}
	return n - 1;
}

static void person(struct fq_rng *g, char name[32], char phone[16], char idn[19])
{
	static const int w[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char check[] = "10X98765432";
	int y = 1940 + (int)fq_rng_below(g, 66), m = 1 + (int)fq_rng_below(g, 12);
	int d = 1 + (int)fq_rng_below(g, 28), sum = 0;

	snprintf(name, 32, "%s%s", surnames[fq_rng_below(g, ARRAY_LEN(surnames))],
		 given[fq_rng_below(g, ARRAY_LEN(given))]);
	snprintf(phone, 16, "1%c%09llu", "3578"[fq_rng_below(g, 4)],
		 (unsigned long long)fq_rng_below(g, 1000000000ull));
	snprintf(idn, 19, "339902%04u%02u%02u%03u", (unsigned)y % 10000, (unsigned)m % 100,
		 (unsigned)d % 100, (unsigned)fq_rng_below(g, 1000));
	for (int i = 0; i < 17; i++)
		sum += (idn[i] - '0') * w[i];
	idn[17] = check[sum % 11];
	idn[18] = '\0';
}

static int audit_summary(struct fq_dbc *c, const char *action, const char *type, int64_t count,
			 int64_t now, struct fq_err *err)
{
	struct fq_audit_entry e = {.username = "demo",
				   .action = action,
				   .object_type = type,
				   .client = "cli",
				   .outcome = "ok"};
	char detail[64];

	snprintf(detail, sizeof(detail), "{\"count\":%lld}", (long long)count);
	e.detail = detail;
	return fq_audit_append(c, &e, now, NULL, err);
}

static int attempt(struct fq_dbc *c, const char *id, const char *method, int64_t at, int reached,
		   const char *pstate, int dissuaded, int64_t fen, const char *actor,
		   struct fq_err *err)
{
	struct fq_fraud_attempt_in a = {.method = method,
					.at = at,
					.reached = reached,
					.person_state = pstate,
					.dissuaded = dissuaded,
					.protected_fen = fen,
					.actor_id = actor,
					.now_ms = at};
	return fq_fraud_attempt(c, id, &a, NULL, NULL, err);
}

/* One warning received at t, worked and closed. */
static int warning(struct fq_dbc *c, struct fq_rng *g, int64_t t, const char *actor,
		   const char *chief, struct fq_err *err)
{
	static const char *const types[] = {
	    "rebate",	    "investment", "customer_service", "impersonate_police",	 "loan",
	    "game_trading", "romance",	  "credit",	      "impersonate_acquaintance"};
	static const int type_w[] = {30, 20, 12, 8, 12, 5, 8, 3, 2};
	static const int level_w[] = {25, 35, 30, 10};
	static const int64_t window_min[] = {30, 120, 1440, 4320};
	char name[32], phone[16], idn[19], id[37], number[FQ_NUMBER_MAX];
	struct fq_fraud_new in = {0};
	int level = 1 + pick(g, level_w, 4), r = (int)fq_rng_below(g, 100), rc;
	int64_t window = window_min[level - 1] * MIN_MS, reach_at;
	int late;
	const char *outcome_state;
	const char *close_method = fq_rng_below(g, 3) ? "phone" : "visit";

	person(g, name, phone, idn);
	in.source = fq_rng_below(g, 10) ? "centre" : "manual";
	in.phone = phone;
	in.person_name = name;
	in.id_number = fq_rng_below(g, 3) ? idn : NULL;
	in.has_location = 1;
	in.lat = LAT0 + DLAT * (0.02 + 0.96 * fq_rng_unit(g));
	in.lon = LON0 + DLON * (0.02 + 0.96 * fq_rng_unit(g));
	in.warning_type = types[pick(g, type_w, (int)ARRAY_LEN(types))];
	in.level = level;
	in.warned_at = t - (int64_t)fq_rng_below(g, 10) * MIN_MS;
	in.unit = in.actor_unit = STATION;
	in.scope_path = "/339900/";
	in.actor_id = actor;
	in.now_ms = t;
	if ((rc = fq_fraud_create(c, &in, id, number, err)))
		return rc;
	/* 88 % reached in time, 8 % late, 4 % never. */
	if (r < 88)
		reach_at = t + (int64_t)(window * (0.1 + 0.8 * fq_rng_unit(g)));
	else if (r < 96)
		reach_at = t + window + (int64_t)(window * fq_rng_unit(g)) + MIN_MS;
	else
		reach_at = 0;
	if ((!reach_at || fq_rng_below(g, 5) == 0) &&
	    (rc = attempt(c, id, "phone", t + (reach_at ? (reach_at - t) / 2 : window / 2), 0, NULL,
			  0, 0, actor, err)))
		return rc;
	late = !reach_at || reach_at > t + window;
	if (reach_at) {
		int s = (int)fq_rng_below(g, 100);
		if (s < 55) {
			int dissuaded = fq_rng_below(g, 100) < 93;
			int64_t fen = dissuaded && fq_rng_below(g, 10) < 4
					  ? (int64_t)(1000 + fq_rng_below(g, 49000)) * 100
					  : 0;
			rc = attempt(c, id, close_method, reach_at, 1, "about_to_pay", dissuaded,
				     fen, actor, err);
			/* Not talked out of it: the next call finds the money gone. */
			if (!rc && !dissuaded)
				rc = attempt(c, id, "phone", reach_at + 60 * MIN_MS, 1,
					     "already_paid", 0, 0, actor, err);
			if (!dissuaded)
				reach_at += 60 * MIN_MS;
		} else if (s < 65) {
			rc = attempt(c, id, close_method, reach_at, 1, "already_paid", 0, 0, actor,
				     err);
		} else {
			rc = attempt(c, id, close_method, reach_at, 1, "not_involved", 0, 0, actor,
				     err);
		}
		if (rc)
			return rc;
	}
	/* Escalated when not reached by the deadline, as the housekeeping job does. */
	if (late && (rc = fq_dbc_run(
			 c, err, NULL,
			 "UPDATE fraud_warning SET escalated_at = ?, escalated_to = ? WHERE id = ?",
			 "itt", t + window + MIN_MS, chief, id)))
		return rc;
	outcome_state = NULL;
	return fq_fraud_close(c, id, 0, actor, (reach_at ? reach_at : t + window) + 10 * MIN_MS,
			      &outcome_state, err);
}

static int outreach(struct fq_dbc *c, struct fq_rng *g, int64_t day, const char *actor, int64_t now,
		    struct fq_err *err)
{
	static const char *const kinds[] = {"talk",   "leaflets",  "school", "village",
					    "market", "community", "bank"};
	static const char *const audiences[] = {"residents", "elderly",	  "students", "elderly",
						"merchants", "residents", "mixed"};
	static const char *const places[] = {"派出所会议室", "枫溪镇集市", "枫溪中学",
					     "村文化礼堂",   "菜市场门口", "社区活动室",
					     "农商银行网点"};
	int k = (int)fq_rng_below(g, ARRAY_LEN(kinds));
	char grid[32], id[37];
	struct fq_fraud_outreach_new in = {0};
	json_t *out = NULL;
	int rc;

	snprintf(grid, sizeof(grid), "339902100%03u", 1 + (unsigned)fq_rng_below(g, 11));
	in.unit = k == 3 || k == 5 ? grid : STATION;
	in.actor_unit = STATION;
	in.scope_path = "/339900/";
	in.held_at = day + (9 + (int64_t)fq_rng_below(g, 9)) * 3600 * 1000;
	in.place = places[k];
	in.kind = kinds[k];
	in.audience = audiences[k];
	in.attendance =
	    k == 1 ? 200 + (int64_t)fq_rng_below(g, 300) : 20 + (int64_t)fq_rng_below(g, 150);
	in.actor_id = actor;
	in.now_ms = now;
	rc = fq_fraud_outreach_create(c, &in, id, &out, err);
	json_decref(out);
	return rc;
}

static int visit(struct fq_dbc *c, struct fq_rng *g, int64_t t, const char *actor,
		 struct fq_err *err)
{
	static const char *const needs[] = {"consultation", "help",	 "lost_found",
					    "certificate",  "mediation", "report"};
	static const int need_w[] = {60, 5, 8, 15, 4, 8};
	static const char *const done[] = {
	    "解答户籍办理流程",	  "帮助联系家属并护送回家",	"登记遗失物品并联系失主",
	    "开具无犯罪记录证明", "登记调解申请，约定调解时间", "登记报案线索，移交办案民警"};
	char name[32], phone[16], idn[19], id[37], station[FQ_UNIT_CODE_MAX];
	int n = pick(g, need_w, 6), rc;
	struct fq_reception_new in = {0};

	person(g, name, phone, idn);
	in.unit = in.actor_unit = STATION;
	in.scope_path = "/339900/";
	in.visitor_name = name;
	in.phone = fq_rng_below(g, 2) ? phone : NULL;
	in.need = needs[n];
	in.what_done = done[n];
	in.started_at = t;
	in.ended_at = t + (5 + (int64_t)fq_rng_below(g, 55)) * MIN_MS;
	in.actor_id = actor;
	in.now_ms = in.ended_at;
	if ((rc = fq_reception_create(c, &in, id, station, err)))
		return rc;
	/* Most mediation requests go on to the mediation register (pending until it exists). */
	if (n == 4 && fq_rng_below(g, 10) < 6)
		rc = fq_reception_mark_converted(c, id, FQ_CONVERT_DISPUTE, NULL, 0, actor,
						 in.ended_at, err);
	return rc;
}

int fq_demo_fraud(struct fq_dbc *c, struct fq_rng *g, int64_t now_ms, struct fq_err *err)
{
	char actor[37] = "", chief[37] = "";
	int64_t today = (now_ms + FQ_CST_OFFSET_S * 1000LL) / DAY_MS * DAY_MS -
			FQ_CST_OFFSET_S * 1000LL; /* midnight in China Standard Time */
	int64_t warnings = 0, events = 0, visits = 0;
	int rc;

	rc = fq_dbc_lookup_text(c, "SELECT id FROM app_user WHERE username = ?", "community", actor,
				sizeof(actor), "", err);
	if (!rc)
		rc = fq_dbc_lookup_text(c, "SELECT id FROM app_user WHERE username = ?", "chief",
					chief, sizeof(chief), "", err);
	if (rc)
		return rc;
	for (int d = DAYS; d >= 1; d--) {
		int64_t day = today - (int64_t)d * DAY_MS;
		int nw = (int)fq_rng_below(g, 4) + (fq_rng_below(g, 5) < 1); /* ~1.7 a day */
		int nv = 2 + (int)fq_rng_below(g, 5);			     /* ~4 a day */
		for (int i = 0; i < nw; i++, warnings++)
			if ((rc = warning(c, g,
					  day + (8 + (int64_t)fq_rng_below(g, 14)) * 3600 * 1000 +
					      (int64_t)fq_rng_below(g, 3600) * 1000,
					  actor, chief, err)))
				return rc;
		for (int i = 0; i < nv; i++, visits++)
			if ((rc = visit(c, g,
					day + (8 + (int64_t)fq_rng_below(g, 9)) * 3600 * 1000 +
					    (int64_t)fq_rng_below(g, 3600) * 1000,
					actor, err)))
				return rc;
		if (fq_rng_below(g, 5) == 0 && !(rc = outreach(c, g, day, actor, now_ms, err)))
			events++;
		if (rc)
			return rc;
	}
	if ((rc = audit_summary(c, "fraud_warning.demo", "fraud_warning", warnings, now_ms, err)) ||
	    (rc = audit_summary(c, "fraud_outreach.demo", "fraud_outreach", events, now_ms, err)))
		return rc;
	return audit_summary(c, "reception_visit.demo", "reception_visit", visits, now_ms, err);
}
