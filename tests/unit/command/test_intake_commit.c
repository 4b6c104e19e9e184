/*
 * command/intake: the group committer. Many threads submit and every alert
 * is stored exactly once with its own answer; a group is one transaction
 * whose alerts are matched in queue order (a later alert merges into an
 * incident created earlier in the group); a failing alert fails alone; an
 * Idempotency-Key repeated inside a group gives one alert; a failed COMMIT
 * fails the whole group and leaves no trace in the merge index; stopping
 * drains the queue. Groups are made deterministic by holding the intake
 * lock (fq_alert_lock) while alerts queue up behind a first one.
 */
#include "unit/fq_test.h"

#include <math.h>
#include <pthread.h>
#include <unistd.h>

#include "command/alert.h"
#include "command/intake.h"
#include "core/pool.h"
#include "core/timeutil.h"
#include "http/audit.h"

#define STATION "339902510000"
#define ACTOR	"0190f0f0-0000-7000-8000-000000000001"

struct fixture {
	struct fq_test_store *s;
};

static int setup_intake(void **state, int max_group, int no_pipeline)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct fq_intake_options io = {.max_group = max_group, .no_pipeline = no_pipeline};
	struct fq_err err = FQ_ERR_INIT;

	if (!f || !(f->s = fq_test_store_new("intake_commit")))
		return -1;
	fq_test_begin(f->s->c);
	fq_test_unit(f->s->c, "339900", "市局", "city", NULL);
	fq_test_unit(f->s->c, "339902", "县局", "branch", "339900");
	fq_test_unit(f->s->c, STATION, "枫溪派出所", "station", "339902");
	fq_test_commit(f->s->c);
	if (fq_alert_engine_start(f->s->db, &err) != 0 || fq_intake_start(f->s->db, &io, &err) != 0)
		return -1;
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_intake(state, 0, 0);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fq_intake_stop();
	fq_alert_engine_stop();
	fq_test_store_free(f->s);
	free(f);
	return 0;
}

/* ---- one submitter ---- */

struct sub {
	/* what to send */
	char phone[32];
	double lat, lon;
	const char *category;
	const char *address; /* NULL: none */
	int no_location;
	char description[64];
	const char *incident_id; /* NULL: the engine decides */
	const char *key;
	int fail_audit; /* the audit hook refuses this alert */
	int64_t at;
	/* what came back */
	int rc;
	json_int_t alert_count; /* of the incident in the answer */
	struct fq_err err;
	struct fq_intake_item item;
	pthread_t thread;
};

static int audit_hook(struct fq_dbc *c, const struct fq_alert_stored *s, void *arg,
		      struct fq_err *err)
{
	struct sub *sb = arg;
	struct fq_audit_entry e = {.user_id = ACTOR,
				   .username = "operator",
				   .action = "alert.create",
				   .object_type = "alert",
				   .object_id = s->alert_id,
				   .client = "test",
				   .outcome = "ok"};
	if (sb->fail_audit)
		return fq_err_set(err, FQ_ECONFLICT, "audit_refused", NULL, "audit refused");
	return fq_audit_append(c, &e, fq_now_ms(), NULL, err);
}

static void *submit_main(void *arg)
{
	struct sub *sb = arg;
	struct fq_pool pool;
	struct fq_alert_in in;
	json_t *body;

	fq_pool_init(&pool);
	body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "received_at", "", "source", "phone_110",
			 "caller_phone", sb->phone, "category", sb->category, "description",
			 sb->description);
	if (!sb->no_location)
		json_object_set_new(body, "location",
				    json_pack("{s:f, s:f}", "lat", sb->lat, "lon", sb->lon));
	if (sb->address)
		json_object_set_new(body, "address", json_string(sb->address));
	{
		char at[FQ_RFC3339_MAX];
		fq_time_format_cst(sb->at, at);
		json_object_set_new(body, "received_at", json_string(at));
	}
	if (sb->incident_id)
		json_object_set_new(body, "incident_id", json_string(sb->incident_id));
	sb->rc = fq_alert_parse(body, 0, &pool, &in, &sb->err);
	if (!sb->rc) {
		memset(&sb->item, 0, sizeof(sb->item));
		sb->item.in = &in;
		sb->item.station = STATION;
		sb->item.idempotency_key = sb->key;
		sb->item.actor_id = ACTOR;
		sb->item.audit = audit_hook;
		sb->item.audit_arg = sb;
		sb->item.err = &sb->err;
		sb->rc = fq_intake_submit(&sb->item);
		if (sb->rc == 0 && !sb->item.replay) {
			/* The incident as the answer gives it: after this alert. */
			assert_non_null(sb->item.incident);
			sb->alert_count =
			    json_integer_value(json_object_get(sb->item.incident, "alert_count"));
		} else {
			assert_null(sb->item.incident);
		}
		json_decref(sb->item.incident);
		sb->item.incident = NULL;
	}
	json_decref(body);
	fq_pool_release(&pool);
	return NULL;
}

static void sub_init(struct sub *sb, int n, const char *phone, double lat, double lon,
		     const char *category)
{
	memset(sb, 0, sizeof(*sb));
	snprintf(sb->phone, sizeof(sb->phone), "%s", phone);
	sb->lat = lat;
	sb->lon = lon;
	sb->category = category;
	snprintf(sb->description, sizeof(sb->description), "人民路酒吧门口有人打架 第%d报", n);
	sb->at = fq_now_ms() - 60 * 1000 + n * 1000;
}

static void start(struct sub *sb)
{
	assert_int_equal(pthread_create(&sb->thread, NULL, submit_main, sb), 0);
}

static void finish(struct sub *sb)
{
	assert_int_equal(pthread_join(sb->thread, NULL), 0);
}

static unsigned queued(void)
{
	struct fq_intake_stats st;
	fq_intake_stats(&st);
	return st.queued;
}

static uint64_t second_passes(void)
{
	struct fq_intake_stats st;
	fq_intake_stats(&st);
	return st.second_passes;
}

static uint64_t taken(void)
{
	struct fq_intake_stats st;
	fq_intake_stats(&st);
	return st.alerts;
}

/* Wait (up to 10 s) until the queue holds n alerts. */
static void wait_queued(unsigned n)
{
	for (int i = 0; i < 10000 && queued() != n; i++)
		usleep(1000);
	assert_int_equal(queued(), n);
}

/*
 * Hold the intake lock; the committer takes a first alert (blocker) and waits for the
 * lock in its transaction's start; then subs[0..n) queue one after the other, in order.
 * Returns with the lock still held; release it with fq_alert_unlock().
 */
static void queue_group(struct sub *blocker, struct sub *subs, int n)
{
	uint64_t before = taken();

	fq_alert_lock();
	start(blocker);
	for (int i = 0; i < 10000 && taken() != before + 1; i++) /* the committer took it */
		usleep(1000);
	assert_int_equal(taken(), before + 1);
	assert_int_equal(queued(), 0);
	for (int i = 0; i < n; i++) {
		start(&subs[i]);
		wait_queued((unsigned)i + 1);
	}
}

static int64_t count(struct fixture *f, const char *sql, const char *arg)
{
	struct fq_stmt *st;
	struct fq_err err = FQ_ERR_INIT;
	int64_t n = -1;

	assert_int_equal(fq_dbc_query(f->s->c, &err, &st, sql, arg ? "t" : "", arg), 0);
	if (fq_stmt_step(st, &err) == FQ_DB_ROW)
		n = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return n;
}

/* ---- tests ---- */

#define THREADS	   12
#define PER_THREAD 15

struct worker {
	int t;
	struct sub subs[PER_THREAD];
	pthread_t thread;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < PER_THREAD; i++) {
		struct sub *sb = &w->subs[i];
		char phone[32];
		snprintf(phone, sizeof(phone), "139%04d%04d", w->t, i);
		sub_init(sb, i, phone, 29.70 + w->t * 0.01, 120.20 + i * 0.01,
			 i % 2 ? "public_order.noise" : "criminal.theft");
		snprintf(sb->description, sizeof(sb->description), "T%d-%d 描述", w->t, i);
		submit_main(sb);
	}
	return NULL;
}

static void test_many_threads_each_alert_once(void **state)
{
	struct fixture *f = *state;
	static struct worker w[THREADS];
	struct fq_intake_stats st;

	for (int t = 0; t < THREADS; t++) {
		w[t].t = t;
		assert_int_equal(pthread_create(&w[t].thread, NULL, worker_main, &w[t]), 0);
	}
	for (int t = 0; t < THREADS; t++)
		assert_int_equal(pthread_join(w[t].thread, NULL), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert", NULL), THREADS * PER_THREAD);
	assert_int_equal(
	    count(f, "SELECT COUNT(*) FROM audit_entry WHERE action = 'alert.create'", NULL),
	    THREADS * PER_THREAD);
	/* Each answer names the alert it sent: its id has its description, once. */
	for (int t = 0; t < THREADS; t++)
		for (int i = 0; i < PER_THREAD; i++) {
			struct sub *sb = &w[t].subs[i];
			char sql[160];
			assert_int_equal(sb->rc, 0);
			assert_int_equal(sb->item.replay, 0);
			snprintf(sql, sizeof(sql),
				 "SELECT COUNT(*) FROM alert WHERE id = ? AND description = '%s'",
				 sb->description);
			assert_int_equal(count(f, sql, sb->item.stored.alert_id), 1);
			assert_int_equal(
			    count(f, "SELECT COUNT(*) FROM audit_entry WHERE object_id = ?",
				  sb->item.stored.alert_id),
			    1);
		}
	fq_intake_stats(&st);
	assert_int_equal(st.alerts, THREADS * PER_THREAD);
	assert_int_equal(st.failed, 0);
	assert_true(st.groups <= st.alerts);
}

/* One group: queue order decides, a later alert merges into an earlier one's new incident. */
static void test_group_in_order_with_merge(void **state)
{
	struct fixture *f = *state;
	struct sub blocker, g[3];
	struct fq_intake_stats st;

	sub_init(&blocker, 0, "13700000000", 29.80, 120.30, "traffic.accident");
	/* Same caller, same place, same event, a minute apart: a repeat report. */
	sub_init(&g[0], 1, "13811112222", 29.75, 120.25, "public_order.fight");
	sub_init(&g[1], 2, "+86 138-1111-2222", 29.7501, 120.2501, "public_order.fight");
	sub_init(&g[2], 3, "13933334444", 29.70, 120.20, "dispute.neighbour");
	queue_group(&blocker, g, 3);
	fq_alert_unlock();
	finish(&blocker);
	for (int i = 0; i < 3; i++)
		finish(&g[i]);
	for (int i = 0; i < 3; i++)
		assert_int_equal(g[i].rc, 0);
	fq_intake_stats(&st);
	assert_int_equal(st.groups, 2); /* the blocker, then the three together */
	assert_int_equal(st.max_seen, 3);
	assert_int_equal(g[0].item.stored.new_incident, 1);
	assert_string_equal(g[1].item.stored.decision, "merged");
	assert_string_equal(g[1].item.stored.incident_id, g[0].item.stored.incident_id);
	assert_int_equal(g[2].item.stored.new_incident, 1);
	assert_string_not_equal(g[2].item.stored.incident_id, g[0].item.stored.incident_id);
	/* Numbers in queue order. */
	assert_true(strcmp(g[0].item.stored.alert_number, g[1].item.stored.alert_number) < 0);
	assert_true(strcmp(g[1].item.stored.alert_number, g[2].item.stored.alert_number) < 0);
	assert_int_equal(
	    count(f, "SELECT alert_count FROM incident WHERE id = ?", g[0].item.stored.incident_id),
	    2);
	/* Each answer's incident is as that alert left it, inside the group. */
	assert_int_equal(g[0].alert_count, 1);
	assert_int_equal(g[1].alert_count, 2);
	assert_int_equal(g[2].alert_count, 1);
	/*
	 * Each decision and "alert" timeline entry is held in the alert row, and each incident's
	 * creation entry in the incident row (migration 0019): the views show them, and the
	 * committer wrote no row of its own for any.
	 */
	assert_int_equal(
	    count(f,
		  "SELECT COUNT(*) FROM merge_decision_all WHERE alert_id = ?"
		  " AND decision = 'merged' AND kind = 'repeat_caller' AND automatic = 1"
		  " AND score > 0 AND reasons LIKE '[\"%'",
		  g[1].item.stored.alert_id),
	    1);
	assert_int_equal(count(f,
			       "SELECT COUNT(*) FROM merge_decision_all WHERE alert_id = ?"
			       " AND decision = 'new' AND kind IS NULL",
			       g[2].item.stored.alert_id),
			 1);
	assert_int_equal(count(f,
			       "SELECT COUNT(*) FROM incident_timeline WHERE incident_id = ?"
			       " AND kind = 'alert'",
			       g[0].item.stored.incident_id),
			 2);
	assert_int_equal(count(f,
			       "SELECT COUNT(*) FROM incident_timeline WHERE incident_id = ?"
			       " AND kind = 'transition' AND to_state = 'received'",
			       g[2].item.stored.incident_id),
			 1);
	/* The new incident was created at its first alert's time: "received" sorts first. */
	assert_int_equal(
	    count(f,
		  "SELECT COUNT(*) FROM alert a JOIN incident i ON i.id = a.incident_id"
		  " WHERE a.id = ? AND i.created_at = a.created_at",
		  g[0].item.stored.alert_id),
	    1);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM merge_decision", NULL), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_event", NULL), 0);
}

/* A failing alert fails alone, with its own error; its group-mates are stored. */
static void test_failure_stays_in_its_savepoint(void **state)
{
	struct fixture *f = *state;
	struct sub blocker, g[4];
	uint64_t passes;

	sub_init(&blocker, 0, "13700000000", 29.80, 120.30, "traffic.accident");
	sub_init(&g[0], 1, "13811110001", 29.71, 120.21, "criminal.theft");
	sub_init(&g[1], 2, "13811110002", 29.72, 120.22, "criminal.theft");
	g[1].incident_id = "0190f0f0-0000-7000-8000-00000000dead"; /* no such incident */
	sub_init(&g[2], 3, "13811110003", 29.73, 120.23, "criminal.theft");
	g[2].fail_audit = 1; /* fails after its rows were written */
	sub_init(&g[3], 4, "13811110004", 29.74, 120.24, "criminal.theft");
	queue_group(&blocker, g, 4);
	passes = second_passes();
	fq_alert_unlock();
	finish(&blocker);
	for (int i = 0; i < 4; i++)
		finish(&g[i]);
	/* The audit refusal came after writes: the group ran again, each alert in a savepoint. */
	assert_int_equal(second_passes(), passes + 1);
	assert_int_equal(g[0].rc, 0);
	assert_int_equal(g[1].rc, FQ_EINVAL);
	assert_string_equal(g[1].err.machine, "unknown_incident");
	assert_string_equal(g[1].err.field, "incident_id");
	assert_int_equal(g[2].rc, FQ_ECONFLICT);
	assert_string_equal(g[2].err.machine, "audit_refused");
	assert_int_equal(g[3].rc, 0);
	/* The blocker and two of the group; nothing of the failed ones, not even an incident. */
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert", NULL), 3);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM incident", NULL), 3);
	assert_int_equal(
	    count(f, "SELECT COUNT(*) FROM alert WHERE caller_phone_norm = ?", "13811110003"), 0);
	assert_int_equal(
	    count(f, "SELECT COUNT(*) FROM audit_entry WHERE action = 'alert.create'", NULL), 3);
}

/*
 * Failures before any write (an unknown incident, a closed one) cost no second pass: the
 * group is committed in one, without savepoints, the others stored.
 */
static void test_clean_failure_in_one_pass(void **state)
{
	struct fixture *f = *state;
	struct sub blocker, g[3];
	uint64_t passes;

	sub_init(&blocker, 0, "13700000009", 29.80, 120.30, "traffic.accident");
	sub_init(&g[0], 1, "13811120001", 29.71, 120.21, "criminal.theft");
	sub_init(&g[1], 2, "13811120002", 29.72, 120.22, "criminal.theft");
	g[1].incident_id = "0190f0f0-0000-7000-8000-00000000beef"; /* no such incident */
	sub_init(&g[2], 3, "13811120003", 29.73, 120.23, "criminal.theft");
	queue_group(&blocker, g, 3);
	passes = second_passes();
	fq_alert_unlock();
	finish(&blocker);
	for (int i = 0; i < 3; i++)
		finish(&g[i]);
	assert_int_equal(second_passes(), passes);
	assert_int_equal(g[0].rc, 0);
	assert_int_equal(g[1].rc, FQ_EINVAL);
	assert_string_equal(g[1].err.machine, "unknown_incident");
	assert_int_equal(g[2].rc, 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert", NULL), 3);
	assert_int_equal(
	    count(f, "SELECT COUNT(*) FROM alert WHERE caller_phone_norm = ?", "13811120002"), 0);
	/* The numbers go on without a gap: nothing was taken for the refused one. */
	assert_int_equal(count(f, "SELECT COUNT(DISTINCT number) FROM alert", NULL), 3);
}

/* Two requests with one key in one group: one alert, both answered with it. */
static void test_idempotency_inside_a_group(void **state)
{
	struct fixture *f = *state;
	struct sub blocker, g[3];

	sub_init(&blocker, 0, "13700000000", 29.80, 120.30, "traffic.accident");
	sub_init(&g[0], 1, "13811110001", 29.71, 120.21, "criminal.theft");
	g[0].key = "retry-1";
	sub_init(&g[1], 1, "13811110001", 29.71, 120.21, "criminal.theft");
	g[1].key = "retry-1";
	sub_init(&g[2], 2, "13811110002", 29.72, 120.22, "criminal.theft");
	g[2].key = "other";
	queue_group(&blocker, g, 3);
	fq_alert_unlock();
	finish(&blocker);
	for (int i = 0; i < 3; i++) {
		finish(&g[i]);
		assert_int_equal(g[i].rc, 0);
	}
	assert_int_equal(g[0].item.replay, 0);
	assert_int_equal(g[1].item.replay, 1);
	assert_string_equal(g[1].item.replay_id, g[0].item.stored.alert_id);
	assert_int_equal(g[2].item.replay, 0);
	assert_int_equal(
	    count(f, "SELECT COUNT(*) FROM alert WHERE idempotency_key = ?", "retry-1"), 1);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert", NULL), 3);
	/* A later retry, in a group of its own, finds it too. */
	sub_init(&g[0], 1, "13811110001", 29.71, 120.21, "criminal.theft");
	g[0].key = "retry-1";
	submit_main(&g[0]);
	assert_int_equal(g[0].rc, 0);
	assert_int_equal(g[0].item.replay, 1);
	assert_string_equal(g[0].item.replay_id, g[1].item.replay_id);
}

/* An alert whose description holds FAILCOMMIT breaks its group's COMMIT (a deferred foreign key).
 */
static void fail_commit_trigger(struct fixture *f)
{
	struct fq_err err = FQ_ERR_INIT;

	assert_int_equal(
	    fq_dbc_exec_script(f->s->c,
			       "CREATE TABLE test_parent (id TEXT PRIMARY KEY);"
			       "CREATE TABLE test_child (id TEXT REFERENCES test_parent(id)"
			       " DEFERRABLE INITIALLY DEFERRED);"
			       "CREATE TRIGGER test_fail_commit AFTER INSERT ON alert"
			       " WHEN NEW.description LIKE '%FAILCOMMIT%'"
			       " BEGIN INSERT INTO test_child VALUES ('missing'); END;",
			       &err),
	    0);
}

/* A blocker, then a group of n (2 or 3) whose second alert breaks the COMMIT: all n fail. */
static void run_failing_group(struct sub *g, int n)
{
	static const char *const categories[] = {"public_order.fight", "criminal.theft",
						 "dispute.neighbour"};
	static const char *const phones[] = {"13811112222", "13822223333", "13833334444"};
	static const double places[][2] = {{29.75, 120.25}, {29.70, 120.20}, {29.72, 120.22}};
	struct sub blocker;

	sub_init(&blocker, 0, "13700000000", 29.80, 120.30, "traffic.accident");
	for (int i = 0; i < n; i++)
		sub_init(&g[i], i + 1, phones[i], places[i][0], places[i][1], categories[i]);
	snprintf(g[1].description, sizeof(g[1].description), "FAILCOMMIT 电动车被偷");
	queue_group(&blocker, g, n);
	fq_alert_unlock();
	finish(&blocker);
	assert_int_equal(blocker.rc, 0);
	for (int i = 0; i < n; i++) {
		finish(&g[i]);
		assert_int_equal(g[i].rc, FQ_ECONFLICT);
	}
}

/* g[0]'s caller at its place again: a new incident, with nothing of the failed group found. */
static void assert_failed_group_forgotten(void)
{
	struct sub again;

	sub_init(&again, 4, "13811112222", 29.7501, 120.2501, "public_order.fight");
	submit_main(&again);
	assert_int_equal(again.rc, 0);
	assert_int_equal(again.item.stored.new_incident, 1);
	assert_int_equal(again.item.match.candidate_count, 0);
	assert_int_equal(again.item.match.repeat_caller, 0);
}

/*
 * A COMMIT that fails (here a deferred foreign key broken by a trigger that fires only
 * for one description) fails every alert of the group, and the merge index forgets them:
 * the same caller at the same place afterwards is a new incident, not a merge into one
 * that was never stored.
 */
static void test_failed_commit_fails_the_group(void **state)
{
	struct fixture *f = *state;
	struct sub g[3];

	fail_commit_trigger(f);
	run_failing_group(g, 3);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert", NULL), 1);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM incident", NULL), 1);
	/*
	 * g[0] went into the index before the failed COMMIT (the index's lock was free, see
	 * index_pending); the index was rebuilt without it.
	 */
	assert_failed_group_forgotten();
}

/*
 * A rebuild of the merge index that fails after a failed COMMIT leaves the index marked stale:
 * the next group fails whole with storage_error (nothing stored, nothing matched against alerts
 * the store does not have) and tries the rebuild again; once one succeeds, intake goes on, and
 * the alerts the failed COMMIT lost are not in the index.
 */
static void test_failed_rebuild_fails_until_one_succeeds(void **state)
{
	struct fixture *f = *state;
	struct sub g[2], next;

	fail_commit_trigger(f);
	fq_alert_test_fail_reload(2);
	run_failing_group(g, 2);
	/* The index is stale: the next alert fails whole, its rebuild failing too. */
	sub_init(&next, 3, "13833334444", 29.72, 120.22, "dispute.neighbour");
	submit_main(&next);
	assert_int_equal(next.rc, FQ_EDB);
	assert_string_equal(next.err.machine, "storage_error");
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert", NULL), 1);
	/* The third rebuild succeeds: the alert is stored, and g[0] is not in the index. */
	assert_failed_group_forgotten();
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert", NULL), 2);
}

static void *stop_main(void *arg)
{
	(void)arg;
	fq_intake_stop();
	return NULL;
}

/* Stopping commits what is queued, then refuses. */
static void test_stop_drains(void **state)
{
	struct fixture *f = *state;
	struct sub blocker, g[5], late;

	sub_init(&blocker, 0, "13700000000", 29.80, 120.30, "traffic.accident");
	for (int i = 0; i < 5; i++) {
		char phone[32];
		snprintf(phone, sizeof(phone), "1381111000%d", i);
		sub_init(&g[i], i + 1, phone, 29.70 + i * 0.01, 120.20, "criminal.theft");
	}
	queue_group(&blocker, g, 5);
	{
		pthread_t stopper;
		assert_int_equal(pthread_create(&stopper, NULL, stop_main, NULL), 0);
		usleep(50 * 1000);
		fq_alert_unlock();
		assert_int_equal(pthread_join(stopper, NULL), 0);
	}
	finish(&blocker);
	assert_int_equal(blocker.rc, 0);
	for (int i = 0; i < 5; i++) {
		finish(&g[i]);
		assert_int_equal(g[i].rc, 0);
	}
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert", NULL), 6);
	sub_init(&late, 9, "13899999999", 29.70, 120.20, "criminal.theft");
	submit_main(&late);
	assert_int_equal(late.rc, FQ_EDB);
	assert_string_equal(late.err.machine, "intake_stopped");
}

static int submitted(struct sub *sb)
{
	return __atomic_load_n(&sb->item.done, __ATOMIC_ACQUIRE);
}

/*
 * Pipelined syncs: a group's alerts are committed (visible in the store) before
 * the WAL is synced, and answered only after a sync that began once they were.
 */
static void test_answers_wait_for_the_sync(void **state)
{
	struct fixture *f = *state;
	struct fq_intake_stats st;
	struct sub a, b;

	fq_intake_stats(&st);
	assert_int_equal(st.pipelined, 1);
	fq_db_test_hold_wal_sync(f->s->db, 1);
	sub_init(&a, 1, "13811112222", 29.75, 120.25, "public_order.fight");
	start(&a);
	for (int i = 0; i < 10000 && count(f, "SELECT COUNT(*) FROM alert", NULL) != 1; i++)
		usleep(1000);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert", NULL), 1); /* committed */
	/* The committer goes on with the next group while the first waits for its sync. */
	sub_init(&b, 2, "13933334444", 29.70, 120.20, "dispute.neighbour");
	start(&b);
	for (int i = 0; i < 10000 && count(f, "SELECT COUNT(*) FROM alert", NULL) != 2; i++)
		usleep(1000);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert", NULL), 2);
	usleep(100 * 1000);
	assert_false(submitted(&a)); /* not answered: not yet durable */
	assert_false(submitted(&b));
	fq_db_test_hold_wal_sync(f->s->db, 0);
	finish(&a);
	finish(&b);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	fq_intake_stats(&st);
	assert_true(st.syncs >= 1 && st.syncs <= 2);
	assert_int_equal(st.groups, 2);
}

/*
 * A failed WAL sync: its alerts are answered with the store's error (committed, so a
 * retry with their Idempotency-Key finds them after a restart), and intake refuses
 * everything after, since the disk's state is unknown.
 */
static void test_failed_sync_fails_and_stops_intake(void **state)
{
	struct fixture *f = *state;
	struct sub a, b;

	fq_db_test_fail_wal_sync(f->s->db, 1);
	sub_init(&a, 1, "13811112222", 29.75, 120.25, "public_order.fight");
	a.key = "retry-me";
	submit_main(&a);
	assert_int_equal(a.rc, FQ_EDB);
	assert_string_equal(a.err.machine, "storage_error");
	assert_int_equal(
	    count(f, "SELECT COUNT(*) FROM alert WHERE idempotency_key = ?", "retry-me"), 1);
	sub_init(&b, 2, "13933334444", 29.70, 120.20, "dispute.neighbour");
	submit_main(&b);
	assert_int_equal(b.rc, FQ_EDB);
	assert_string_equal(b.err.machine, "storage_error");
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert", NULL), 1);
}

/* Syncs inside each COMMIT when asked (FQ_INTAKE_PIPELINE=0): same answers. */
static int setup_unpipelined(void **state)
{
	return setup_intake(state, 0, 1);
}

static void test_unpipelined_syncs_in_the_commit(void **state)
{
	struct fixture *f = *state;
	struct fq_intake_stats st;
	struct sub a;

	fq_db_test_fail_wal_sync(f->s->db, 1); /* never called: SQLite syncs itself */
	sub_init(&a, 1, "13811112222", 29.75, 120.25, "public_order.fight");
	submit_main(&a);
	assert_int_equal(a.rc, 0);
	fq_intake_stats(&st);
	assert_int_equal(st.pipelined, 0);
	assert_int_equal(st.syncs, 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert", NULL), 1);
	fq_db_test_fail_wal_sync(f->s->db, 0);
}

/* Group size 1 (group commit off): one transaction per alert, same answers. */
static int setup_one(void **state)
{
	return setup_intake(state, 1, 0);
}

static void test_group_of_one(void **state)
{
	struct fixture *f = *state;
	struct sub blocker, g[3];
	struct fq_intake_stats st;

	sub_init(&blocker, 0, "13700000000", 29.80, 120.30, "traffic.accident");
	sub_init(&g[0], 1, "13811112222", 29.75, 120.25, "public_order.fight");
	sub_init(&g[1], 2, "+86 138-1111-2222", 29.7501, 120.2501, "public_order.fight");
	sub_init(&g[2], 3, "13933334444", 29.70, 120.20, "dispute.neighbour");
	queue_group(&blocker, g, 3);
	fq_alert_unlock();
	finish(&blocker);
	for (int i = 0; i < 3; i++) {
		finish(&g[i]);
		assert_int_equal(g[i].rc, 0);
	}
	fq_intake_stats(&st);
	assert_int_equal(st.groups, 4);
	assert_int_equal(st.max_seen, 1);
	assert_string_equal(g[1].item.stored.incident_id, g[0].item.stored.incident_id);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM alert", NULL), 4);
}

/*
 * A stored alert goes into the merge index when a later alert of its group could see it, else
 * at the group's end (intake.c, index_pending): each later alert below sees its own earlier
 * one, by phone, by address alone or by distance alone, and one far away sees none; after the
 * group, an alert finds the last of them.
 */
static void test_group_indexes_what_later_alerts_see(void **state)
{
	struct fixture *f = *state;
	struct sub blocker, g[9], after;

	(void)f;
	sub_init(&blocker, 0, "13700000000", 29.80, 120.30, "traffic.accident");
	sub_init(&g[0], 1, "13811112222", 29.75, 120.25, "public_order.fight");
	g[0].address = "枫溪镇解放路8号";
	/* Another caller, no coordinates, the same address: one event by the address. */
	sub_init(&g[1], 2, "13822223333", 0, 0, "public_order.fight");
	g[1].no_location = 1;
	g[1].address = "枫溪镇解放路8号";
	/* Another caller, no address, 100 m away: one event by the distance. */
	sub_init(&g[2], 3, "13833334444", 29.7509, 120.25, "public_order.fight");
	/* The first caller again, 10 km away, another matter: a repeat caller. */
	sub_init(&g[3], 4, "13811112222", 29.66, 120.25, "dispute.neighbour");
	/* Nobody's, far from all. */
	sub_init(&g[4], 5, "13844445555", 29.70, 120.35, "fire.fire");
	/* Tip-offs (no same-event radius) 33 m apart: within the repeat-place radius. */
	sub_init(&g[5], 6, "13866660001", 29.78, 120.18, "report.clue");
	sub_init(&g[6], 7, "13866660002", 29.7803, 120.18, "report.clue");
	/* Fights 250 m apart: beyond half the 300 m radius, within it. */
	sub_init(&g[7], 8, "13866660003", 29.69, 120.30, "public_order.fight");
	sub_init(&g[8], 9, "13866660004", 29.69225, 120.30, "public_order.fight");
	queue_group(&blocker, g, 9);
	fq_alert_unlock();
	finish(&blocker);
	for (int i = 0; i < 9; i++) {
		finish(&g[i]);
		assert_int_equal(g[i].rc, 0);
	}
	assert_int_equal(g[0].item.stored.new_incident, 1);
	assert_string_equal(g[1].item.stored.decision, "merged");
	assert_string_equal(g[1].item.stored.incident_id, g[0].item.stored.incident_id);
	assert_string_equal(g[2].item.stored.decision, "merged");
	assert_string_equal(g[2].item.stored.incident_id, g[0].item.stored.incident_id);
	assert_true(g[3].item.match.repeat_caller);
	assert_int_equal(g[3].item.match.caller_calls_7d, 1);
	assert_int_equal(g[4].item.stored.new_incident, 1);
	assert_int_equal(g[4].item.match.candidate_count, 0);
	assert_int_equal(g[6].item.match.candidate_count, 0);
	assert_int_equal(g[6].item.match.place_reports, 1);
	assert_int_equal(g[8].item.match.candidate_count, 1);
	assert_string_equal(g[8].item.match.candidates[0].incident_id,
			    g[7].item.stored.incident_id);

	/* After the group, the last of it is in the index. */
	sub_init(&after, 6, "13855556666", 29.7001, 120.35, "fire.fire");
	start(&after);
	finish(&after);
	assert_int_equal(after.rc, 0);
	assert_string_equal(after.item.stored.decision, "merged");
	assert_string_equal(after.item.stored.incident_id, g[4].item.stored.incident_id);
}

/* ---- a group against one alert at a time ---- */

#define SAME_N 64

static uint64_t same_rand(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x >> 33;
}

/* Dense alerts: few phones, few addresses, three places, some without coordinates. */
static void same_make(struct sub *subs, int n, int64_t t0)
{
	static const char *const phones[] = {"13811110001", "13811110002", "13811110003",
					     "13811110004", "13811110005", "13811110006"};
	static const char *const addresses[] = {"枫溪镇解放路8号", "枫溪镇人民路12号",
						"枫溪镇文化街3号", "枫溪镇建设路40号"};
	/* Two without a same-event radius: only the repeat-place radius reaches them. */
	static const char *const categories[] = {
	    "public_order.fight", "public_order.noise", "criminal.theft", "traffic.accident",
	    "fire.fire",	  "criminal.fraud",	"report.clue"};
	static const double places[][2] = {
	    {29.750, 120.250}, {29.7525, 120.2530}, {29.760, 120.240}};
	uint64_t x = 20261124;

	for (int i = 0; i < n; i++) {
		struct sub *sb = &subs[i];
		uint64_t r = same_rand(&x);

		sub_init(sb, i + 1, phones[r % 6], 0, 0, categories[(r >> 3) % 7]);
		if ((r >> 6) % 8 == 0) {
			sb->no_location = 1;
		} else if ((r >> 9) % 6 == 0) {
			sb->lat = 29.66 + (double)((r >> 12) % 1000) * 0.00015;
			sb->lon = 120.16 + (double)((r >> 22) % 1000) * 0.00018;
		} else {
			const double *p = places[(r >> 12) % 3];

			/* Up to about 330 m off, around the radii of most categories. */
			sb->lat = p[0] + ((double)((r >> 14) % 61) - 30.0) * 0.0001;
			sb->lon = p[1] + ((double)((r >> 20) % 61) - 30.0) * 0.0001;
		}
		if ((r >> 24) % 5 || sb->no_location)
			sb->address = addresses[(r >> 27) % 4];
		sb->at = t0 + i * 20 * 1000;
	}
}

/* The first alert of i's incident among subs[0..i]. */
static int same_first_of(const struct sub *subs, int i)
{
	for (int j = 0; j <= i; j++) {
		if (!strcmp(subs[j].item.stored.incident_id, subs[i].item.stored.incident_id))
			return j;
	}
	return -1;
}

/*
 * One group of SAME_N dense alerts (the pending ones indexed only when a later one may see
 * them) decides as a second store taking the same alerts one per group, each indexed before
 * the next is matched: the same decisions, kinds, candidates, scores, flags and incidents.
 */
static void test_group_decides_as_one_at_a_time(void **state)
{
	struct fixture *f = *state;
	static struct sub blocker, g[SAME_N], ref_blocker, ref[SAME_N];
	struct fq_intake_options one = {.max_group = 1};
	struct fq_intake_options io = {0};
	struct fq_err err = FQ_ERR_INIT;
	struct fq_test_store *s2;
	int64_t t0 = fq_now_ms() - 30 * 60 * 1000;

	sub_init(&blocker, 0, "13700000000", 29.80, 120.30, "traffic.accident");
	same_make(g, SAME_N, t0);
	ref_blocker = blocker;
	memcpy(ref, g, sizeof(ref));
	queue_group(&blocker, g, SAME_N);
	fq_alert_unlock();
	finish(&blocker);
	for (int i = 0; i < SAME_N; i++) {
		finish(&g[i]);
		assert_int_equal(g[i].rc, 0);
	}

	/* The reference: another store, one alert per group. */
	fq_intake_stop();
	fq_alert_engine_stop();
	s2 = fq_test_store_new("intake_commit_ref");
	assert_non_null(s2);
	fq_test_begin(s2->c);
	fq_test_unit(s2->c, "339900", "市局", "city", NULL);
	fq_test_unit(s2->c, "339902", "县局", "branch", "339900");
	fq_test_unit(s2->c, STATION, "枫溪派出所", "station", "339902");
	fq_test_commit(s2->c);
	assert_int_equal(fq_alert_engine_start(s2->db, &err), 0);
	assert_int_equal(fq_intake_start(s2->db, &one, &err), 0);
	submit_main(&ref_blocker);
	assert_int_equal(ref_blocker.rc, 0);
	for (int i = 0; i < SAME_N; i++) {
		submit_main(&ref[i]);
		assert_int_equal(ref[i].rc, 0);
	}
	fq_intake_stop();
	fq_alert_engine_stop();
	fq_test_store_free(s2);
	assert_int_equal(fq_alert_engine_start(f->s->db, &err), 0);
	assert_int_equal(fq_intake_start(f->s->db, &io, &err), 0);

	for (int i = 0; i < SAME_N; i++) {
		const struct fq_merge_result *a = &g[i].item.match, *b = &ref[i].item.match;

		assert_string_equal(g[i].item.stored.decision, ref[i].item.stored.decision);
		assert_int_equal(a->kind, b->kind);
		assert_int_equal(a->candidate_count, b->candidate_count);
		for (unsigned k = 0; k < a->candidate_count; k++)
			assert_true(fabs(a->candidates[k].score - b->candidates[k].score) < 1e-12);
		assert_int_equal(a->repeat_caller, b->repeat_caller);
		assert_int_equal(a->caller_calls_7d, b->caller_calls_7d);
		assert_int_equal(a->repeat_place, b->repeat_place);
		assert_int_equal(a->place_reports, b->place_reports);
		assert_int_equal(a->place_occasions, b->place_occasions);
		assert_int_equal(same_first_of(g, i), same_first_of(ref, i));
	}
	/* Dense enough to mean something: merges, several incidents, repeat places. */
	{
		int merged = 0, firsts = 0, places = 0;

		for (int i = 0; i < SAME_N; i++) {
			merged += !strcmp(g[i].item.stored.decision, "merged");
			firsts += same_first_of(g, i) == i;
			places += g[i].item.match.repeat_place;
		}
		assert_true(merged >= 10);
		assert_true(firsts >= 10);
		assert_true(places >= 10);
	}
}

static void test_bad_group_size(void **state)
{
	struct fq_intake_options io = {.max_group = FQ_INTAKE_GROUP_MAX + 1};
	struct fq_err err = FQ_ERR_INIT;
	(void)state;

	assert_int_equal(fq_intake_start(NULL, &io, &err), FQ_EINVAL);
	assert_string_equal(err.field, "max_group");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_many_threads_each_alert_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_in_order_with_merge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_indexes_what_later_alerts_see, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_group_decides_as_one_at_a_time, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clean_failure_in_one_pass, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failure_stays_in_its_savepoint, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_idempotency_inside_a_group, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_commit_fails_the_group, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_rebuild_fails_until_one_succeeds, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_stop_drains, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_of_one, setup_one, teardown),
	    cmocka_unit_test_setup_teardown(test_answers_wait_for_the_sync, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_sync_fails_and_stops_intake, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_unpipelined_syncs_in_the_commit, setup_unpipelined,
					    teardown),
	    cmocka_unit_test(test_bad_group_size),
	};

	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
