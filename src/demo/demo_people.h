/*
 * The demo town's community registries (issue 5): people, houses, rentals,
 * organisations and venues of the main demo station, at the scale of the
 * town in GLOSSARY.md ("Scale of one town": 97,656 people, 45,570 houses,
 * 735 organisations of which 149 regulated venues; 700 rented, 1,237 vacant
 * houses, about 600 floating population) or a small fraction of it.
 *
 * Houses lie inside their grid's polygon (communities hold flats on named
 * roads, villages farmhouses by group), people have realistic names, valid
 * GB 11643 ID numbers (local division code for residents, other provinces'
 * for the floating population) that agree with their sex and age, mobile
 * phones, registered residences; organisations have valid unified social
 * credit codes. The records are written with the search index, in the
 * caller's write transaction, with one audit entry that counts them. The
 * same seed gives the same registries.
 */
#ifndef FQ_DEMO_DEMO_PEOPLE_H
#define FQ_DEMO_DEMO_PEOPLE_H

#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

enum fq_demo_registry {
	FQ_DEMO_REGISTRY_FULL = 0, /* the town's scale (the default) */
	FQ_DEMO_REGISTRY_SMALL,	   /* one per cent of it, for tests */
	FQ_DEMO_REGISTRY_NONE,	   /* no registries */
};

/* Choose the scale for the next fq_demo_build ("full", "small", "none"); -1 when unknown. */
int fq_demo_set_registry(const char *scale);

/* Counts of what fq_community_demo wrote. */
struct fq_demo_registry_counts {
	int64_t people, houses, organisations, regulated, rentals;
};

/*
 * Fill the registries in c's open write transaction, after the units
 * exist. Returns 0 or a negative FQ_E* code with err filled (the caller
 * rolls back). counts may be NULL.
 */
int fq_community_demo(struct fq_dbc *c, uint64_t seed, struct fq_demo_registry_counts *counts,
		      struct fq_err *err) FQ_WUR;

#endif
