/*
 * Case-linkage benchmark: a county's 100,000 synthetic cases over ten years
 * (15 stations, the case types of cases/case.c with theft the most common,
 * methods, property and suspect descriptions drawn from small vocabularies,
 * places within 5 km of each station), then fq_linkage_candidates for
 * sample cases, timed: p50, p99 and max, for a station's scope and for
 * the county's (an analyst's, the worst case). Target: p99 < 200 ms.
 *
 * usage: case_linkage DB_PATH [CASES [SAMPLES]]   (DB_PATH must not exist)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/case.h"
#include "cases/case_util.h"
#include "cases/linkage.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "db/db.h"
#include "org/units.h"

#define STATIONS 15
#define YEARS	 10

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

static const char *pick(const char *const *v, size_t n)
{
	return v[next() % n];
}
#define PICK(v) pick(v, sizeof(v) / sizeof(v[0]))

static const struct {
	const char *type;
	int weight;
} mix[] = {
    {"ebike_theft", 25},  {"bicycle_theft", 10}, {"petty_theft", 15}, {"burglary", 8},
    {"pickpocketing", 5}, {"fraud", 8},		 {"telecom_fraud", 6}, {"property_damage", 6},
    {"assault", 7},	  {"minor_injury", 3},	 {"provocation", 3},  {"gambling", 2},
    {"drug_use", 1},	  {"prostitution", 1},
};

static const char *const methods[] = {
    "撬开防盗窗入室", "剪断车锁推走",	  "趁人不备扒窃手机", "翻越围墙入院",	"使用万能钥匙开锁",
    "趁店主不在拿走现金", "技术开锁入室翻找", "冒充客服骗取转账", "以投资理财为名诈骗", "酒后持械殴打",
    "因琐事发生口角后动手", "砸坏车窗玻璃",	  "夜间尾随作案",	"多人结伙作案",	"驾驶摩托车抢夺",
};
static const char *const property[] = {"雅迪电动车", "爱玛电动车", "自行车", "手机",
				       "现金",	     "金项链",	   "笔记本电脑", "银行卡"};
static const char *const suspects[] = {"中年男子 黑色外套", "青年男子 戴鸭舌帽", "两名男子 骑摩托车",
				       "女子 长发",	    "男子 身材偏瘦 口音外地", ""};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int die(const char *what, const struct fq_err *err)
{
	fprintf(stderr, "case_linkage: %s: %s %s\n", what, err->machine, err->message);
	return 1;
}

static int build(struct fq_db *db, int ncases, struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	int64_t now = fq_now_ms(), span = (int64_t)YEARS * 365 * 86400000LL;
	double lat0[STATIONS], lon0[STATIONS];
	int rc, total = 0;

	for (size_t i = 0; i < sizeof(mix) / sizeof(mix[0]); i++)
		total += mix[i].weight;
	if ((rc = fq_dbc_begin(c, 1, err)))
		goto out;
	{
		struct fq_unit_new u = {.code = "339900", .name = "清江市公安局", .kind = "city"};
		if ((rc = fq_unit_create(c, &u, err)))
			goto fail;
		u = (struct fq_unit_new){
		    .code = "339902", .name = "枫溪县公安局", .kind = "branch", .parent = "339900"};
		if ((rc = fq_unit_create(c, &u, err)))
			goto fail;
	}
	for (int s = 0; s < STATIONS; s++) {
		char code[16], name[64];
		snprintf(code, sizeof(code), "3399025%02d000", s + 10);
		snprintf(name, sizeof(name), "第%d派出所", s + 1);
		struct fq_unit_new u = {.code = code, .name = name, .kind = "station", .parent = "339902"};
		if ((rc = fq_unit_create(c, &u, err)))
			goto fail;
		lat0[s] = 29.5 + 0.1 * (s / 5);
		lon0[s] = 120.0 + 0.1 * (s % 5);
	}
	for (int i = 0; i < ncases; i++) {
		int s = (int)(next() % STATIONS), w = (int)(next() % (uint64_t)total);
		size_t k = 0;
		const struct fq_case_type *t;
		char id[37], number[64], code[16], method[256], prop[128], susp[128];
		char *mn = NULL, *pn = NULL, *sn = NULL;
		int64_t when = now - (int64_t)(unif() * (double)span);
		double r = 5000 * sqrt(unif()), a = unif() * 2 * M_PI;

		while (w >= mix[k].weight)
			w -= mix[k++].weight;
		t = fq_case_type_find(mix[k].type);
		snprintf(code, sizeof(code), "3399025%02d000", s + 10);
		snprintf(method, sizeof(method), "%s，%s", PICK(methods), PICK(methods));
		snprintf(prop, sizeof(prop), "%s %s", PICK(property), PICK(property));
		snprintf(susp, sizeof(susp), "%s", PICK(suspects));
		if ((rc = fq_case_normalize(method, strlen(method), &mn, err)) ||
		    (rc = fq_case_normalize(prop, strlen(prop), &pn, err)) ||
		    (rc = fq_case_normalize(susp, strlen(susp), &sn, err))) {
			free(mn);
			free(pn);
			goto fail;
		}
		fq_uuid7_str(id);
		snprintf(number, sizeof(number), "AJ-%s-B-%07d", code, i);
		rc = fq_dbc_run(c, err, NULL,
				"INSERT INTO case_file (id, number, unit_code, origin, type, type_group,"
				" title, description, method, method_norm, property_norm, suspect_norm,"
				" method_sig, property_sig, suspect_sig, occurred_at, occurred_minute,"
				" lat, lon, state, accepted_at, created_at, updated_at) VALUES (?, ?, ?,"
				" 'walk_in', ?, ?, '案件', '合成案件', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
				" ?, 'closed', ?, ?, ?)",
				"tttttttttiiiiiddiii", id, number, code, t->code, t->group, method, mn,
				pn, sn, fq_linkage_signature(mn), fq_linkage_signature(pn),
				fq_linkage_signature(sn), when, fq_case_minute_of_day(when),
				lat0[s] + r * cos(a) / 111320.0,
				lon0[s] + r * sin(a) / (111320.0 * cos(lat0[s] * M_PI / 180)), when,
				when, when);
		free(mn);
		free(pn);
		free(sn);
		if (rc)
			goto fail;
	}
	rc = fq_dbc_commit(c, err);
	if (!rc)
		rc = fq_dbc_exec_script(c, "ANALYZE", err);
	goto out;
fail:
	fq_dbc_rollback(c);
out:
	fq_db_release(db, c);
	return rc;
}

static int run(struct fq_db *db, const char *label, int scope_county, int samples,
	       struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	double *ms = calloc((size_t)samples, sizeof(double));
	int64_t scanned = 0, scored = 0;
	int rc = 0, n = 0;

	for (int i = 0; i < samples && !rc; i++) {
		struct fq_stmt *st;
		char id[37] = "", path[FQ_UNIT_PATH_MAX] = "";
		json_t *out = NULL;
		/* A random case, theft in three of four samples (the busiest group). */
		rc = fq_dbc_query(c, err, &st,
				  "SELECT f.id, u.path FROM case_file f JOIN unit u ON u.code ="
				  " f.unit_code WHERE f.rowid = ? AND (? = 0 OR f.type_group = 'theft')",
				  "ii", (int64_t)(1 + next() % 100000), (int64_t)(i % 4 != 3));
		if (rc)
			break;
		if (fq_stmt_step(st, err) == FQ_DB_ROW) {
			snprintf(id, sizeof(id), "%s", fq_stmt_text(st, 0));
			snprintf(path, sizeof(path), "%s", fq_stmt_text(st, 1));
		}
		fq_stmt_done(st);
		if (!id[0]) {
			i--;
			continue;
		}
		int64_t t0 = fq_mono_ns();
		rc = fq_linkage_candidates(c, id, scope_county ? "/339900/339902/" : path, 10,
					   FQ_LINKAGE_MIN_SCORE, &out, err);
		ms[n++] = (double)(fq_mono_ns() - t0) / 1e6;
		if (!rc) {
			scanned += json_integer_value(json_object_get(out, "scanned"));
			scored += json_integer_value(json_object_get(out, "scored"));
		}
		json_decref(out);
	}
	fq_db_release(db, c);
	if (!rc && n) {
		qsort(ms, (size_t)n, sizeof(double), cmp_double);
		printf("%-22s samples %4d  scanned/case %6lld  scored/case %5lld  p50 %7.2f ms  p99 %7.2f ms  max %7.2f "
		       "ms  (target p99 < 200 ms: %s)\n",
		       label, n, (long long)(scanned / n), (long long)(scored / n), ms[n / 2],
		       ms[(int)ceil(0.99 * n) - 1], ms[n - 1],
		       ms[(int)ceil(0.99 * n) - 1] < 200 ? "ok" : "MISSED");
	}
	free(ms);
	return rc;
}

/* The register: first page of the list (default sort, and open cases by deadline) and a year's KPIs. */
static int run_register(struct fq_db *db, const char *label, const char *scope, const char *unit,
			int samples, struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	double *lm = calloc((size_t)samples, sizeof(double)), *km = calloc((size_t)samples, sizeof(double));
	int64_t now = fq_now_ms();
	int rc = 0;

	for (int i = 0; i < samples && !rc; i++) {
		struct fq_case_query q = {.scope_path = scope,
					  .overdue = -1,
					  .page = 1 + (int64_t)(next() % 5),
					  .per_page = 20,
					  .state = i % 2 ? "open" : NULL,
					  .sort = i % 2 ? "due" : NULL,
					  .now_ms = now};
		struct fq_case_counts n;
		json_t *out = NULL;
		int64_t t0 = fq_mono_ns(), from = now - (int64_t)(next() % 3000) * 86400000LL;
		rc = fq_case_list(c, &q, &out, err);
		lm[i] = (double)(fq_mono_ns() - t0) / 1e6;
		json_decref(out);
		if (rc)
			break;
		t0 = fq_mono_ns();
		rc = fq_case_counts(c, scope, from, from + 365 * 86400000LL, &n, err);
		km[i] = (double)(fq_mono_ns() - t0) / 1e6;
	}
	fq_db_release(db, c);
	if (!rc) {
		int p99 = (int)ceil(0.99 * samples) - 1;
		qsort(lm, (size_t)samples, sizeof(double), cmp_double);
		qsort(km, (size_t)samples, sizeof(double), cmp_double);
		printf("%-22s list p50 %7.2f ms  p99 %7.2f ms   KPI p50 %7.2f ms  p99 %7.2f ms  "
		       "(target p99 < 100 ms: %s)\n",
		       label, lm[samples / 2], lm[p99], km[samples / 2], km[p99],
		       lm[p99] < 100 && km[p99] < 100 ? "ok" : "MISSED");
	}
	(void)unit;
	free(lm);
	free(km);
	return rc;
}

int main(int argc, char **argv)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_db *db;
	int ncases = argc > 2 ? atoi(argv[2]) : 100000, samples = argc > 3 ? atoi(argv[3]) : 200;
	int64_t t0;

	if (argc < 2 || ncases < 1000 || samples < 10) {
		fprintf(stderr, "usage: case_linkage DB_PATH [CASES>=1000 [SAMPLES>=10]]\n");
		return 2;
	}
	if (fq_uuid_global_init() != 0 || fq_text_global_init() != 0)
		return 1;
	if (fq_db_open(argv[1], NULL, &db, &err) || fq_db_migrate(db, NULL, &err))
		return die("open", &err);
	t0 = fq_mono_ns();
	if (build(db, ncases, &err))
		return die("generate", &err);
	printf("generated %d cases in %d stations over %d years in %.1f s\n", ncases, STATIONS,
	       YEARS, (double)(fq_mono_ns() - t0) / 1e9);
	if (run(db, "station scope", 0, samples, &err) ||
	    run(db, "county scope (analyst)", 1, samples, &err))
		return die("candidates", &err);
	if (run_register(db, "register, station", "/339900/339902/339902510000/", "339902510000",
			 samples, &err) ||
	    run_register(db, "register, county", "/339900/339902/", "339902", samples, &err))
		return die("register", &err);
	fq_db_close(db);
	fq_text_global_cleanup();
	return 0;
}
