/*
 * Demo livelihood cases, transfers, clues and a series for one station
 * (demo/demo_cases.c says what is generated). Runs inside the caller's
 * write transaction on c, after the demo units and users exist (the
 * station needs a case officer and grids with centroids). Deterministic
 * for a given rng state and now_ms, but for the record ids (UUIDv7).
 */
#ifndef FQ_DEMO_DEMO_CASES_H
#define FQ_DEMO_DEMO_CASES_H

#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "demo/demo.h"

int fq_demo_cases(struct fq_dbc *c, struct fq_rng *g, const char *station, int64_t now_ms,
		  struct fq_err *err) FQ_WUR;

#endif
