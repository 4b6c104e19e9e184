#include "cases/dispute_grade.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/banned.h"

static const struct {
	const char *code;
	const char *label;
	const char *handling;
} grades[FQ_DISPUTE_GRADE_COUNT] = {
    [FQ_DISPUTE_GENERAL] = {"general", "一般", "由志愿者、人民调解员跟进调解"},
    [FQ_DISPUTE_KEY] = {"key", "重点", "由挂点民警负责跟进"},
    [FQ_DISPUTE_MAJOR] = {"major", "重大",
			  "成立专门工作组，联合法庭、司法所、乡镇政府、村（居）委会共同化解"},
};

const char *fq_dispute_grade_code(enum fq_dispute_grade g)
{
	return (unsigned)g < FQ_DISPUTE_GRADE_COUNT ? grades[g].code : NULL;
}

const char *fq_dispute_grade_label(enum fq_dispute_grade g)
{
	return (unsigned)g < FQ_DISPUTE_GRADE_COUNT ? grades[g].label : NULL;
}

const char *fq_dispute_grade_handling(enum fq_dispute_grade g)
{
	return (unsigned)g < FQ_DISPUTE_GRADE_COUNT ? grades[g].handling : NULL;
}

int fq_dispute_grade_from_code(const char *code)
{
	for (int g = 0; code && g < FQ_DISPUTE_GRADE_COUNT; g++)
		if (strcmp(grades[g].code, code) == 0)
			return g;
	return -1;
}

/*
 * The word lists of docs/disputes.md, matched as substrings of the
 * normalised (Simplified) text. Words of a threat to life first.
 */
static const char *const life_words[] = {
    "杀人", "杀了", "砍人", "砍死", "拿刀", "动刀", "菜刀",   "弄死", "打死", "同归于尽", "放火",
    "烧房", "炸",   "自杀", "跳楼", "喝药", "农药", "寻短见", "拼命", "报复", NULL};
static const char *const violence_words[] = {"打架", "殴打", "打人", "动手", "推搡", "扭打",
					     "威胁", "恐吓", "砸",   "围堵", "堵门", "闹事",
					     "上访", "聚集", "纠集", NULL};

enum fq_dispute_threat fq_dispute_threat_scan(const char *text, const char **word)
{
	if (word)
		*word = NULL;
	if (!text)
		return FQ_THREAT_NONE;
	for (int i = 0; life_words[i]; i++)
		if (strstr(text, life_words[i])) {
			if (word)
				*word = life_words[i];
			return FQ_THREAT_LIFE;
		}
	for (int i = 0; violence_words[i]; i++)
		if (strstr(text, violence_words[i])) {
			if (word)
				*word = violence_words[i];
			return FQ_THREAT_VIOLENCE;
		}
	return FQ_THREAT_NONE;
}

int fq_dispute_age_years(int y, int m, int d, int64_t at_ms)
{
	int64_t days = (at_ms + (int64_t)FQ_CST_OFFSET_S * 1000) / 86400000, ty;
	unsigned tm, td;
	int age;

	fq_civil_from_days(days, &ty, &tm, &td);
	age = (int)(ty - y);
	if ((int)tm < m || ((int)tm == m && (int)td < d))
		age--;
	return age;
}

enum fq_dispute_grade fq_dispute_grade_of_score(int64_t score)
{
	if (score >= FQ_DISPUTE_SCORE_MAJOR)
		return FQ_DISPUTE_MAJOR;
	if (score >= FQ_DISPUTE_SCORE_KEY)
		return FQ_DISPUTE_KEY;
	return FQ_DISPUTE_GENERAL;
}

enum fq_dispute_grade fq_dispute_grade_raise(enum fq_dispute_grade g)
{
	return g >= FQ_DISPUTE_MAJOR ? FQ_DISPUTE_MAJOR : (enum fq_dispute_grade)(g + 1);
}

static void reason(json_t *reasons, int64_t *score, int64_t points, const char *fmt, ...)
    FQ_PRINTF(4, 5);

static void reason(json_t *reasons, int64_t *score, int64_t points, const char *fmt, ...)
{
	char text[320];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		text[0] = '\0';
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "（+%lld分）",
		 (long long)points);
	json_array_append_new(reasons, json_string(text));
	*score += points;
}

static int64_t tiered(int64_t value, const int64_t *limits, const int64_t *points, int n)
{
	int64_t out = 0;
	for (int i = 0; i < n; i++)
		if (value >= limits[i])
			out = points[i];
	return out;
}

enum fq_dispute_grade fq_dispute_grade_compute(const struct fq_dispute_risk *r, int64_t *score,
					       json_t **reasons)
{
	static const int64_t people_limits[] = {5, 10, 30}, people_points[] = {10, 20, 35};
	static const int64_t yuan_limits[] = {10000, 50000, 200000}, yuan_points[] = {10, 20, 30};
	json_t *out = json_array();
	int64_t total = 0, p;
	enum fq_dispute_grade g;
	char summary[200];

	if (r->repeat_incidents > 0) {
		p = r->repeat_incidents * 10 > 30 ? 30 : r->repeat_incidents * 10;
		reason(out, &total, p, "近%d天内当事人的电话已关联报警%lld起，矛盾反复",
		       FQ_DISPUTE_HISTORY_DAYS, (long long)r->repeat_incidents);
	}
	if (r->threat == FQ_THREAT_LIFE)
		reason(out, &total, 30, "描述中出现危及人身安全的言行（“%s”）",
		       r->threat_word ? r->threat_word : "");
	else if (r->threat == FQ_THREAT_VIOLENCE)
		reason(out, &total, 15, "描述中出现暴力或威胁言行（“%s”）",
		       r->threat_word ? r->threat_word : "");
	p = tiered(r->people_involved, people_limits, people_points, 3);
	if (p)
		reason(out, &total, p, "涉及%lld人%s", (long long)r->people_involved,
		       r->people_involved >= 30 ? "，属群体性纠纷" : "");
	p = tiered(r->amount_fen / 100, yuan_limits, yuan_points, 3);
	if (p)
		reason(out, &total, p, "涉及金额%lld元", (long long)(r->amount_fen / 100));
	if (r->elderly > 0)
		reason(out, &total, 10, "当事人中有%d名%d岁以上老人", r->elderly,
		       FQ_DISPUTE_ELDERLY_AGE);
	if (r->minors > 0)
		reason(out, &total, 10, "当事人中有%d名未成年人", r->minors);
	if (r->failed_mediations > 0) {
		p = r->failed_mediations * 15 > 30 ? 30 : r->failed_mediations * 15;
		reason(out, &total, p, "同一当事人近%d天内有%lld起调解失败的纠纷",
		       FQ_DISPUTE_HISTORY_DAYS, (long long)r->failed_mediations);
	}
	g = fq_dispute_grade_of_score(total);
	snprintf(summary, sizeof(summary), "风险分合计%lld分，定为%s纠纷（%s）", (long long)total,
		 grades[g].label,
		 g == FQ_DISPUTE_MAJOR ? "50分及以上"
		 : g == FQ_DISPUTE_KEY ? "25至49分"
				       : "25分以下");
	json_array_append_new(out, json_string(summary));
	*score = total;
	*reasons = out;
	return g;
}

/* A small set of ids (incidents, disputes) found through several parties. */
#define ID_SET_MAX 64

struct id_set {
	char ids[ID_SET_MAX][37];
	int n;
};

static void id_set_add(struct id_set *s, const char *id)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->ids[i], id) == 0)
			return;
	if (s->n < ID_SET_MAX)
		snprintf(s->ids[s->n++], sizeof(s->ids[0]), "%s", id);
}

/* Add the ids of the first column of the query's rows to s. */
static int collect(struct fq_stmt *st, struct id_set *s, struct fq_err *err)
{
	int rc;

	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		if (fq_stmt_text(st, 0))
			id_set_add(s, fq_stmt_text(st, 0));
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int count_repeat(struct fq_dbc *c, const struct fq_dispute_party_key *parties, int n,
			int64_t since, int64_t until, const char *exclude_incident, int64_t *out,
			struct fq_err *err)
{
	struct id_set set = {.n = 0};
	struct fq_stmt *st;
	int rc;

	for (int i = 0; i < n; i++) {
		if (!parties[i].phone_norm || !*parties[i].phone_norm)
			continue;
		rc = fq_dbc_query(
		    c, err, &st,
		    "SELECT DISTINCT incident_id FROM alert WHERE caller_phone_norm = ?"
		    " AND received_at >= ? AND received_at <= ?"
		    " AND (? IS NULL OR incident_id <> ?)",
		    "tiitt", parties[i].phone_norm, since, until, exclude_incident,
		    exclude_incident);
		if (rc || (rc = collect(st, &set, err)))
			return rc;
	}
	*out = set.n;
	return 0;
}

static int count_failed(struct fq_dbc *c, const struct fq_dispute_party_key *parties, int n,
			int64_t since, const char *exclude_dispute, int64_t *out,
			struct fq_err *err)
{
	struct id_set set = {.n = 0};
	struct fq_stmt *st;
	int rc;

	for (int i = 0; i < n; i++) {
		if (!parties[i].phone_norm && !parties[i].id_number)
			continue;
		rc = fq_dbc_query(
		    c, err, &st,
		    "SELECT DISTINCT d.id FROM dispute d JOIN dispute_party p ON p.dispute_id = "
		    "d.id"
		    " WHERE d.state = 'failed' AND d.created_at >= ? AND (? IS NULL OR d.id <> ?)"
		    " AND ((? IS NOT NULL AND p.phone_norm = ?) OR (? IS NOT NULL AND p.id_number "
		    "= ?))",
		    "itttttt", since, exclude_dispute, exclude_dispute, parties[i].phone_norm,
		    parties[i].phone_norm, parties[i].id_number, parties[i].id_number);
		if (rc || (rc = collect(st, &set, err)))
			return rc;
	}
	*out = set.n;
	return 0;
}

int fq_dispute_gather(struct fq_dbc *c, const struct fq_dispute_party_key *parties, int nparties,
		      int64_t at_ms, const char *exclude_incident_id,
		      const char *exclude_dispute_id, struct fq_dispute_risk *risk,
		      struct fq_err *err)
{
	int64_t since = at_ms - (int64_t)FQ_DISPUTE_HISTORY_DAYS * 86400000;
	int rc = count_repeat(c, parties, nparties, since, at_ms, exclude_incident_id,
			      &risk->repeat_incidents, err);

	return rc ? rc
		  : count_failed(c, parties, nparties, since, exclude_dispute_id,
				 &risk->failed_mediations, err);
}
