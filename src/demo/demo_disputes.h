/*
 * A year of demo disputes (矛盾纠纷) for the main demo station (枫溪派出所,
 * 339902510000), sized like the town of GLOSSARY.md ("500+ disputes a year
 * at 98% success"): about 520 disputes reported over the 365 days that end
 * two days before now, in its grids (land and boundary disputes mostly in
 * the villages, property management in the communities), with parties
 * (names, some phones and identity numbers, a few elderly), people and
 * money at stake shaped by type, some threat words; each graded by the
 * real grading, then replayed through the real steps at their own times:
 * assignment of key and major ones, one to three mediation sessions, the
 * outcome (about 55% agreements, 41% resolved, 1% referred, 1% failed,
 * the most recent still open), follow-ups after 1, 7 and 30 days where
 * they fell due, a flare-up now and then (reopened, grade raised, resolved
 * again), escalation of those that ran late. Each intake is audited as
 * the demo's ("dispute.create" by "demo") and each escalation as the
 * system's; the replayed steps are in the disputes' timelines. The same
 * generator state and now_ms give the same disputes.
 */
#ifndef FQ_DEMO_DEMO_DISPUTES_H
#define FQ_DEMO_DEMO_DISPUTES_H

#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "demo/demo.h"

#define FQ_DEMO_DISPUTES_STATION "339902510000"

/*
 * Write the disputes in c's open write transaction, after units and users
 * exist (fq_demo_build). *count (may be NULL) receives how many. Returns 0
 * or a negative FQ_E* code with err filled; the caller rolls back.
 */
int fq_dispute_demo(struct fq_dbc *c, struct fq_rng *g, int64_t now_ms, int *count,
		    struct fq_err *err) FQ_WUR;

#endif
