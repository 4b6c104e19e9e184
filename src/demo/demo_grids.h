/*
 * Demo responsibility for grids and police posts (community/grid.h): every
 * grid of the demo jurisdiction gets its community officer, auxiliaries and
 * grid workers ("1+X+N"), and the main station's police posts their staff
 * and the grids nearest to them. The demo users take their places in the
 * main station (the community officer answers for its communities, the
 * auxiliary and the grid worker for the grid worker's grid); the other
 * staff are named people without accounts. Each assignment is audited as
 * the demo's other records are. The same seed gives the same staff.
 */
#ifndef FQ_DEMO_DEMO_GRIDS_H
#define FQ_DEMO_DEMO_GRIDS_H

#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

/*
 * Write the assignments in c's open write transaction, after the units and
 * the demo users exist (fq_demo_build). Returns 0 or a negative FQ_E* code
 * with err filled; the caller rolls back.
 */
int fq_grid_demo(struct fq_dbc *c, uint64_t seed, int64_t now_ms, struct fq_err *err) FQ_WUR;

#endif
