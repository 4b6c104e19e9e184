/*
 * The group committer of alert intake.
 *
 * A request thread validates and normalises its alert (fq_alert_parse) and
 * finds its station (fq_alert_station) on its own, in parallel with the
 * others, then hands the prepared alert to fq_intake_submit(), which
 * blocks. One committer thread takes what is queued (at most max_group
 * alerts, in the order they were queued) and, in ONE write transaction,
 * runs each alert inside a savepoint of its own: idempotency-key lookup,
 * merge matching, fq_alert_store and the caller's audit entry. An alert
 * that fails rolls back to its savepoint and fails alone; the others go
 * on. Then one COMMIT (one fsync at synchronous=FULL) for the group, and
 * every waiter is woken with its own result. Nothing is answered before
 * its group's COMMIT returned.
 *
 * Merge index: an alert is added to the index as soon as it is stored, so a
 * later alert of the same group can merge into an incident created earlier in
 * the group. When the COMMIT fails, every alert of the group fails with the
 * commit's error and the index is rebuilt from the store
 * (fq_alert_engine_reload) before the next group is matched; a group rolled
 * back for a second pass (see intake.c) is treated the same. While a rebuild
 * has failed, groups fail with storage_error until one succeeds: the index
 * never keeps an alert the store does not have.
 *
 * Life cycle: fq_intake_start() after fq_alert_engine_start(), before the
 * server takes requests; fq_intake_stop() after the server stopped: it
 * commits everything still queued (drains), then joins the thread.
 */
#ifndef FQ_COMMAND_INTAKE_H
#define FQ_COMMAND_INTAKE_H

#include <pthread.h>
#include <stdint.h>

#include "command/alert.h"
#include "core/err.h"
#include "db/db.h"

#define FQ_INTAKE_GROUP_MAX	256
#define FQ_INTAKE_GROUP_DEFAULT 256

struct fq_intake_options {
	/*
	 * Alerts per transaction, 1..FQ_INTAKE_GROUP_MAX; 0: the default.
	 * 1 turns group commit off (one transaction and fsync per alert: the
	 * baseline of bench/intake.sh).
	 */
	int max_group;
	/*
	 * 1: SQLite syncs the WAL inside each COMMIT. 0 (the default, with groups of more
	 * than one): the COMMIT only writes the WAL, and a syncer thread syncs it while
	 * the committer runs the next group, answering a group's alerts after that sync.
	 */
	int no_pipeline;
};

/*
 * Called by the committer inside the alert's savepoint, after
 * fq_alert_store: append the alert's audit entry on c. An error fails this
 * alert only (its savepoint is rolled back).
 */
typedef int (*fq_intake_audit_fn)(struct fq_dbc *c, const struct fq_alert_stored *s, void *arg,
				  struct fq_err *err);

/*
 * One alert handed to the committer. The submitter fills the inputs and
 * keeps everything they point to alive until fq_intake_submit returns.
 */
struct fq_intake_item {
	/* inputs */
	const struct fq_alert_in *in;
	const char *station;	     /* from fq_alert_station */
	const char *idempotency_key; /* NULL when none */
	const char *actor_id;	     /* created_by; NULL for the system */
	fq_intake_audit_fn audit;    /* required */
	void *audit_arg;
	struct fq_err *err; /* receives this alert's error (required) */
	/*
	 * Optional: the submitter's fq_alert_prematch of in (zeroed: none). The
	 * committer completes it (fq_alert_match_from) and releases it.
	 */
	struct fq_merge_prematch prematch;

	/* results, valid when fq_intake_submit returned 0 */
	int replay;		       /* the key named an alert stored before: see replay_id */
	char replay_id[37];	       /* that alert */
	struct fq_merge_result match;  /* when !replay */
	struct fq_alert_stored stored; /* when !replay */
	json_t *incident;	       /* when !replay: the incident after this alert (owned) */

	/*
	 * fq_intake_submit_async: called once when the item is answered (results valid,
	 * rc set), from the committer's or the syncer's thread, with no intake lock held;
	 * the item may be freed from then on. Keep it short: the next group waits.
	 */
	void (*on_done)(struct fq_intake_item *it);
	void *on_done_arg;

	/* the committer's */
	struct fq_intake_item *next;
	pthread_cond_t wake;
	int done;
	int rc;
};

/* Start the committer thread on db. FQ_EINVAL for a bad option, FQ_ECONFLICT when running. */
int fq_intake_start(struct fq_db *db, const struct fq_intake_options *opt,
		    struct fq_err *err) FQ_WUR;

/* Commit what is queued, then stop the thread (harmless when not running). */
void fq_intake_stop(void);

/*
 * Queue the alert and wait until its group is committed (or failed).
 * Returns 0 when the alert is durable (or, replay set, an earlier one with
 * its key is), else the alert's negative FQ_E* code with *item->err filled:
 * its own error (validation inside the store, a conflicting key, an audit
 * failure), or the group's (begin or COMMIT failed: FQ_EDB), or
 * FQ_EDB ("intake_stopped") when the committer is not running.
 */
int fq_intake_submit(struct fq_intake_item *item) FQ_WUR;

struct fq_intake_stats {
	uint64_t groups;   /* transactions committed or failed */
	uint64_t alerts;   /* alerts taken out of the queue (counted when taken) */
	uint64_t failed;   /* alerts answered with an error */
	unsigned max_seen; /* largest group */
	int max_group;	   /* the setting */
	unsigned queued;   /* waiting in the queue now (not yet taken by the committer) */
	/* committer time: lock and BEGIN, the alerts (match, store, audit), COMMIT */
	int64_t begin_ns, alerts_ns, commit_ns;
	int64_t match_ns;    /* of alerts_ns: in the merge engine (fq_alert_match_from) */
	uint64_t prematched; /* alerts matched from their prematch */
	/*
	 * Groups run a second time, each alert in a savepoint, because one failed after it
	 * had written (see one_alert in intake.c)
	 */
	uint64_t second_passes;
	int pipelined;	 /* syncs run beside the next group (see above) */
	uint64_t syncs;	 /* WAL syncs by the syncer */
	int64_t sync_ns; /* time in them */
};

/*
 * Queue the alert and return at once: 0 when queued (item->on_done is called
 * once it is answered; the rc it finds is fq_intake_submit's), else
 * FQ_EDB ("intake_stopped") with *item->err filled, and on_done is never
 * called. The item and what it points to live until on_done.
 */
int fq_intake_submit_async(struct fq_intake_item *item) FQ_WUR;

void fq_intake_stats(struct fq_intake_stats *out);

#endif
