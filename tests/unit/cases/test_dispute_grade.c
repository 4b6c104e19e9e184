/*
 * Grading of disputes (docs/disputes.md): each factor's points at its
 * limits, the thresholds, the reasons' sentences, the threat word lists on
 * normalised text, ages from birth dates in China Standard Time, and the
 * store-derived facts (repeat calls, earlier failed mediations).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/dispute_grade.h"
#include "core/text.h"
#include "unit/cases/dispute_fixture.h"

static int64_t score_of(const struct fq_dispute_risk *r, enum fq_dispute_grade *g, json_t **reasons)
{
	int64_t score = -1;
	json_t *tmp = NULL;

	*g = fq_dispute_grade_compute(r, &score, reasons ? reasons : &tmp);
	json_decref(tmp);
	return score;
}

static int64_t points(struct fq_dispute_risk r)
{
	enum fq_dispute_grade g;
	return score_of(&r, &g, NULL);
}

static void test_factor_points(void **state)
{
	struct fq_dispute_risk z = {0};
	(void)state;

	assert_int_equal(points(z), 0);
	/* Repeat incidents: 10 each, at most 30. */
	z = (struct fq_dispute_risk){.repeat_incidents = 1};
	assert_int_equal(points(z), 10);
	z.repeat_incidents = 3;
	assert_int_equal(points(z), 30);
	z.repeat_incidents = 9;
	assert_int_equal(points(z), 30);
	/* Threats: 30 for life, 15 for violence. */
	z = (struct fq_dispute_risk){.threat = FQ_THREAT_LIFE, .threat_word = "拿刀"};
	assert_int_equal(points(z), 30);
	z.threat = FQ_THREAT_VIOLENCE;
	assert_int_equal(points(z), 15);
	/* People: 5, 10, 30 are the limits. */
	z = (struct fq_dispute_risk){.people_involved = 4};
	assert_int_equal(points(z), 0);
	z.people_involved = 5;
	assert_int_equal(points(z), 10);
	z.people_involved = 9;
	assert_int_equal(points(z), 10);
	z.people_involved = 10;
	assert_int_equal(points(z), 20);
	z.people_involved = 29;
	assert_int_equal(points(z), 20);
	z.people_involved = 30;
	assert_int_equal(points(z), 35);
	/* Money in fen: 10,000, 50,000, 200,000 yuan. */
	z = (struct fq_dispute_risk){.amount_fen = 999999};
	assert_int_equal(points(z), 0);
	z.amount_fen = 1000000;
	assert_int_equal(points(z), 10);
	z.amount_fen = 4999999;
	assert_int_equal(points(z), 10);
	z.amount_fen = 5000000;
	assert_int_equal(points(z), 20);
	z.amount_fen = 20000000;
	assert_int_equal(points(z), 30);
	/* Vulnerable parties: 10 for any elderly, 10 for any minor. */
	z = (struct fq_dispute_risk){.elderly = 2};
	assert_int_equal(points(z), 10);
	z.minors = 1;
	assert_int_equal(points(z), 20);
	/* Earlier failed mediations: 15 each, at most 30. */
	z = (struct fq_dispute_risk){.failed_mediations = 1};
	assert_int_equal(points(z), 15);
	z.failed_mediations = 4;
	assert_int_equal(points(z), 30);
}

static void test_thresholds(void **state)
{
	(void)state;
	assert_int_equal(fq_dispute_grade_of_score(0), FQ_DISPUTE_GENERAL);
	assert_int_equal(fq_dispute_grade_of_score(24), FQ_DISPUTE_GENERAL);
	assert_int_equal(fq_dispute_grade_of_score(25), FQ_DISPUTE_KEY);
	assert_int_equal(fq_dispute_grade_of_score(49), FQ_DISPUTE_KEY);
	assert_int_equal(fq_dispute_grade_of_score(50), FQ_DISPUTE_MAJOR);
	assert_int_equal(fq_dispute_grade_raise(FQ_DISPUTE_GENERAL), FQ_DISPUTE_KEY);
	assert_int_equal(fq_dispute_grade_raise(FQ_DISPUTE_KEY), FQ_DISPUTE_MAJOR);
	assert_int_equal(fq_dispute_grade_raise(FQ_DISPUTE_MAJOR), FQ_DISPUTE_MAJOR);
	assert_string_equal(fq_dispute_grade_code(FQ_DISPUTE_KEY), "key");
	assert_string_equal(fq_dispute_grade_label(FQ_DISPUTE_MAJOR), "重大");
	assert_int_equal(fq_dispute_grade_from_code("major"), FQ_DISPUTE_MAJOR);
	assert_int_equal(fq_dispute_grade_from_code("huge"), -1);
	assert_int_equal(fq_dispute_grade_from_code(NULL), -1);
	assert_null(fq_dispute_grade_code(FQ_DISPUTE_GRADE_COUNT));
}

static void test_reasons_are_sentences_with_points(void **state)
{
	struct fq_dispute_risk r = {
	    .repeat_incidents = 1,
	    .threat = FQ_THREAT_VIOLENCE,
	    .threat_word = "推搡",
	    .people_involved = 2,
	};
	enum fq_dispute_grade g;
	json_t *reasons;
	char *text;
	(void)state;

	/* 10 + 15 = 25: key, exactly at the threshold. */
	assert_int_equal(score_of(&r, &g, &reasons), 25);
	assert_int_equal(g, FQ_DISPUTE_KEY);
	text = json_dumps(reasons, JSON_COMPACT);
	assert_string_equal(text, "[\"近90天内当事人的电话已关联报警1起，矛盾反复（+10分）\","
				  "\"描述中出现暴力或威胁言行（“推搡”）（+15分）\","
				  "\"风险分合计25分，定为重点纠纷（25至49分）\"]");
	free(text);
	json_decref(reasons);

	r = (struct fq_dispute_risk){.people_involved = 40, .amount_fen = 30000000, .minors = 1};
	assert_int_equal(score_of(&r, &g, &reasons), 35 + 30 + 10);
	assert_int_equal(g, FQ_DISPUTE_MAJOR);
	text = json_dumps(reasons, JSON_COMPACT);
	assert_string_equal(text, "[\"涉及40人，属群体性纠纷（+35分）\","
				  "\"涉及金额300000元（+30分）\","
				  "\"当事人中有1名未成年人（+10分）\","
				  "\"风险分合计75分，定为重大纠纷（50分及以上）\"]");
	free(text);
	json_decref(reasons);
}

static enum fq_dispute_threat scan(const char *raw, const char **word)
{
	struct fq_buf b;
	struct fq_err err = FQ_ERR_INIT;
	enum fq_dispute_threat t;

	fq_buf_init(&b, 1 << 16);
	assert_int_equal(fq_text_normalize(raw, strlen(raw), &b, &err), 0);
	t = fq_dispute_threat_scan(b.buf, word);
	fq_buf_release(&b);
	return t;
}

static void test_threat_words(void **state)
{
	const char *w = NULL;
	(void)state;

	assert_int_equal(scan("邻居扬言要拿刀砍人", &w), FQ_THREAT_LIFE);
	assert_string_equal(w, "砍人");
	assert_int_equal(scan("對方揚言要同歸於盡", &w), FQ_THREAT_LIFE); /* Traditional */
	assert_string_equal(w, "同归于尽");
	assert_int_equal(scan("双方发生推搡，互相谩骂", &w), FQ_THREAT_VIOLENCE);
	assert_string_equal(w, "推搡");
	/* The worst level wins, whatever the order in the text. */
	assert_int_equal(scan("先是打架，后来说要放火", &w), FQ_THREAT_LIFE);
	assert_string_equal(w, "放火");
	assert_int_equal(scan("楼道堆放杂物，双方口角", &w), FQ_THREAT_NONE);
	assert_null(w);
	assert_int_equal(fq_dispute_threat_scan(NULL, &w), FQ_THREAT_NONE);
}

static void test_age_in_china_time(void **state)
{
	(void)state;
	/* 70 on 2 March 2026 in China: from 2026-03-01T16:00Z. */
	assert_int_equal(fq_dispute_age_years(1956, 3, 2, at("2026-03-01T15:59:59Z")), 69);
	assert_int_equal(fq_dispute_age_years(1956, 3, 2, at("2026-03-01T16:00:00Z")), 70);
	assert_int_equal(fq_dispute_age_years(2008, 12, 31, at("2026-12-30T12:00:00+08:00")), 17);
	assert_int_equal(fq_dispute_age_years(2008, 12, 31, at("2026-12-31T00:00:00+08:00")), 18);
}

static void raw_incident(struct fq_dbc *c, const char *id, const char *number, int64_t t)
{
	struct fq_err err = FQ_ERR_INIT;

	if (fq_dbc_run(c, &err, NULL,
		       "INSERT INTO incident (id, number, unit_code, state, category, priority,"
		       " first_received_at, last_received_at, created_at, updated_at)"
		       " VALUES (?, ?, ?, 'closed', 'dispute.neighbour', 3, ?, ?, ?, ?)",
		       "tttiiii", id, number, S1, t, t, t, t) != 0)
		fail_msg("incident: %s", err.message);
}

static void raw_alert(struct fq_dbc *c, const char *id, const char *incident, const char *phone,
		      int64_t t)
{
	struct fq_err err = FQ_ERR_INIT;

	if (fq_dbc_run(c, &err, NULL,
		       "INSERT INTO alert (id, number, incident_id, unit_code, received_at, source,"
		       " caller_phone_norm, category, priority, description, description_norm,"
		       " created_at) VALUES (?, ?, ?, ?, ?, 'phone_110', ?, 'dispute.neighbour', 3,"
		       " 'x', 'x', ?)",
		       "ttttiti", id, id, incident, S1, t, phone, t) != 0)
		fail_msg("alert: %s", err.message);
}

#define INC(n) "00000000-0000-7000-8000-0000000001" n
#define ALR(n) "00000000-0000-7000-8000-0000000002" n

static void test_gather_from_store(void **state)
{
	struct fq_test_store *f = *state;
	int64_t now = at("2026-03-01T10:00:00+08:00");
	struct fq_dispute_party_key parties[] = {
	    {.phone_norm = "13800000001"},
	    {.phone_norm = "13800000002", .id_number = NULL},
	    {.phone_norm = NULL, .id_number = NULL},
	};
	struct fq_dispute_risk r = {0};
	struct fq_err err = FQ_ERR_INIT;
	static const struct fq_dispute_party_in failed_parties[] = {
	    {.name = "甲", .phone = "13800000002"}, {.name = "乙", .phone = "13800000001"}};
	char failed_id[37];
	struct fq_dispute_outcome_in fail = {
	    .outcome = "failed", .note = "拒绝调解", .actor_id = COMMUNITY};

	fq_test_begin(f->c);
	/* Incident 1: both parties called (counted once). Incident 2: party 2 only. */
	raw_incident(f->c, INC("01"), "SJ-1", now - 30 * DAY_MS);
	raw_alert(f->c, ALR("01"), INC("01"), "13800000001", now - 30 * DAY_MS);
	raw_alert(f->c, ALR("02"), INC("01"), "13800000002", now - 30 * DAY_MS + 60000);
	raw_incident(f->c, INC("02"), "SJ-2", now - 5 * DAY_MS);
	raw_alert(f->c, ALR("03"), INC("02"), "13800000002", now - 5 * DAY_MS);
	/* Incident 3: 91 days ago, out of the window. Incident 4: someone else. */
	raw_incident(f->c, INC("03"), "SJ-3", now - 91 * DAY_MS);
	raw_alert(f->c, ALR("04"), INC("03"), "13800000001", now - 91 * DAY_MS);
	raw_incident(f->c, INC("04"), "SJ-4", now - DAY_MS);
	raw_alert(f->c, ALR("05"), INC("04"), "13900000009", now - DAY_MS);
	fq_test_commit(f->c);

	assert_int_equal(fq_dispute_gather(f->c, parties, 3, now, NULL, NULL, &r, &err), 0);
	assert_int_equal(r.repeat_incidents, 2);
	assert_int_equal(r.failed_mediations, 0);
	/* The dispute's own incident is not a repeat call. */
	assert_int_equal(fq_dispute_gather(f->c, parties, 3, now, INC("02"), NULL, &r, &err), 0);
	assert_int_equal(r.repeat_incidents, 1);

	/* A failed dispute with both parties counts once. */
	fixture_dispute(f->c, G1, now - 10 * DAY_MS, failed_parties, 2, failed_id);
	fail.now_ms = now - 9 * DAY_MS;
	fq_test_begin(f->c);
	assert_int_equal(fq_dispute_record_outcome(f->c, failed_id, &fail, &err), 0);
	fq_test_commit(f->c);
	assert_int_equal(fq_dispute_gather(f->c, parties, 3, now, NULL, NULL, &r, &err), 0);
	assert_int_equal(r.failed_mediations, 1);
	assert_int_equal(fq_dispute_gather(f->c, parties, 3, now, NULL, failed_id, &r, &err), 0);
	assert_int_equal(r.failed_mediations, 0);
	/* Only parties with a phone or ID number are looked up. */
	assert_int_equal(fq_dispute_gather(f->c, parties + 2, 1, now, NULL, NULL, &r, &err), 0);
	assert_int_equal(r.repeat_incidents, 0);
	assert_int_equal(r.failed_mediations, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_factor_points),
	    cmocka_unit_test(test_thresholds),
	    cmocka_unit_test(test_reasons_are_sentences_with_points),
	    cmocka_unit_test(test_threat_words),
	    cmocka_unit_test(test_age_in_china_time),
	    cmocka_unit_test_setup_teardown(test_gather_from_store, fixture_setup,
					    fq_test_store_teardown),
	};
	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
