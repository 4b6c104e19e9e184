/*
 * The demo jurisdiction: a fictional county bureau of a fictional city with
 * several stations; the main station is sized like the town in GLOSSARY.md
 * ("Scale of one town": 11 communities and 29 villages as grids, police
 * posts), every grid with a polygon boundary. One user per role, with
 * generated passwords printed as
 *   login: USERNAME PASSWORD ROLE UNIT_CODE
 * (the station chief first). The same seed gives the same data.
 * Later capabilities add their generators to fq_demo_build.
 */
#ifndef FQ_DEMO_DEMO_H
#define FQ_DEMO_DEMO_H

#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "db/db.h"

/* Deterministic generator (splitmix64), one per build. */
struct fq_rng {
	uint64_t s;
};
void fq_rng_seed(struct fq_rng *g, uint64_t seed);
uint64_t fq_rng_next(struct fq_rng *g);
/* Uniform in [0, n). */
uint64_t fq_rng_below(struct fq_rng *g, uint64_t n);
/* Uniform in [0, 1). */
double fq_rng_unit(struct fq_rng *g);

/* Refuses a store that already holds units (FQ_ECONFLICT). */
int fq_demo_build(struct fq_db *db, uint64_t seed, FILE *out, struct fq_err *err) FQ_WUR;

#endif
