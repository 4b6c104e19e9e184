/*
 * Demo response units (处警力量) for every station of the demo
 * jurisdiction: patrol cars, motorbikes and foot patrols in numbers that
 * grow with the station's grids, one auxiliary team and one volunteer
 * team, each available with a GPS position inside the station's boundary
 * (foot patrols and teams near its centre, where the communities are) taken
 * now, and its creation audited as the demo's other records are. The same
 * generator state gives the same units.
 */
#ifndef FQ_DEMO_DEMO_UNITS_H
#define FQ_DEMO_DEMO_UNITS_H

#include "core/err.h"
#include "db/db.h"
#include "demo/demo.h"

/*
 * Create the units in c's open write transaction, after the stations and
 * grids exist (fq_demo_build). Returns 0 or a negative FQ_E* code with err
 * filled; the caller rolls back.
 */
int fq_dispatch_demo(struct fq_dbc *c, struct fq_rng *g, struct fq_err *err) FQ_WUR;

#endif
