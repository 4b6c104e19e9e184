/*
 * Demo volunteers and school posts (docs/volunteers.md): for every grid a
 * patrol team (平安巡逻队) of 8–14 members, for the main station's
 * communities also a 红袖章 group, and a station-wide school guard team
 * (护学志愿队); a year of weekly evening patrols and market-day watches
 * ending yesterday, with check-ins and check-outs that give credited hours
 * (a few tasks missed, a few clues reported and closed), and the next two
 * weeks planned. The demo volunteer user (赵大妈) is a member of the patrol
 * team of grid 339902100001. The town's schools (the registry's schools
 * when it holds them, else a school per community) get a gate post or two
 * with a morning and an afternoon session on school days, an officer or
 * auxiliary and two volunteers each, and attendance for the last 120 days
 * up to yesterday. One audit entry counts what was made. The same generator
 * state gives the same data.
 */
#ifndef FQ_DEMO_DEMO_VOLUNTEERS_H
#define FQ_DEMO_DEMO_VOLUNTEERS_H

#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "demo/demo.h"

/* In c's open write transaction, after units, users and registries; the caller rolls back on error.
 */
int fq_demo_volunteers(struct fq_dbc *c, struct fq_rng *g, int64_t now_ms,
		       struct fq_err *err) FQ_WUR;

#endif
