/* Demo volunteers and school posts. See demo_volunteers.h. */
#include "demo/demo_volunteers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/field.h"
#include "community/school.h"
#include "community/volunteer.h"
#include "core/alloc.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "http/audit.h"
#include "core/banned.h"

#define MAIN_STATION   "339902510000"
#define ROOT	       "/339900/" /* the demo city: every unit */
#define VOLUNTEER_GRID "339902100001"
#define DAY_MS	       (24LL * 3600 * 1000)
#define MIN_MS	       (60LL * 1000)
#define MAX_GRIDS      256
#define MAX_MEMBERS    24
#define ATTEND_DAYS    120

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
				       "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗",
				       "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧"};
static const char *const given[] = {"秀英", "桂英", "建华", "国庆", "玉兰", "金凤", "志明", "春生",
				    "美华", "卫东", "丽娟", "海燕", "德胜", "根宝", "阿毛", "月娥",
				    "雪芳", "荣发", "素珍", "长根", "水娟", "伟民", "小芬", "友良"};
static const char *const areas[] = {"主街及菜市场一带", "沿河步道", "小区内环路",
				    "村委会至祠堂一线", "老街巷弄", "学校周边路段",
				    "工业区外围",	"文化广场"};

struct grid_row {
	char code[FQ_UNIT_CODE_MAX];
	char name[64];
	char station[FQ_UNIT_CODE_MAX];
	int community; /* a community of the main station (the first 11 grids) */
};

struct group_made {
	char id[37];
	char members[MAX_MEMBERS][37];
	int nmembers;
	int main; /* of the main station */
};

struct made {
	int64_t groups, members, tasks, turns, minutes, clues, schools, posts, attendance;
};

static void member_name(struct fq_rng *g, char out[32])
{
	snprintf(out, 32, "%s%s", surnames[fq_rng_below(g, sizeof(surnames) / sizeof(*surnames))],
		 given[fq_rng_below(g, sizeof(given) / sizeof(*given))]);
}

static void mobile(struct fq_rng *g, char out[16])
{
	static const char *const prefixes[] = {"135", "137", "138", "139", "150", "158", "187"};
	snprintf(out, 16, "%s%08llu", prefixes[fq_rng_below(g, 7)],
		 (unsigned long long)fq_rng_below(g, 100000000));
}

static int load_grids(struct fq_dbc *c, struct grid_row *rows, int *n, struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT g.code, g.name, s.code FROM unit g JOIN unit s ON"
			      " substr(g.path, 1, length(s.path)) = s.path AND s.kind = 'station'"
			      " WHERE g.kind = 'grid' ORDER BY s.code, g.code",
			      "");
	int main_seen = 0;

	*n = 0;
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		struct grid_row *r = &rows[*n];
		rc = 0;
		if (*n >= MAX_GRIDS)
			continue;
		snprintf(r->code, sizeof(r->code), "%s", fq_stmt_text(st, 0));
		snprintf(r->name, sizeof(r->name), "%s", fq_stmt_text(st, 1));
		snprintf(r->station, sizeof(r->station), "%s", fq_stmt_text(st, 2));
		r->community = strcmp(r->station, MAIN_STATION) == 0 && main_seen++ < 11;
		(*n)++;
	}
	fq_stmt_done(st);
	return rc == FQ_DB_DONE ? 0 : rc;
}

static int user_id(struct fq_dbc *c, const char *username, char out[37], struct fq_err *err)
{
	return fq_dbc_lookup_text(c, "SELECT id FROM app_user WHERE username = ?", username, out,
				  37, "演示用户不存在", err);
}

static int make_group(struct fq_dbc *c, struct fq_rng *g, const char *unit, const char *name,
		      const char *kind, int members, const char *linked_user, int64_t now_ms,
		      struct group_made *out, struct made *m, struct fq_err *err)
{
	struct fq_vgroup_new in = {.name = name, .kind = kind, .unit_code = unit, .now_ms = now_ms};
	char leader[32];
	int rc;

	member_name(g, leader);
	in.leader_name = leader;
	out->nmembers = 0;
	if ((rc = fq_vgroup_create(c, &in, ROOT, out->id, err)))
		return rc;
	m->groups++;
	for (int i = 0; i < members && i < MAX_MEMBERS && !rc; i++) {
		char nm[32], phone[16], day[11];
		struct fq_vmember_new mn = {.group_id = out->id, .now_ms = now_ms};
		member_name(g, nm);
		mobile(g, phone);
		fq_school_format_day(
		    fq_school_local_day(now_ms) - 400 - (int64_t)fq_rng_below(g, 2000), day);
		mn.name = i == 0 ? leader : nm;
		mn.phone = phone;
		mn.joined_on = day;
		if (i == 1 && linked_user) {
			mn.name = "赵大妈";
			mn.user_id = linked_user;
		}
		rc = fq_vmember_create(c, &mn, ROOT, out->members[out->nmembers], err);
		if (!rc) {
			out->nmembers++;
			m->members++;
		}
	}
	return rc;
}

/* A task with turns; past tasks get check-ins, about 4 % are missed. */
static int make_task(struct fq_dbc *c, struct fq_rng *g, struct group_made *gr, const char *kind,
		     const char *title, int64_t starts, int64_t ends, int64_t now_ms,
		     struct made *m, struct fq_err *err)
{
	struct fq_vtask_new in = {.group_id = gr->id,
				  .kind = kind,
				  .title = title,
				  .area = areas[fq_rng_below(g, sizeof(areas) / sizeof(*areas))],
				  .lat = NAN,
				  .lon = NAN,
				  .starts_at = starts,
				  .ends_at = ends,
				  .now_ms = now_ms};
	char id[37], path[FQ_UNIT_PATH_MAX];
	int rc, turns, first;

	if ((rc = fq_vtask_create(c, &in, ROOT, id, err)))
		return rc;
	m->tasks++;
	if (ends > now_ms || fq_rng_below(g, 100) < 4)
		return 0;
	if ((rc = fq_vtask_unit_path(c, id, path, err)))
		return rc;
	turns = 2 + (int)fq_rng_below(g, 4);
	if (turns > gr->nmembers)
		turns = gr->nmembers;
	first = (int)fq_rng_below(g, (uint64_t)gr->nmembers);
	for (int k = 0; k < turns && !rc; k++) {
		const char *member = gr->members[(first + k) % gr->nmembers];
		int64_t in_at = starts - (int64_t)fq_rng_below(g, 20) * MIN_MS +
				(int64_t)fq_rng_below(g, 10) * MIN_MS;
		int64_t out_at = ends + (int64_t)fq_rng_below(g, 15) * MIN_MS -
				 (int64_t)fq_rng_below(g, 25) * MIN_MS;
		int64_t minutes = fq_volunteer_credit_minutes(starts, ends, in_at, out_at);
		char tid[37];
		fq_uuid7_str(tid);
		rc = fq_dbc_run(c, err, NULL,
				"INSERT INTO volunteer_checkin (id, task_id, member_id, unit_path,"
				" in_at, out_at, minutes) VALUES (?, ?, ?, ?, ?, ?, ?)",
				"ttttiii", tid, id, member, path, in_at, out_at, minutes);
		m->turns++;
		m->minutes += minutes;
	}
	if (!rc && fq_rng_below(g, 100) < 3) {
		static const char *const clues[] = {
		    "发现一辆无牌电动车长期停放在路口，车锁被撬", "河边有人夜间电鱼",
		    "出租房内疑似有多人聚集赌博", "有陌生人挨家推销保健品，自称社区工作人员"};
		char clue[37];
		rc = fq_vtask_report_clue(c, id, gr->members[first], clues[fq_rng_below(g, 4)], NAN,
					  NAN, NULL, ends - 30 * MIN_MS, clue, err);
		if (!rc && ends < now_ms - 7 * DAY_MS)
			rc = fq_clue_close(c, clue, 0, "已核查处置", NULL, ends + 2 * DAY_MS, err);
		m->clues++;
	}
	return rc;
}

/* A patrol team's evening patrol, or a 红袖章 group's market-day watch. */
static int make_day(struct fq_dbc *c, struct fq_rng *g, struct group_made *gr, int watch,
		    int64_t day, int64_t now_ms, struct made *m, struct fq_err *err)
{
	int64_t starts = fq_school_session_start(day, watch ? 8 * 60 : 19 * 60);
	int64_t ends = starts + (watch ? 3 : 2) * 3600 * 1000LL;

	return make_task(c, g, gr, watch ? "watch" : "patrol",
			 watch ? "集市日治安值守" : "夜间平安巡逻", starts, ends, now_ms, m, err);
}

static int make_volunteers(struct fq_dbc *c, struct fq_rng *g, int64_t now_ms, struct made *m,
			   char guard_group[37], struct group_made *guards, struct fq_err *err)
{
	struct grid_row *grids = fq_xcalloc(MAX_GRIDS, sizeof(*grids));
	struct group_made *gr = fq_xcalloc(1, sizeof(*gr));
	char volunteer[37];
	int64_t today = fq_school_local_day(now_ms);
	int n = 0, rc;

	rc = load_grids(c, grids, &n, err);
	if (!rc)
		rc = user_id(c, "volunteer", volunteer, err);
	for (int i = 0; i < n && !rc; i++) {
		int main = strcmp(grids[i].station, MAIN_STATION) == 0;
		int own = strcmp(grids[i].code, VOLUNTEER_GRID) == 0;
		char name[96];
		for (int k = 0; k < 1 + grids[i].community && !rc; k++) {
			const char *kind = k ? "red_armband" : "patrol_team";
			snprintf(name, sizeof(name), "%.*s%s", 30, grids[i].name,
				 k ? "红袖章队" : "平安巡逻队");
			rc = make_group(c, g, grids[i].code, name, kind,
					(k ? 6 : 8) + (int)fq_rng_below(g, 7),
					own && !k ? volunteer : NULL, now_ms, gr, m, err);
			/*
			 * Past year and two weeks ahead: weekly (main station) or
			 * fortnightly; the demo volunteer's team patrols every evening
			 * from yesterday on.
			 */
			for (int64_t w = today - 364; w <= today + 14 && !rc; w += main ? 7 : 14) {
				int64_t day = w + (int64_t)fq_rng_below(g, main ? 7 : 14);
				if (day > today + 14 || (own && !k && day >= today - 1))
					continue;
				rc = make_day(c, g, gr, k, day, now_ms, m, err);
			}
			for (int64_t day = today - 1; own && !k && day <= today + 14 && !rc; day++)
				rc = make_day(c, g, gr, k, day, now_ms, m, err);
		}
	}
	/* The station's school guard team. */
	if (!rc)
		rc = make_group(c, g, MAIN_STATION, "枫溪镇护学志愿队", "school_guard", 20, NULL,
				now_ms, guards, m, err);
	if (!rc)
		snprintf(guard_group, 37, "%s", guards->id);
	free(gr);
	free(grids);
	return rc;
}

static int make_schools(struct fq_dbc *c, struct fq_rng *g, int64_t now_ms,
			struct group_made *guards, struct made *m, struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	char(*orgs)[37] = fq_xcalloc(64, 37);
	char officers[3][37];
	int norgs = 0, rc, nschools = 0;
	int64_t today = fq_school_local_day(now_ms);
	char(*schools)[37] = fq_xcalloc(64, 37);

	rc = fq_dbc_query(c, err, &st,
			  "SELECT id FROM organisation WHERE type = 'school' AND station = ?"
			  " ORDER BY name LIMIT 64",
			  "t", MAIN_STATION);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		snprintf(orgs[norgs++], 37, "%s", fq_stmt_text(st, 0));
		rc = 0;
	}
	fq_stmt_done(st);
	if (rc == FQ_DB_DONE)
		rc = 0;
	for (int i = 0; i < norgs && !rc; i++) {
		struct fq_school_new in = {.organisation_id = orgs[i],
					   .pupils = 300 + (int64_t)fq_rng_below(g, 1200),
					   .now_ms = now_ms};
		rc = fq_school_create(c, &in, ROOT, schools[nschools], err);
		if (!rc)
			nschools++;
	}
	if (!rc && norgs == 0) {
		/* No registry schools: a primary school in each of the first eight communities. */
		struct grid_row *grids = fq_xcalloc(MAX_GRIDS, sizeof(*grids));
		int n = 0;
		rc = load_grids(c, grids, &n, err);
		for (int i = 0; i < n && !rc && nschools < 8; i++) {
			char name[96];
			struct fq_school_new in = {.name = name,
						   .unit_code = grids[i].code,
						   .pupils = 300 + (int64_t)fq_rng_below(g, 1200),
						   .now_ms = now_ms};
			if (!grids[i].community)
				continue;
			snprintf(name, sizeof(name), "枫溪镇%.*s小学", 30, grids[i].name);
			rc = fq_school_create(c, &in, ROOT, schools[nschools], err);
			if (!rc)
				nschools++;
		}
		free(grids);
	}
	m->schools = nschools;
	if (!rc)
		rc = user_id(c, "community", officers[0], err);
	if (!rc)
		rc = user_id(c, "auxiliary", officers[1], err);
	if (!rc)
		rc = user_id(c, "chief", officers[2], err);
	for (int s = 0; s < nschools && !rc; s++) {
		for (int p = 0; p < 1 + (s % 2) && !rc; p++) {
			char post[37], sess[2][37];
			int64_t set_up = now_ms - (ATTEND_DAYS + 1) * DAY_MS;
			const char *who[3][2];
			rc = fq_spost_create(c, schools[s], p ? "东侧门" : "正门", NAN, NAN, ROOT,
					     set_up, post, err);
			if (rc)
				break;
			m->posts++;
			if ((rc = fq_ssession_add(c, post, "早高峰", FQ_SCHOOL_WEEKDAYS,
						  7 * 60 + 20, 8 * 60, set_up, sess[0], err)) ||
			    (rc =
				 fq_ssession_add(c, post, "晚高峰", FQ_SCHOOL_WEEKDAYS,
						 16 * 60 + 30, 17 * 60 + 10, set_up, sess[1], err)))
				break;
			who[0][0] = "user";
			who[0][1] = officers[(s + p) % 2 == 0 ? 0 : 1];
			who[1][0] = who[2][0] = "member";
			who[1][1] = guards->members[(2 * s + p) % guards->nmembers];
			who[2][1] = guards->members[(2 * s + p + 7) % guards->nmembers];
			for (int a = 0; a < 3 && !rc; a++)
				rc = fq_spost_assign(c, post, who[a][0], who[a][1], ROOT, set_up,
						     err);
			for (int64_t d = today - ATTEND_DAYS; d < today && !rc; d++) {
				char day[11];
				if (!((FQ_SCHOOL_WEEKDAYS >> fq_school_weekday(d)) & 1))
					continue;
				fq_school_format_day(d, day);
				for (int k = 0; k < 2 && !rc; k++) {
					int64_t start = fq_school_session_start(d, k ? 16 * 60 + 30
										     : 7 * 60 + 20);
					for (int a = 0; a < 3 && !rc; a++) {
						uint64_t roll = fq_rng_below(g, 100);
						struct fq_attendance_new at = {
						    .session_id = sess[k],
						    .day = day,
						    .kind = who[a][0],
						    .ref_id = who[a][1],
						    .actor_id = officers[2],
						    .now_ms = start + 3 * 3600 * 1000LL};
						char aid[37];
						if (roll < 3)
							at.status = "absent";
						else if (roll < 9)
							at.arrived_at =
							    start +
							    (1 + (int64_t)fq_rng_below(g, 12)) *
								MIN_MS;
						else
							at.arrived_at =
							    start -
							    (int64_t)fq_rng_below(g, 15) * MIN_MS;
						rc = fq_attendance_record(c, &at, ROOT, aid, err);
						m->attendance++;
					}
				}
			}
		}
	}
	free(orgs);
	free(schools);
	return rc;
}

int fq_demo_volunteers(struct fq_dbc *c, struct fq_rng *g, int64_t now_ms, struct fq_err *err)
{
	struct made m = {0};
	struct group_made *guards = fq_xcalloc(1, sizeof(*guards));
	char guard_group[37] = "", detail[400];
	struct fq_audit_entry e = {.username = "demo",
				   .action = "volunteer.demo",
				   .object_type = "volunteer",
				   .client = "cli",
				   .outcome = "ok"};
	int rc = make_volunteers(c, g, now_ms, &m, guard_group, guards, err);

	if (!rc)
		rc = make_schools(c, g, now_ms, guards, &m, err);
	free(guards);
	if (rc)
		return rc;
	snprintf(detail, sizeof(detail),
		 "{\"groups\":%lld,\"members\":%lld,\"tasks\":%lld,\"turns\":%lld,\"hours\":%lld,"
		 "\"clues\":%lld,\"schools\":%lld,\"posts\":%lld,\"attendance\":%lld}",
		 (long long)m.groups, (long long)m.members, (long long)m.tasks, (long long)m.turns,
		 (long long)(m.minutes / 60), (long long)m.clues, (long long)m.schools,
		 (long long)m.posts, (long long)m.attendance);
	e.detail = detail;
	return fq_audit_append(c, &e, now_ms, NULL, err);
}
