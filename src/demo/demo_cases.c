/*
 * A year of demo livelihood cases for the main demo station (docs/cases.md):
 * about 300 cases spread over the last 365 days in the station's grids,
 * thefts the most common, with victims, suspects, losses, recoveries,
 * evidence; the station's own cases solved or closed, the "两不办" ones
 * transferred, acknowledged and fed back; about 25 clues passed on; one
 * series of night-time e-bike thefts in one community. Cases of the last
 * 20 days may still be under investigation, never past a deadline (also
 * with the server clock shifted a few days, as the API tests do), so the
 * escalation job has nothing to do on a fresh demo. Written through the
 * store functions, without audit entries (seed data has no actor).
 */
#include "demo/demo_cases.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cases/case.h"
#include "cases/linkage.h"
#include "cases/transfer.h"
#include "core/alloc.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define DAY_MS	(24LL * 3600 * 1000)
#define HOUR_MS (3600LL * 1000)
#define NGRID	64

struct grid {
	char code[16];
	double lat, lon;
};

static const struct {
	const char *type;
	int weight;
	int lo, hi; /* yuan lost */
} mix[] = {
    {"ebike_theft", 22, 1200, 4200},
    {"bicycle_theft", 8, 150, 900},
    {"petty_theft", 14, 50, 2000},
    {"burglary", 6, 800, 20000},
    {"pickpocketing", 4, 300, 6000},
    {"fraud", 8, 100, 3000},
    {"telecom_fraud", 5, 3000, 80000},
    {"property_damage", 7, 200, 3000},
    {"assault", 12, 0, 0},
    {"minor_injury", 4, 0, 0},
    {"provocation", 5, 0, 0},
    {"gambling", 3, 0, 0},
    {"drug_use", 1, 0, 0},
    {"prostitution", 1, 0, 0},
};

static const char *const methods[] = {"趁夜色用液压钳剪断U型锁后骑走",
				      "撬开防盗窗入户翻找",
				      "在菜市场人多处拉开背包拉链",
				      "以低价转让为名收款后失联",
				      "冒充快递理赔客服诱导转账",
				      "持砖块砸碎汽车后窗",
				      "酒后因口角推搡并拳击面部",
				      "在KTV门口聚众滋事起哄",
				      "趁店员午休从收银台取走现金",
				      "破坏车棚门禁进入",
				      "搭线启动电动车",
				      "翻越院墙进入院内"};
static const char *const names[] = {"李秀英", "王建华", "张丽", "刘洋", "陈静", "杨帆",
				    "赵磊",   "黄敏",	"周涛", "吴芳", "徐强", "孙悦"};
static const char *const suspects[] = {"中年男子，黑色外套，戴鸭舌帽", "两名青年男子，骑无牌摩托车",
				       "女子，长发，背红色挎包", "男子，身材偏瘦，外地口音",
				       "男子，约1米75，穿灰色卫衣"};
static const char *const results[] = {"调取监控锁定嫌疑人，已抓获并追回部分财物",
				      "经调解双方达成和解，已履行赔偿", "嫌疑人到案，已依法处理"};
static const char *const close_reasons[] = {"经审查不构成违法，不予立案", "当事人撤回报案",
					    "经调解双方和解，依法结案"};
static const char *const receivers[][2] = {{"criminal_investigation", "枫溪县公安局刑侦大队"},
					   {"drug", "枫溪县公安局禁毒大队"},
					   {"public_order", "枫溪县公安局治安大队"},
					   {"anti_fraud", "枫溪县反诈中心"},
					   {"economic_crime", "枫溪县公安局经侦大队"}};

static const char *pick(struct fq_rng *g, const char *const *v, size_t n)
{
	return v[fq_rng_below(g, n)];
}
#define PICK(g, v) pick(g, v, sizeof(v) / sizeof(v[0]))

static int load_context(struct fq_dbc *c, const char *station, char path[FQ_UNIT_PATH_MAX],
			char officer[37], struct grid *grids, int *ngrid, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc;

	if ((rc = fq_unit_path(c, station, path, err)))
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT u.id FROM app_user u JOIN user_role r ON r.user_id = u.id"
			  " AND r.role = 'case_officer' WHERE u.unit_code = ? ORDER BY u.created_at"
			  " LIMIT 1",
			  "t", station);
	if (rc)
		return rc;
	officer[0] = '\0';
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		snprintf(officer, 37, "%s", fq_stmt_text(st, 0));
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT code, centroid_lat, centroid_lon FROM unit WHERE kind = 'grid'"
			  " AND substr(path, 1, length(?)) = ? AND centroid_lat IS NOT NULL"
			  " ORDER BY code LIMIT ?",
			  "tti", path, path, (int64_t)NGRID);
	if (rc)
		return rc;
	*ngrid = 0;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		struct grid *gr = &grids[(*ngrid)++];
		snprintf(gr->code, sizeof(gr->code), "%s", fq_stmt_text(st, 0));
		gr->lat = fq_stmt_double(st, 1);
		gr->lon = fq_stmt_double(st, 2);
	}
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	if (!officer[0] || !*ngrid)
		return fq_err_set(err, FQ_EINTERNAL, "demo", NULL, "演示数据缺少办案民警或网格");
	return 0;
}

static int step(struct fq_dbc *c, const char *id, enum fq_case_step s, const char *text,
		const char *actor, int64_t at, struct fq_err *err)
{
	struct fq_case_change ch = {.step = s, .text = text, .actor_id = actor, .now_ms = at};
	return fq_case_transition(c, id, &ch, NULL, NULL, err);
}

struct demo_case {
	const char *type;
	int64_t accepted, occurred;
	const struct grid *grid;
	const char *method;
	int64_t lost_fen;
};

static int one_case(struct fq_dbc *c, struct fq_rng *g, const char *path, const char *station,
		    const char *officer, const struct demo_case *d, int64_t now, char id[37],
		    struct fq_err *err)
{
	const struct fq_case_type *t = fq_case_type_find(d->type);
	char phone[16], title[128], number[FQ_NUMBER_MAX];
	const char *evidence[] = {"现场照片", "监控录像"};
	struct fq_case_party_in parties[2] = {
	    {.role = "victim", .name = PICK(g, names), .phone = phone},
	    {.role = "suspect", .name = "不详", .description = PICK(g, suspects)}};
	struct fq_case_item_in lost = {.description = t->label, .value_fen = d->lost_fen};
	struct fq_case_new in = {.type = d->type,
				 .title = title,
				 .description = "群众来所报案，民警已受理",
				 .method = d->method,
				 .occurred_at = d->occurred,
				 .has_location = 1,
				 .lat = d->grid->lat + (fq_rng_unit(g) - 0.5) * 0.004,
				 .lon = d->grid->lon + (fq_rng_unit(g) - 0.5) * 0.004,
				 .grid = d->grid->code,
				 .officer_id = officer,
				 .parties = parties,
				 .nparties = 2,
				 .lost = &lost,
				 .nlost = d->lost_fen > 0,
				 .evidence = evidence,
				 .nevidence = 1 + (int)fq_rng_below(g, 2),
				 .scope_path = path,
				 .actor_unit = station,
				 .actor_id = officer,
				 .now_ms = d->accepted};
	int64_t t1 = d->accepted + (int64_t)(fq_rng_unit(g) * 2 * DAY_MS);
	int rc;

	snprintf(phone, sizeof(phone), "13%09llu",
		 (unsigned long long)(100000000 + fq_rng_below(g, 899999999)));
	snprintf(title, sizeof(title), "%s%s", t->label, "案");
	if ((rc = fq_case_create(c, &in, id, number, err)))
		return rc;
	if (t1 > now - HOUR_MS)
		t1 = now - HOUR_MS;
	if (!t->station_handles) {
		int64_t tt = d->accepted + (int64_t)(fq_rng_unit(g) * 1.5 * DAY_MS);
		int k = strcmp(t->transfer_kind, "criminal_investigation") == 0 ? 0
			: strcmp(t->transfer_kind, "drug") == 0			? 1
			: strcmp(t->transfer_kind, "public_order") == 0		? 2
										: 3;
		json_t *items = json_pack("[s, s]", "案件卷宗", "监控录像光盘");
		struct fq_transfer_new tr = {.case_id = id,
					     .receiver_name = receivers[k][1],
					     .receiver_kind = receivers[k][0],
					     .items = items,
					     .scope_path = path,
					     .actor_unit = station,
					     .actor_id = officer};
		char tid[37];
		if (tt > now - HOUR_MS)
			tt = now - HOUR_MS;
		tr.now_ms = tt;
		rc = fq_transfer_create(c, &tr, tid, number, err);
		json_decref(items);
		if (!rc && tt + 4 * HOUR_MS < now)
			rc = fq_transfer_acknowledge(c, tid, "值班民警", 0, 0, officer,
						     tt + 4 * HOUR_MS, err);
		if (!rc && tt + 10 * DAY_MS < now) {
			rc = fq_transfer_feedback(c, tid, "已立案侦查", 0, 0, officer,
						  tt + 10 * DAY_MS, err);
			if (!rc && fq_rng_unit(g) < 0.7)
				rc = step(c, id, FQ_CASE_CLOSE, "移交单位已反馈", officer,
					  tt + 11 * DAY_MS, err);
		}
		return rc;
	}
	if ((rc = step(c, id, FQ_CASE_INVESTIGATE, NULL, officer, t1, err)))
		return rc;
	/* Recent cases may still be under investigation (within their 30 days). */
	if (now - d->accepted < 20 * DAY_MS && fq_rng_unit(g) < 0.6)
		return 0;
	int64_t t2 = t1 + (int64_t)(fq_rng_unit(g) * 20 * DAY_MS);
	if (t2 > now - 30 * 60 * 1000)
		t2 = now - 30 * 60 * 1000;
	if (fq_rng_unit(g) < 0.6) {
		if (d->lost_fen > 0 && fq_rng_unit(g) < 0.7) {
			struct fq_case_item_in rec = {
			    .description = "追回财物",
			    .value_fen = (int64_t)(d->lost_fen * (0.4 + 0.6 * fq_rng_unit(g)))};
			rec.at = t2;
			if ((rc = fq_case_add_item(c, id, "recovered", &rec, officer, t2, err)))
				return rc;
		}
		return step(c, id, FQ_CASE_SOLVE, PICK(g, results), officer, t2, err);
	}
	return step(c, id, FQ_CASE_CLOSE, PICK(g, close_reasons), officer, t2, err);
}

int fq_demo_cases(struct fq_dbc *c, struct fq_rng *g, const char *station, int64_t now,
		  struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX], officer[37], id[37], number[FQ_NUMBER_MAX];
	char series_ids[4][37];
	struct grid *grids = fq_xcalloc(NGRID, sizeof(*grids));
	int ngrid = 0, total = 0, rc;

	if ((rc = load_context(c, station, path, officer, grids, &ngrid, err)))
		goto out;
	for (size_t i = 0; i < sizeof(mix) / sizeof(mix[0]); i++)
		total += mix[i].weight;
	for (int i = 0; i < 300 && !rc; i++) {
		int w = (int)fq_rng_below(g, (uint64_t)total);
		size_t k = 0;
		struct demo_case d;
		while (w >= mix[k].weight)
			w -= mix[k++].weight;
		d.type = mix[k].type;
		d.accepted = now - DAY_MS - (int64_t)(fq_rng_unit(g) * 364 * DAY_MS);
		d.occurred = d.accepted - (int64_t)(fq_rng_unit(g) * 36 * HOUR_MS);
		d.grid = &grids[fq_rng_below(g, (uint64_t)ngrid)];
		d.method = PICK(g, methods);
		d.lost_fen =
		    mix[k].hi ? 100 * (mix[k].lo +
				       (int64_t)fq_rng_below(g, (uint64_t)(mix[k].hi - mix[k].lo)))
			      : 0;
		rc = one_case(c, g, path, station, officer, &d, now, id, err);
	}
	/* A series: four night-time e-bike thefts in one community, a week apart. */
	for (int i = 0; i < 4 && !rc; i++) {
		struct demo_case d = {.type = "ebike_theft",
				      .grid = &grids[0],
				      .method = "凌晨用液压钳剪断车锁，推至小区外骑走",
				      .lost_fen = 260000 + 10000 * i};
		int64_t day = now - (60 - 7 * i) * DAY_MS;
		d.occurred = day - (day + 8 * HOUR_MS) % DAY_MS + 2 * HOUR_MS + i * 600000;
		d.accepted = d.occurred + 7 * HOUR_MS;
		rc = one_case(c, g, path, station, officer, &d, now, series_ids[i], err);
	}
	if (!rc) {
		json_t *ids = json_pack("[s, s, s, s]", series_ids[0], series_ids[1], series_ids[2],
					series_ids[3]);
		struct fq_series_new sn = {.name = "凌晨剪锁盗窃电动车系列案",
					   .reason = "同一社区、同为凌晨剪断车锁，嫌疑人特征相近",
					   .case_ids = ids,
					   .unit = station,
					   .scope_path = path,
					   .actor_id = officer,
					   .now_ms = now - 30 * DAY_MS};
		rc = fq_series_create(c, &sn, id, number, err);
		json_decref(ids);
	}
	/* Clues passed on (线索): about two a month. */
	for (int i = 0; i < 25 && !rc; i++) {
		static const char *const clues[][2] = {
		    {"群众反映某出租屋深夜常有人聚集，疑似吸毒", "drug"},
		    {"走访发现某棋牌室疑似设赌抽头", "public_order"},
		    {"网格员报告有人收购来历不明的电动车", "criminal_investigation"},
		    {"居民反映接到疑似冒充公检法的诈骗电话", "anti_fraud"}};
		int k = (int)fq_rng_below(g, 4);
		json_t *items = json_pack("[s]", "走访记录");
		struct fq_transfer_new tr = {.clue_text = clues[k][0],
					     .clue_source = "社区走访",
					     .unit = station,
					     .receiver_name = "枫溪县公安局",
					     .receiver_kind = clues[k][1],
					     .items = items,
					     .scope_path = path,
					     .actor_unit = station,
					     .actor_id = officer,
					     .now_ms = now - DAY_MS -
						       (int64_t)(fq_rng_unit(g) * 360 * DAY_MS)};
		char tid[37];
		rc = fq_transfer_create(c, &tr, tid, number, err);
		json_decref(items);
		if (!rc)
			rc = fq_transfer_acknowledge(c, tid, "值班民警", 0, 0, officer,
						     tr.now_ms + 2 * HOUR_MS, err);
	}
out:
	free(grids);
	return rc;
}
