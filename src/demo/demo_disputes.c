#include "demo/demo_disputes.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/dispute.h"
#include "core/idnum.h"
#include "core/timeutil.h"
#include "http/audit.h"
#include "org/units.h"
#include "core/banned.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define DEMO_GRIDS_MAX	 128
#define DEMO_DISPUTES	 500 /* and up to 40 more */
#define DEMO_DAYS	 365
#define DEMO_END_BEFORE	 (2 * DAY_MS) /* the last dispute: two days before now */
#define HOUR_MS		 (3600LL * 1000)
#define DAY_MS		 (24 * HOUR_MS)
#define DEMO_PARTIES_MAX 4

struct demo_grid {
	char code[FQ_UNIT_CODE_MAX];
	char name[FQ_UNIT_NAME_MAX * 4 + 1];
	double lat, lon;
	int village;
};

struct demo_type {
	const char *code;
	double weight_community, weight_village;
	const char *stories[4];
	int64_t min_yuan, max_yuan; /* 0, 0: no money */
	double money_share;	    /* share of the disputes with money at stake */
	int min_people, max_people;
	const char *terms;
};

static const struct demo_type types[] = {
    {"neighbour",
     0.30,
     0.20,
     {"因楼道堆放杂物发生争执", "因装修噪音扰民引发矛盾", "因宠物狗扰邻发生口角",
      "因排水管漏水到楼下引发纠纷"},
     500,
     8000,
     0.3,
     2,
     3,
     "一、责任方于三日内清理或修复；二、双方今后互谅互让，和睦相处。"},
    {"family",
     0.17,
     0.17,
     {"兄弟因赡养老人费用分摊发生争吵", "婆媳因家务琐事长期不和", "因老人房产继承问题家庭成员争执",
      NULL},
     10000,
     200000,
     0.3,
     2,
     4,
     "一、各方按约定分担赡养费用；二、家庭成员互相尊重，不再因此争吵。"},
    {"marriage",
     0.08,
     0.07,
     {"夫妻因家庭开支问题争吵，一方要求离婚", "离婚后因子女抚养费支付发生纠纷", NULL, NULL},
     10000,
     60000,
     0.4,
     2,
     2,
     "一、抚养费按月支付；二、双方不得干扰对方正常生活。"},
    {"land_boundary",
     0.02,
     0.24,
     {"两户因宅基地边界不清发生争执", "因承包地地界被移动引发矛盾", "因山林权属不清双方争执", NULL},
     0,
     0,
     0.0,
     2,
     6,
     "一、以现场丈量确定的界桩为准；二、双方不得越界耕种或建房。"},
    {"labour_wages",
     0.08,
     0.09,
     {"工地工人被拖欠工资，多次讨要未果", "员工离职后工资结算发生争议", NULL, NULL},
     5000,
     300000,
     1.0,
     2,
     40,
     "一、用工方于约定日期前结清工资；二、劳动者不再采取过激方式讨薪。"},
    {"consumer",
     0.07,
     0.04,
     {"顾客购买的电动车质量问题与商家协商未果", "因预付卡退费问题与商家发生纠纷", NULL, NULL},
     300,
     20000,
     1.0,
     2,
     3,
     "一、商家退还或更换商品；二、双方就此事再无其他争议。"},
    {"traffic",
     0.09,
     0.09,
     {"两车轻微剐蹭，双方对赔偿金额有争议", "电动车与行人相撞，医药费赔偿发生争议", NULL, NULL},
     1000,
     50000,
     1.0,
     2,
     3,
     "一、责任方一次性赔偿损失；二、双方就此事故再无其他争议。"},
    {"property_management",
     0.14,
     0.01,
     {"业主因物业费上涨拒交物业费", "小区停车位管理问题业主与物业发生矛盾", NULL, NULL},
     500,
     5000,
     0.5,
     2,
     8,
     "一、物业公司整改服务；二、业主按约定缴纳物业费。"},
    {"other",
     0.05,
     0.09,
     {"因借款未还发生纠纷", "因合伙经营分红问题发生争执", NULL, NULL},
     5000,
     100000,
     0.8,
     2,
     3,
     "一、欠款分期归还；二、双方就此事再无其他争议。"},
};

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周",
				       "吴", "徐", "孙", "朱", "马", "胡", "郭", "林", "何"};
static const char *const given[] = {"建国", "秀英", "桂兰", "志强", "丽华", "国平",
				    "春梅", "海燕", "建华", "玉兰", "明",   "伟",
				    "芳",   "军",   "敏",   "静",   "磊",   "洋"};

static uint64_t below(struct fq_rng *g, uint64_t n)
{
	return n ? fq_rng_below(g, n) : 0;
}

static int64_t between(struct fq_rng *g, int64_t lo, int64_t hi)
{
	return hi <= lo ? lo : lo + (int64_t)below(g, (uint64_t)(hi - lo + 1));
}

static int chance(struct fq_rng *g, double p)
{
	return fq_rng_unit(g) < p;
}

static int load_grids(struct fq_dbc *c, struct demo_grid *out, int *n, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT code, name, centroid_lat, centroid_lon FROM unit"
			      " WHERE kind = 'grid' AND parent = ? AND centroid_lat IS NOT NULL"
			      " ORDER BY code",
			      "t", FQ_DEMO_DISPUTES_STATION);

	*n = 0;
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW && *n < DEMO_GRIDS_MAX) {
		struct demo_grid *d = &out[(*n)++];
		snprintf(d->code, sizeof(d->code), "%s", fq_stmt_text(st, 0));
		snprintf(d->name, sizeof(d->name), "%s", fq_stmt_text(st, 1));
		d->lat = fq_stmt_double(st, 2);
		d->lon = fq_stmt_double(st, 3);
		d->village = strstr(d->name, "村") != NULL;
	}
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int user_id(struct fq_dbc *c, const char *username, char out[37], struct fq_err *err)
{
	int rc = fq_dbc_lookup_text(c, "SELECT id FROM app_user WHERE username = ?", username, out,
				    37, "演示用户不存在", err);
	if (rc == FQ_ENOTFOUND) {
		out[0] = '\0';
		return 0;
	}
	return rc;
}

/*
 * The demo's audit entry of a dispute: its intake, by "demo". The replayed
 * steps are in the dispute's timeline; auditing each of them too would
 * triple the demo's cost for every test server (escalations are audited).
 */
static int audit_intake(struct fq_dbc *c, const char *id, int64_t at, struct fq_err *err)
{
	struct fq_audit_entry e = {.username = "demo",
				   .unit_code = FQ_DEMO_DISPUTES_STATION,
				   .action = "dispute.create",
				   .object_type = "dispute",
				   .object_id = id,
				   .client = "cli",
				   .outcome = "ok"};
	return fq_audit_append(c, &e, at, NULL, err);
}

static int audit_escalation(void *arg, struct fq_dbc *c, const struct fq_dispute_escalation *e,
			    struct fq_err *err)
{
	struct fq_audit_entry a = {.username = "system",
				   .unit_code = e->unit_code,
				   .action = "dispute.escalate",
				   .object_type = "dispute",
				   .object_id = e->dispute_id,
				   .client = "server",
				   .outcome = "ok",
				   .reason = "overdue"};
	(void)arg;
	return fq_audit_append(c, &a, e->at, NULL, err);
}

static const struct demo_type *pick_type(struct fq_rng *g, int village)
{
	double total = 0, x;

	for (size_t i = 0; i < ARRAY_LEN(types); i++)
		total += village ? types[i].weight_village : types[i].weight_community;
	x = fq_rng_unit(g) * total;
	for (size_t i = 0; i < ARRAY_LEN(types); i++) {
		x -= village ? types[i].weight_village : types[i].weight_community;
		if (x < 0)
			return &types[i];
	}
	return &types[ARRAY_LEN(types) - 1];
}

/* Parties' strings live here for one dispute. */
struct demo_parties {
	struct fq_dispute_party_in in[DEMO_PARTIES_MAX];
	char names[DEMO_PARTIES_MAX][32];
	char phones[DEMO_PARTIES_MAX][16];
	char ids[DEMO_PARTIES_MAX][FQ_IDNUM_LEN + 1];
	int n;
};

/* The year (China Standard Time) of t. */
static int year_of(int64_t t)
{
	int64_t y;
	unsigned m, d;

	fq_civil_from_days((t + (int64_t)FQ_CST_OFFSET_S * 1000) / DAY_MS, &y, &m, &d);
	return (int)y;
}

/* Parties of a dispute reported at t: aged 14 to 88 that year. */
static void make_parties(struct fq_rng *g, int n, int64_t t, struct demo_parties *p)
{
	memset(p, 0, sizeof(*p));
	p->n = n;
	for (int i = 0; i < n; i++) {
		snprintf(p->names[i], sizeof(p->names[i]), "%s%s",
			 surnames[below(g, ARRAY_LEN(surnames))],
			 given[below(g, ARRAY_LEN(given))]);
		p->in[i].name = p->names[i];
		if (chance(g, 0.6)) {
			/* 15x, 18x: a range the tests' numbers stay out of. */
			snprintf(p->phones[i], sizeof(p->phones[i]), "%s%08llu",
				 chance(g, 0.5) ? "152" : "186",
				 (unsigned long long)below(g, 100000000));
			p->in[i].phone = p->phones[i];
		}
		if (chance(g, 0.4)) {
			char first17[18];
			int year = (int)between(g, year_of(t) - 88, year_of(t) - 14),
			    month = (int)between(g, 1, 12), day = (int)between(g, 1, 28);
			snprintf(first17, sizeof(first17), "330681%04d%02d%02d%03d", year, month,
				 day, (int)below(g, 1000));
			snprintf(p->ids[i], sizeof(p->ids[i]), "%s%c", first17,
				 fq_idnum_check_char(first17));
			p->in[i].id_number = p->ids[i];
		}
	}
}

static int cmp_times(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* A time of day between 8:00 and 20:00 China Standard Time on the day of t. */
static int64_t daytime(struct fq_rng *g, int64_t t)
{
	int64_t off = (int64_t)FQ_CST_OFFSET_S * 1000, day = (t + off) / DAY_MS;
	return day * DAY_MS - off + between(g, 8 * HOUR_MS, 20 * HOUR_MS);
}

struct demo_ctx {
	struct fq_dbc *c;
	struct fq_rng *g;
	int64_t end;
	char community[37], volunteer[37];
	char scope[FQ_UNIT_PATH_MAX];
	struct fq_err *err;
};

static int session(struct demo_ctx *x, const char *id, const struct demo_grid *grid,
		   enum fq_dispute_grade grade, const struct demo_parties *p, int64_t at)
{
	json_t *mediators = json_array(), *participants = json_array();
	char place[FQ_UNIT_NAME_MAX * 4 + 32], sid[37];
	int rc;

	snprintf(place, sizeof(place), "%s%s", grid->name,
		 grid->village ? "村委会" : "警务室调解室");
	if (grade == FQ_DISPUTE_GENERAL) {
		json_array_append_new(mediators,
				      json_string(chance(x->g, 0.5) ? "赵大妈" : "调解员老陈"));
	} else {
		json_array_append_new(mediators, json_string("王志强"));
		if (grade == FQ_DISPUTE_MAJOR) {
			json_array_append_new(mediators, json_string("司法所调解员"));
			json_array_append_new(
			    mediators, json_string(grid->village ? "村委会主任" : "社区书记"));
		}
	}
	for (int i = 0; i < p->n; i++)
		json_array_append_new(participants, json_string(p->names[i]));
	{
		struct fq_dispute_session_in in = {
		    .held_at = at,
		    .place = place,
		    .mediators = mediators,
		    .participants = participants,
		    .said = "双方分别陈述诉求，调解员释法说理，引导换位思考",
		    .agreed = chance(x->g, 0.5) ? "双方同意再作协商" : NULL,
		    .actor_id = grade == FQ_DISPUTE_GENERAL && x->volunteer[0] ? x->volunteer
									       : x->community,
		    .now_ms = at,
		};
		rc = fq_dispute_add_session(x->c, id, &in, sid, x->err);
	}
	json_decref(mediators);
	json_decref(participants);
	return rc;
}

static int resolve(struct demo_ctx *x, const char *id, const struct demo_type *type, int64_t at,
		   int agreement)
{
	struct fq_dispute_outcome_in in = {
	    .outcome = agreement ? "resolved_agreement" : "resolved",
	    .terms = agreement ? type->terms : NULL,
	    .actor_id = x->community,
	    .now_ms = at,
	};
	return fq_dispute_record_outcome(x->c, id, &in, x->err);
}

/* Follow up what fell due before the end; a flare-up (once) reopens and resolves again. */
static int follow_ups(struct demo_ctx *x, const char *id, const struct demo_type *type,
		      const struct demo_grid *grid, const struct demo_parties *p, int64_t resolved,
		      int may_flare)
{
	static const int days[] = {1, 7, 30};
	static const char *const results[] = {"双方关系和睦，协议已履行", "当事人表示满意",
					      "未再发生争执"};

	for (size_t i = 0; i < ARRAY_LEN(days); i++) {
		int64_t at = resolved + days[i] * DAY_MS + between(x->g, 0, 6 * HOUR_MS);
		int flare = may_flare && i < 2 && chance(x->g, 0.03), reopened = 0, rc;
		enum fq_dispute_grade to = FQ_DISPUTE_GENERAL;
		struct fq_dispute_follow_up_in in = {
		    .method = chance(x->g, 0.6) ? "phone" : "visit",
		    .result = flare ? "双方再次发生争执，矛盾反弹" : results[below(x->g, 3)],
		    .flare_up = flare,
		    .actor_id = x->community,
		    .now_ms = at,
		};
		if (at > x->end)
			return 0;
		if ((rc = fq_dispute_record_follow_up(x->c, id, &in, &reopened, NULL, &to, x->err)))
			return rc;
		if (reopened) {
			int64_t again = at + between(x->g, 1, 3) * DAY_MS;
			int64_t done = again + between(x->g, 1, 4) * DAY_MS;
			if (again > x->end)
				return 0;
			if ((rc = session(x, id, grid, to, p, again)))
				return rc;
			if (done > x->end)
				return 0;
			if ((rc = resolve(x, id, type, done, chance(x->g, 0.6))))
				return rc;
			return follow_ups(x, id, type, grid, p, done, 0);
		}
	}
	return 0;
}

/* Days from intake to the outcome: mostly within the deadline, a few late. */
static int64_t outcome_delay(struct fq_rng *g, enum fq_dispute_grade grade)
{
	int late = chance(g, 0.04);
	switch (grade) {
	case FQ_DISPUTE_MAJOR:
		return (late ? between(g, 31, 45) : between(g, 7, 28)) * DAY_MS;
	case FQ_DISPUTE_KEY:
		return (late ? between(g, 16, 25) : between(g, 3, 14)) * DAY_MS;
	default:
		return (late ? between(g, 8, 12) : between(g, 1, 6)) * DAY_MS;
	}
}

static int one_dispute(struct demo_ctx *x, const struct demo_grid *grids, int ngrids, int64_t t)
{
	const struct demo_grid *grid = &grids[below(x->g, (uint64_t)ngrids)];
	const struct demo_type *type = pick_type(x->g, grid->village);
	struct demo_parties p;
	char description[512], address[FQ_UNIT_NAME_MAX * 4 + 32], id[37], number[FQ_NUMBER_MAX];
	const char *story;
	int nstories = 0, rc;
	enum fq_dispute_grade grade;
	enum fq_dispute_state state;
	int64_t to, deadline;

	while (nstories < 4 && type->stories[nstories])
		nstories++;
	story = type->stories[below(x->g, (uint64_t)nstories)];
	make_parties(x->g, chance(x->g, 0.15) ? 3 : 2, t, &p);
	snprintf(description, sizeof(description), "%s与%s%s%s", p.names[0], p.names[1], story,
		 chance(x->g, 0.015)  ? "，一方扬言要拿刀拼命"
		 : chance(x->g, 0.08) ? "，双方发生推搡"
				      : "");
	snprintf(address, sizeof(address), "%s%d%s", grid->name, (int)between(x->g, 1, 12),
		 grid->village ? "组" : "幢");
	{
		struct fq_dispute_new in = {
		    .type = type->code,
		    .description = description,
		    .occurred_at = t - between(x->g, 0, 48) * HOUR_MS,
		    .has_location = 1,
		    .lat = grid->lat + (fq_rng_unit(x->g) - 0.5) * 0.002,
		    .lon = grid->lon + (fq_rng_unit(x->g) - 0.5) * 0.002,
		    .address = address,
		    .parties = p.in,
		    .nparties = p.n,
		    .people_involved =
			between(x->g, p.n > type->min_people ? p.n : type->min_people,
				type->max_people > p.n ? type->max_people : p.n),
		    .amount_fen = type->max_yuan && chance(x->g, type->money_share)
				      ? between(x->g, type->min_yuan, type->max_yuan) * 100
				      : 0,
		    .default_source =
			(const char *[]){"visit", "grid_worker", "walk_in", "volunteer",
					 "resident_message", "visit"}[below(x->g, 6)],
		    .unit = grid->code,
		    .actor_unit = FQ_DEMO_DISPUTES_STATION,
		    .scope_path = x->scope,
		    .actor_id = x->community[0] ? x->community : NULL,
		    .now_ms = t,
		};
		if ((rc = fq_dispute_create(x->c, &in, id, number, x->err)) ||
		    (rc = audit_intake(x->c, id, t, x->err)))
			return rc;
	}
	if ((rc = fq_dispute_grade_state(x->c, id, &grade, &state, x->err)))
		return rc;
	deadline = fq_dispute_deadline(grade, t);
	if (grade != FQ_DISPUTE_GENERAL) {
		static const char *const all[] = {"justice_office", "village_committee", "court",
						  "township_government", NULL};
		static const char *const none[] = {NULL};
		int64_t at = t + between(x->g, 2, 8) * HOUR_MS;
		if ((rc = fq_dispute_assign(x->c, id, x->community,
					    grade == FQ_DISPUTE_MAJOR ? all + below(x->g, 2) : none,
					    x->community, at, x->err)))
			return rc;
	}
	to = t + outcome_delay(x->g, grade) + between(x->g, 0, 8) * HOUR_MS;
	{
		int sessions = grade == FQ_DISPUTE_MAJOR ? 3 : grade == FQ_DISPUTE_KEY ? 2 : 1;
		sessions = (int)between(x->g, 1, sessions);
		for (int i = 0; i < sessions; i++) {
			int64_t at = t + 4 * HOUR_MS + (to - t - 5 * HOUR_MS) * i / sessions;
			if (at > x->end)
				break;
			if ((rc = session(x, id, grid, grade, &p, at)))
				return rc;
		}
	}
	/* A late one is escalated when its deadline passes, before its outcome. */
	if (to > deadline && deadline + HOUR_MS <= x->end &&
	    (rc = fq_dispute_escalate_due(x->c, deadline + HOUR_MS, audit_escalation, NULL, NULL,
					  x->err)))
		return rc;
	if (to > x->end)
		return 0;
	{
		double r = fq_rng_unit(x->g);
		if (r < 0.006) {
			struct fq_dispute_outcome_in in = {.outcome = "failed",
							   .note = "一方拒绝继续调解",
							   .actor_id = x->community,
							   .now_ms = to};
			return fq_dispute_record_outcome(x->c, id, &in, x->err);
		}
		if (r < 0.012) {
			struct fq_dispute_outcome_in in = {
			    .outcome = "referred",
			    .referred_kind = chance(x->g, 0.6) ? "court" : "department",
			    .referred_to = "枫溪人民法庭",
			    .actor_id = x->community,
			    .now_ms = to};
			return fq_dispute_record_outcome(x->c, id, &in, x->err);
		}
		if ((rc = resolve(x, id, type, to, r < 0.58)))
			return rc;
	}
	return follow_ups(x, id, type, grid, &p, to, 1);
}

int fq_dispute_demo(struct fq_dbc *c, struct fq_rng *g, int64_t now_ms, int *count,
		    struct fq_err *err)
{
	struct demo_grid *grids = calloc(DEMO_GRIDS_MAX, sizeof(*grids));
	struct demo_ctx x = {.c = c, .g = g, .end = now_ms - DEMO_END_BEFORE, .err = err};
	int64_t *times = NULL;
	int ngrids = 0, n = DEMO_DISPUTES + (int)below(g, 41), made = 0, rc;

	if (count)
		*count = 0;
	if (!grids)
		return fq_err_set(err, FQ_EINTERNAL, "internal", NULL, "out of memory");
	if ((rc = fq_unit_path(c, FQ_DEMO_DISPUTES_STATION, x.scope, err)) ||
	    (rc = load_grids(c, grids, &ngrids, err)) ||
	    (rc = user_id(c, "community", x.community, err)) ||
	    (rc = user_id(c, "volunteer", x.volunteer, err)))
		goto out;
	if (!ngrids)
		goto out;
	times = calloc((size_t)n, sizeof(*times));
	if (!times) {
		rc = fq_err_set(err, FQ_EINTERNAL, "internal", NULL, "out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++)
		times[i] = daytime(g, x.end - (int64_t)(fq_rng_unit(g) * DEMO_DAYS * DAY_MS));
	qsort(times, (size_t)n, sizeof(*times), cmp_times);
	for (int i = 0; i < n; i++) {
		if (times[i] > x.end)
			continue;
		if ((rc = one_dispute(&x, grids, ngrids, times[i])))
			goto out;
		made++;
	}
	/* Those still open past their deadline at the end are escalated by now. */
	rc = fq_dispute_escalate_due(c, now_ms, audit_escalation, NULL, NULL, err);
	if (!rc && count)
		*count = made;
out:
	free(times);
	free(grids);
	return rc;
}
