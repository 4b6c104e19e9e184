/*
 * People-facing business numbers, per unit and day (MODEL.md): what
 * officers read out on the radio and write on paper, e.g.
 * "JJ-339902510000-20261123-0042" for the 42nd alert of that station on
 * 23 November 2026 (China Standard Time). Ids stay UUIDs; numbers are for
 * people. Must run inside the caller's write transaction, so a number is
 * taken only when the record that carries it is written (in a batch, below,
 * an alert rolled back to its savepoint leaves a gap instead).
 */
#ifndef FQ_ORG_NUMBERS_H
#define FQ_ORG_NUMBERS_H

#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

#define FQ_NUMBER_MAX 64

/* kind: a short upper-case prefix ("JJ" alert, "SJ" incident, "TJ" dispute, "AJ" case). */
int fq_number_next(struct fq_dbc *c, const char *kind, const char *unit_code, int64_t at_ms,
		   char out[FQ_NUMBER_MAX], struct fq_err *err) FQ_WUR;

/*
 * Numbers of one transaction without a statement each (the intake committer's
 * group, an import's batch). Between fq_number_batch_begin and
 * fq_number_batch_end, fq_number_next on that connection, from the calling
 * thread, reads each prefix's counter once and counts on in memory;
 * fq_number_batch_flush writes the counters back and must run inside the same
 * transaction, before its COMMIT. The transaction holds the store's write lock
 * throughout, so no other writer takes a number in between. A savepoint rolled
 * back meanwhile leaves a gap in the numbers, never one number twice; a
 * transaction rolled back takes the counters back with it (end the batch, begin
 * a new one with the next transaction).
 */
void fq_number_batch_begin(struct fq_dbc *c);
int fq_number_batch_flush(struct fq_err *err) FQ_WUR;
void fq_number_batch_end(void);

#endif
