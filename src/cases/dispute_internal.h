/*
 * Helpers shared by the files of the dispute module (dispute.c,
 * mediation.c, dispute_kpi.c, dispute_agreement.c); not for other modules.
 */
#ifndef FQ_CASES_DISPUTE_INTERNAL_H
#define FQ_CASES_DISPUTE_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

/* now_ms, or the wall clock when 0. */
int64_t fq__dispute_now(int64_t now_ms);
/* 1 when s is NULL or only blanks. */
int fq__dispute_blank(const char *s);
/* FQ_EINVAL "missing_field" (when required and blank) or "too_long" naming field. */
int fq__dispute_check_text(const char *s, int required, size_t max, const char *field,
			   struct fq_err *err) FQ_WUR;
/* Column col as RFC 3339 (China Standard Time) or JSON null. */
json_t *fq__dispute_time_json(struct fq_stmt *st, int col);
/* Column col as a JSON string or null. */
json_t *fq__dispute_text_json(struct fq_stmt *st, int col);
/* Append an event to the dispute's timeline (by NULL: the system). */
int fq__dispute_event(struct fq_dbc *c, const char *dispute_id, int64_t at, const char *by,
		      const char *kind, const char *text, struct fq_err *err) FQ_WUR;

#endif
