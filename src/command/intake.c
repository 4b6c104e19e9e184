/*
 * The group committer of alert intake (command/intake.h): one thread, a
 * FIFO queue guarded by a mutex, "queued" and "done" condition variables.
 */
#include "command/intake.h"

#include <pthread.h>
#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/log.h"
#include "org/numbers.h"
#include "core/banned.h"

#define SAVEPOINT      "fq_intake_alert"
#define COMMITTER_NICE (-10)

static struct {
	pthread_mutex_t lock;
	pthread_cond_t queued; /* the queue has items, or stopping */
	struct fq_intake_item *head, *tail;
	int running, stopping;
	pthread_t thread;
	struct fq_db *db;
	int max_group;
	struct fq_intake_stats stats;

	/*
	 * Pipelined syncs (q.pipelined): groups committed but not yet synced, in commit order,
	 * for the syncer thread; it wakes their waiters once the WAL is synced.
	 */
	int pipelined;
	pthread_t syncer;
	pthread_cond_t unsynced_cv; /* unsynced has items, or the committer ended */
	struct fq_intake_item *unsynced, *unsynced_tail;
	int committer_done;
	int sync_broken; /* a WAL sync failed: nothing more is acknowledged */
} q = {.lock = PTHREAD_MUTEX_INITIALIZER,
       .queued = PTHREAD_COND_INITIALIZER,
       .unsynced_cv = PTHREAD_COND_INITIALIZER};

/* Every alert of the group gets the group's error (and loses what it did). */
static void fail_group(struct fq_intake_item **items, unsigned n, int rc, const struct fq_err *gerr)
{
	for (unsigned i = 0; i < n; i++) {
		fq_merge_prematch_release(&items[i]->prematch);
		items[i]->rc = rc;
		*items[i]->err = *gerr;
		items[i]->replay = 0;
		json_decref(items[i]->incident);
		items[i]->incident = NULL;
	}
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Time spent, for fq_intake_stats: [0] waiting for the lock and BEGIN, [1] the alerts,
 * [2] COMMIT, [3] matching (part of [1]). Written by the committer only.
 */
static int64_t phase_ns[4];
static uint64_t prematched;    /* alerts matched from their prematch; the committer's */
static uint64_t second_passes; /* groups run again in savepoints; the committer's */

/* one_alert's answers besides "stored" (1) and "not stored" (0). */
#define ALERT_DIRTY (-1)

/*
 * One alert inside the open transaction. 1 when it was stored (for the index: see
 * index_pending), 0 when not (a replay, or a failure that wrote nothing).
 *
 * Careful (savepoint non-zero): in a savepoint of its own, rolled back when it fails. Otherwise
 * (the first pass of every group) without one, since a savepoint costs more than a tenth of an
 * alert's instructions (SQLite copies every page the alert touches into the statement journal),
 * and what usually fails fails before anything is written: an Idempotency-Key used before, an
 * incident_id that is unknown, closed or out of scope. A failed statement is undone by SQLite
 * itself; so a failure with the connection's change count where it was before the alert left
 * nothing behind. A failure after a write (the audit entry refused, a constraint no check
 * foresaw) answers ALERT_DIRTY: commit_group rolls the group back and runs it again, carefully.
 */
static int one_alert(struct fq_dbc *c, struct fq_intake_item *it, int savepoint)
{
	int64_t changes = fq_dbc_total_changes(c);
	int rc, dirty = 0;

	it->rc = 0;
	it->replay = 0;
	fq_err_clear(it->err);
	if (savepoint && (rc = fq_dbc_savepoint(c, SAVEPOINT, it->err)))
		goto out;
	if (it->idempotency_key) {
		/* Sees the alerts of this group stored before it: same transaction. */
		rc = fq_alert_find_idempotent(c, it->actor_id, it->idempotency_key, it->replay_id,
					      it->err);
		if (rc == 0) {
			it->replay = 1;
			if (savepoint)
				rc = fq_dbc_savepoint_release(c, SAVEPOINT, it->err);
			goto out;
		}
		if (rc != FQ_ENOTFOUND)
			goto failed;
		fq_err_clear(it->err);
	}
	{
		int64_t t = mono_ns();
		int reused = 0;
		rc = fq_alert_match_from(it->in, &it->prematch, &it->match, &reused, it->err);
		phase_ns[3] += mono_ns() - t;
		prematched += (uint64_t)reused;
	}
	if (!rc)
		rc = fq_alert_store(c, it->in, it->station, &it->match, it->idempotency_key,
				    it->actor_id, &it->stored, &it->incident, it->err);
	if (!rc)
		rc = it->audit(c, &it->stored, it->audit_arg, it->err);
	if (!rc && savepoint)
		rc = fq_dbc_savepoint_release(c, SAVEPOINT, it->err);
	if (!rc)
		return 1;
	json_decref(it->incident);
	it->incident = NULL;
failed:
	if (savepoint) {
		/* When this fails too, the transaction is gone: commit_group sees it. */
		struct fq_err ignored = FQ_ERR_INIT;
		if (fq_dbc_savepoint_rollback(c, SAVEPOINT, &ignored))
			fq_warn("intake: rollback to savepoint failed: %s", ignored.message);
	} else if (fq_dbc_total_changes(c) != changes) {
		dirty = 1;
	}
out:
	fq_merge_prematch_release(&it->prematch); /* unused when not matched (a replay) */
	it->rc = rc;
	return dirty ? ALERT_DIRTY : 0;
}

/* Back to synchronous=FULL before the connection returns to the pool. */
static void end_deferral(struct fq_dbc *c, int *deferred)
{
	struct fq_err err = FQ_ERR_INIT;

	if (!*deferred)
		return;
	*deferred = 0;
	if (fq_dbc_defer_sync(c, 0, &err)) {
		fq_error("intake: %s", err.message);
		fq_die("intake: cannot restore synchronous=FULL on a pooled connection");
	}
}

/* Back to how the item came, for a second pass over its group. */
static void reset_item(struct fq_intake_item *it)
{
	it->rc = 0;
	it->replay = 0;
	fq_err_clear(it->err);
	json_decref(it->incident);
	it->incident = NULL;
	memset(&it->stored, 0, sizeof(it->stored));
	memset(&it->match, 0, sizeof(it->match));
	/* Its prematch was spent by the first pass: it is matched afresh. */
}

/* The committer's: a rebuild of the merge index failed, so it may hold alerts rolled back. */
static int index_stale;

/*
 * The merge index rebuilt from the store after a rollback took back alerts it had been given.
 * The connection is handed back first (*c NULL after). When the rebuild fails, the index stays
 * marked stale and every group fails with storage_error until a rebuild succeeds: no alert is
 * ever matched against alerts the store does not have.
 */
static int rebuild_index(struct fq_dbc **c, int *deferred, struct fq_err *err)
{
	struct fq_err rerr = FQ_ERR_INIT;

	if (*c) {
		end_deferral(*c, deferred);
		fq_db_release(q.db, *c);
		*c = NULL;
	}
	if (fq_alert_engine_reload(q.db, &rerr)) {
		fq_error("intake: merge index not rebuilt: %s", rerr.message);
		index_stale = 1;
		return fq_err_set(err, FQ_EDB, "storage_error", NULL, "数据库错误");
	}
	index_stale = 0;
	return 0;
}

/*
 * Alerts of the group stored but not yet in the merge index. Each index insert takes the
 * index's lock for writing, and waits for the request threads' prematches reading it (a
 * reader the scheduler has put aside holds it for hundreds of microseconds): one wait per
 * alert was a sixth of the committer's time. So a stored alert waits here until a later
 * alert of the group could see it (fq_alert_may_see: same phone, same address, or within
 * reach) and must be matched against it, or the group ends; then all go in under one hold,
 * in order. Indexed before the COMMIT, an alert is provisional: a rollback rebuilds the index
 * (commit_group's indexed).
 */
struct pending {
	struct fq_merge_alert m[FQ_INTAKE_GROUP_MAX]; /* fq_alert_merge_view, made once */
	unsigned n;
};

/* Index the pending alerts; with try_only, only when the lock is free at once. */
static unsigned index_pending(struct pending *p, int try_only)
{
	unsigned n = p->n;

	if (fq_alert_indexed_many(p->m, n, try_only))
		return 0;
	p->n = 0;
	return n;
}

/* Index the pending alerts first when it may see one of them. */
static unsigned index_pending_seen_by(struct pending *p, const struct fq_intake_item *it)
{
	return p->n && fq_alert_may_see(it->in, p->m, p->n) ? index_pending(p, 0) : 0;
}

/* Returns 0 when the group's transaction committed (its alerts may still have failed one by one).
 */
static int commit_group(struct fq_intake_item **items, unsigned n)
{
	int64_t t0 = mono_ns(), t1, t2;
	struct fq_err gerr = FQ_ERR_INIT;
	struct fq_dbc *c = NULL;
	struct pending pending;
	unsigned indexed = 0;
	int rc = 0, deferred = 0, careful = 0;

	pending.n = 0;

	fq_alert_lock();
	if (q.sync_broken) /* read under the alert lock: set by the syncer, see sync_main */
		rc = fq_err_set(&gerr, FQ_EDB, "storage_error", NULL, "数据库错误");
	else if (index_stale)
		rc = rebuild_index(&c, &deferred, &gerr);
again:
	if (!rc && !c)
		c = fq_db_acquire(q.db);
	if (!rc && q.pipelined && !deferred && (rc = fq_dbc_defer_sync(c, 1, &gerr)) == 0)
		deferred = 1;
	if (!rc)
		rc = fq_dbc_begin(c, 1, &gerr);
	t1 = mono_ns();
	t2 = t1;
	if (rc) {
		fail_group(items, n, rc, &gerr);
		goto out;
	}
	fq_number_batch_begin(c); /* the group's numbers counted in memory, written once */
	for (unsigned i = 0; i < n; i++) {
		int done;

		indexed += index_pending_seen_by(&pending, items[i]);
		done = one_alert(c, items[i], careful);

		if (done == ALERT_DIRTY) {
			/*
			 * An alert failed after it wrote: without a savepoint to undo it, the
			 * group starts again in savepoints, its index entries dropped first.
			 */
			fq_dbc_rollback(c);
			fq_number_batch_end();
			pending.n = 0; /* rolled back before they were indexed */
			for (unsigned k = 0; k < n; k++)
				reset_item(items[k]);
			if (indexed && (rc = rebuild_index(&c, &deferred, &gerr))) {
				fail_group(items, n, rc, &gerr);
				goto out;
			}
			indexed = 0;
			careful = 1;
			second_passes++;
			/* The first pass counts as the alerts' time. */
			phase_ns[1] += mono_ns() - t1;
			t0 = mono_ns();
			goto again;
		}
		if (done == 1)
			fq_alert_merge_view(items[i]->in, &items[i]->stored,
					    &pending.m[pending.n++]);
		if (!fq_dbc_in_transaction(c)) {
			/* The backend aborted the whole transaction (I/O error, full disk). */
			fq_err_set(&gerr, FQ_EDB, "storage_error", NULL, "数据库错误");
			fail_group(items, n, FQ_EDB, &gerr);
			rc = FQ_EDB;
			break;
		}
	}
	t2 = mono_ns();
	if (!rc && (rc = fq_number_batch_flush(&gerr))) {
		fq_dbc_rollback(c);
	} else if (!rc) {
		/*
		 * The rest of the group into the index now if its lock is free, else after the
		 * COMMIT, by when the prematches reading it will have moved on.
		 */
		indexed += index_pending(&pending, 1);
		rc = fq_dbc_commit(c, &gerr); /* rolls back when it fails */
	} else {
		fq_dbc_rollback(c);
	}
	fq_number_batch_end();
	if (rc) {
		struct fq_err ignored = FQ_ERR_INIT; /* the group has its error already */

		fail_group(items, n, rc, &gerr);
		if (indexed)
			(void)rebuild_index(&c, &deferred, &ignored);
	} else {
		/* Committed: the rest of the group into the index, before the alert lock goes. */
		index_pending(&pending, 0);
	}
	/*
	 * The group's alerts are durable here (or all failed). A live-event publisher
	 * would run per committed alert at this point, or in the submitter after
	 * fq_intake_submit returned 0.
	 */
out:
	fq_alert_unlock();
	if (c) {
		end_deferral(c, &deferred);
		fq_db_release(q.db, c);
	}
	phase_ns[0] += t1 - t0;
	phase_ns[1] += t2 - t1;
	phase_ns[2] += mono_ns() - t2;
	return rc;
}

/*
 * Answer the item (q.lock held); 1 when it failed. A blocked submitter is woken now; an
 * asynchronous one goes on *later, for notify_all() once the lock is released (its
 * callback may end the request that holds the item).
 */
static unsigned answer(struct fq_intake_item *it, struct fq_intake_item **later)
{
	unsigned failed = it->rc != 0;

	if (it->on_done) {
		it->next = *later;
		*later = it;
		return failed;
	}
	/* Each waiter has its own condition variable: no herd of wake-ups. */
	it->done = 1;
	pthread_cond_signal(&it->wake);
	return failed;
}

/* The callbacks of asynchronous submissions answered (q.lock not held). */
static void notify_all(struct fq_intake_item *later)
{
	struct fq_intake_item *next;

	for (; later; later = next) {
		next = later->next; /* later may be gone once told */
		later->done = 1;
		later->on_done(later);
	}
}

static void *committer_main(void *arg)
{
	struct fq_intake_item *items[FQ_INTAKE_GROUP_MAX];
	(void)arg;

	prctl(PR_SET_NAME, "fq-intake", 0, 0, 0); /* for top -H and perf */
	/*
	 * The committer is the one serial stage: when the CPUs are busy, the request threads
	 * (many) must not starve it. Needs CAP_SYS_NICE (or a RLIMIT_NICE); without, it runs at
	 * the process's priority.
	 */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), COMMITTER_NICE) != 0)
		fq_info("intake: committer priority unchanged (%s)", strerror(errno));
	pthread_mutex_lock(&q.lock);
	for (;;) {
		unsigned n = 0, failed = 0;
		struct fq_intake_item *later = NULL;
		int committed;
		while (!q.head && !q.stopping)
			pthread_cond_wait(&q.queued, &q.lock);
		if (!q.head) /* stopping and drained */
			break;
		while (q.head && n < (unsigned)q.max_group) {
			items[n++] = q.head;
			q.head = q.head->next;
			q.stats.queued--;
		}
		q.stats.alerts += n;
		if (!q.head)
			q.tail = NULL;
		pthread_mutex_unlock(&q.lock);

		committed = commit_group(items, n) == 0;

		pthread_mutex_lock(&q.lock);
		if (committed && q.pipelined) {
			/* Answered by the syncer, once the WAL holding them is on the disk. */
			for (unsigned i = 0; i < n; i++) {
				items[i]->next = NULL;
				if (q.unsynced_tail)
					q.unsynced_tail->next = items[i];
				else
					q.unsynced = items[i];
				q.unsynced_tail = items[i];
			}
			pthread_cond_signal(&q.unsynced_cv);
		} else {
			for (unsigned i = 0; i < n; i++)
				failed += answer(items[i], &later);
		}
		q.stats.groups++;
		q.stats.failed += failed;
		if (n > q.stats.max_seen)
			q.stats.max_seen = n;
		q.stats.begin_ns = phase_ns[0];
		q.stats.alerts_ns = phase_ns[1];
		q.stats.commit_ns = phase_ns[2];
		q.stats.match_ns = phase_ns[3];
		q.stats.prematched = prematched;
		q.stats.second_passes = second_passes;
		if (later) {
			pthread_mutex_unlock(&q.lock);
			notify_all(later);
			pthread_mutex_lock(&q.lock);
		}
	}
	q.committer_done = 1;
	pthread_cond_signal(&q.unsynced_cv);
	pthread_mutex_unlock(&q.lock);
	return NULL;
}

/*
 * The syncer (pipelined mode): takes every item of the groups committed so far,
 * syncs the WAL once for all of them, then answers them; meanwhile the
 * committer runs the next group. An item is answered only after a sync that
 * began after its group's COMMIT returned. When a sync fails, those items
 * fail with the store's error and intake refuses everything after (a failed
 * fdatasync leaves the disk's state unknown): the server must be restarted,
 * and SQLite's recovery then reads the WAL as the disk has it.
 */
static void *sync_main(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "fq-intake-sync", 0, 0, 0);
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), COMMITTER_NICE) != 0)
		fq_info("intake: syncer priority unchanged (%s)", strerror(errno));
	pthread_mutex_lock(&q.lock);
	for (;;) {
		struct fq_intake_item *batch, *next, *later = NULL;
		struct fq_err serr = FQ_ERR_INIT;
		unsigned failed = 0;
		int64_t t;
		int rc;

		while (!q.unsynced && !q.committer_done)
			pthread_cond_wait(&q.unsynced_cv, &q.lock);
		if (!q.unsynced) /* the committer ended and everything is answered */
			break;
		batch = q.unsynced;
		q.unsynced = q.unsynced_tail = NULL;
		pthread_mutex_unlock(&q.lock);

		t = mono_ns();
		rc = fq_db_wal_sync(q.db, &serr);
		t = mono_ns() - t;
		if (rc) {
			fq_error("intake: WAL sync failed (%s): refusing alerts until restart",
				 serr.message);
			fq_alert_lock();
			q.sync_broken = 1;
			fq_alert_unlock();
		}

		pthread_mutex_lock(&q.lock);
		q.stats.syncs++;
		q.stats.sync_ns += t;
		for (struct fq_intake_item *it = batch; it; it = next) {
			next = it->next; /* it may be gone once answered */
			if (rc) {
				it->rc = rc;
				*it->err = serr;
				it->replay = 0;
				json_decref(it->incident);
				it->incident = NULL;
			}
			failed += answer(it, &later);
		}
		q.stats.failed += failed;
		if (later) {
			pthread_mutex_unlock(&q.lock);
			notify_all(later);
			pthread_mutex_lock(&q.lock);
		}
	}
	pthread_mutex_unlock(&q.lock);
	return NULL;
}

int fq_intake_start(struct fq_db *db, const struct fq_intake_options *opt, struct fq_err *err)
{
	int max_group = opt && opt->max_group ? opt->max_group : FQ_INTAKE_GROUP_DEFAULT;

	if (max_group < 1 || max_group > FQ_INTAKE_GROUP_MAX)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "max_group",
				  "intake group size must be 1..%d", FQ_INTAKE_GROUP_MAX);
	pthread_mutex_lock(&q.lock);
	if (q.running) {
		pthread_mutex_unlock(&q.lock);
		return fq_err_set(err, FQ_ECONFLICT, "conflict", NULL,
				  "intake committer already running");
	}
	q.db = db;
	q.max_group = max_group;
	q.stopping = 0;
	memset(&q.stats, 0, sizeof(q.stats));
	memset(phase_ns, 0, sizeof(phase_ns));
	q.stats.max_group = max_group;
	q.unsynced = q.unsynced_tail = NULL;
	q.committer_done = 0;
	q.sync_broken = 0;
	/*
	 * Pipelined syncs with group commit on a store that has a WAL file; one commit per
	 * alert (the benchmark's baseline) keeps SQLite's own sync in each COMMIT.
	 */
	{
		struct fq_err serr = FQ_ERR_INIT;
		int want = max_group > 1 && !(opt && opt->no_pipeline);
		q.pipelined = want && fq_db_wal_sync(db, &serr) == 0;
		if (want && !q.pipelined)
			fq_info("intake: syncs not pipelined: %s", serr.message);
	}
	q.stats.pipelined = q.pipelined;
	if (pthread_create(&q.thread, NULL, committer_main, NULL) != 0)
		fq_die("cannot start the intake committer thread");
	if (q.pipelined && pthread_create(&q.syncer, NULL, sync_main, NULL) != 0)
		fq_die("cannot start the intake syncer thread");
	q.running = 1;
	pthread_mutex_unlock(&q.lock);
	return 0;
}

void fq_intake_stop(void)
{
	struct fq_intake_stats s;
	char syncs[96];

	pthread_mutex_lock(&q.lock);
	if (!q.running) {
		pthread_mutex_unlock(&q.lock);
		return;
	}
	q.stopping = 1;
	pthread_cond_signal(&q.queued);
	pthread_mutex_unlock(&q.lock);
	pthread_join(q.thread, NULL); /* drained: every queued alert committed */
	if (q.pipelined)
		pthread_join(q.syncer, NULL); /* and answered */
	pthread_mutex_lock(&q.lock);
	q.running = 0;
	s = q.stats;
	pthread_mutex_unlock(&q.lock);
	if (s.pipelined && s.syncs)
		snprintf(syncs, sizeof(syncs), "syncs pipelined: %llu (%.1f alerts, %.2f ms each)",
			 (unsigned long long)s.syncs, (double)s.alerts / (double)s.syncs,
			 (double)s.sync_ns / 1e6 / (double)s.syncs);
	else
		snprintf(syncs, sizeof(syncs), "syncs in each commit");
	if (s.groups)
		fq_info(
		    "intake: %llu alerts in %llu transactions (%.1f per group, largest %u, "
		    "limit %d), %llu failed; per group: begin %.2f ms, alerts %.2f ms (matching "
		    "%.2f ms, %.0f%% from a prematch), commit %.2f ms; %s; %llu groups run "
		    "again in savepoints",
		    (unsigned long long)s.alerts, (unsigned long long)s.groups,
		    (double)s.alerts / (double)s.groups, s.max_seen, s.max_group,
		    (unsigned long long)s.failed, (double)s.begin_ns / 1e6 / (double)s.groups,
		    (double)s.alerts_ns / 1e6 / (double)s.groups,
		    (double)s.match_ns / 1e6 / (double)s.groups,
		    s.alerts ? 100.0 * (double)s.prematched / (double)s.alerts : 0.0,
		    (double)s.commit_ns / 1e6 / (double)s.groups, syncs,
		    (unsigned long long)s.second_passes);
}

/* Queue it (q.lock held); FQ_EDB when intake is not running. */
static int enqueue(struct fq_intake_item *it)
{
	it->next = NULL;
	it->done = 0;
	it->rc = 0;
	it->replay = 0;
	it->incident = NULL;
	if (!q.running || q.stopping)
		return fq_err_set(it->err, FQ_EDB, "intake_stopped", NULL,
				  "接警服务正在停止，请稍后重试");
	if (q.tail)
		q.tail->next = it;
	else
		q.head = it;
	q.tail = it;
	q.stats.queued++;
	pthread_cond_signal(&q.queued);
	return 0;
}

int fq_intake_submit_async(struct fq_intake_item *it)
{
	int rc;

	fq_assert(it->in && it->station && it->audit && it->err && it->on_done);
	pthread_mutex_lock(&q.lock);
	rc = enqueue(it);
	pthread_mutex_unlock(&q.lock);
	return rc;
}

int fq_intake_submit(struct fq_intake_item *it)
{
	int rc;

	fq_assert(it->in && it->station && it->audit && it->err);
	it->on_done = NULL;
	pthread_cond_init(&it->wake, NULL);
	pthread_mutex_lock(&q.lock);
	if ((rc = enqueue(it))) {
		pthread_mutex_unlock(&q.lock);
		pthread_cond_destroy(&it->wake);
		return rc;
	}
	while (!it->done)
		pthread_cond_wait(&it->wake, &q.lock);
	pthread_mutex_unlock(&q.lock);
	pthread_cond_destroy(&it->wake);
	return it->rc;
}

void fq_intake_stats(struct fq_intake_stats *out)
{
	pthread_mutex_lock(&q.lock);
	*out = q.stats;
	pthread_mutex_unlock(&q.lock);
}
