/*
 * Demo anti-fraud warnings, dissuasion, outreach and reception-hall visits
 * (docs/fraud.md, docs/reception.md) for the main station, the town of
 * GLOSSARY.md: a year of them ending the day before now, through the
 * capability's own store functions (routing by grid, deadlines per level,
 * attempts, closing), so they read as real work: about 1.6 warnings a day,
 * most reached in time and many dissuaded, a few missed and escalated;
 * about six outreach events a month; about four walk-ins a day, mediation
 * requests turned into pending disputes. Every warning is closed, so the
 * housekeeping job has nothing of the demo's to escalate. One audit entry
 * per kind records what the demo made. The same generator state gives the
 * same data.
 */
#ifndef FQ_DEMO_DEMO_FRAUD_H
#define FQ_DEMO_DEMO_FRAUD_H

#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "demo/demo.h"

/* In c's open write transaction, after units and users exist; the caller rolls back on error. */
int fq_demo_fraud(struct fq_dbc *c, struct fq_rng *g, int64_t now_ms, struct fq_err *err) FQ_WUR;

#endif
