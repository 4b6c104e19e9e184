/*
 * A year of demo alerts with ground truth, for the main demo station
 * (枫溪派出所, 339902510000) and the quality benchmark of the merge engine
 * (bench/merge_quality.sh).
 *
 * Real events are drawn first, then the reports people make of them:
 *   - about 2,300 events a month (more in summer and at weekends),
 *     categories and hours shaped like a town's calls: disputes and noise
 *     in the evening and at night, traffic accidents at the rush hours,
 *     burglaries before dawn, thefts by day; most in the communities, the
 *     rest in the villages, at the places of a generated town (roads,
 *     residential blocks, shops, markets, crossings, schools, factories);
 *   - problem places that keep calling: a bar street and a KTV with fights
 *     on weekend nights, households with family disputes, a square whose
 *     dancing music brings the same neighbour to the phone, an accident
 *     black spot, a market with pickpockets, a building site, a mahjong
 *     parlour; habitual callers (harassing calls in bursts);
 *   - each event reported by 1 to 4 callers (public events more), some
 *     calling back (一人多报), with the noise of real intake: phone formats
 *     (+86, 0086, spaces, dashes, full-width digits, landlines with or
 *     without the area code), Traditional characters mixed in, typos
 *     (homophones), full-width digits, GPS positions tens of metres off
 *     (a few hundreds: cell fixes), callers without a position (address
 *     only, written in their own way), late callers (minutes to tens of
 *     minutes), a compatible or a wrong category chosen by some callers,
 *     each caller describing the event in their own words around shared
 *     facts (the landmark, the vehicles, how many people).
 *
 * The rows are written to a CSV in the import format
 * (command/alert_import.h) with two more columns that the import keeps in
 * each alert's extra: event_id (the ground truth: reports of one real
 * event share it) and noise (the kinds of noise applied to that report,
 * separated by ';'). Reports are written event by event, not in time
 * order: the import sorts them. The same rng state and now_ms give the same
 * file.
 */
#ifndef FQ_DEMO_DEMO_ALERTS_H
#define FQ_DEMO_DEMO_ALERTS_H

#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "db/db.h"
#include "demo/demo.h"

/* The station the alerts belong to. */
#define FQ_DEMO_ALERTS_STATION "339902510000"

/*
 * How often each kind of noise touches a report (probabilities, 0 to 1).
 * The tag each leaves in the noise column is named after the member.
 */
struct fq_demo_alerts_noise {
	double phone_format;	/* numbers written otherwise than plain digits */
	double traditional;	/* descriptions with Traditional characters */
	double typo;		/* descriptions with a homophone typo */
	double full_width;	/* digits of descriptions typed full-width */
	double jitter;		/* positions with about 50 m rather than 20 m of error */
	double late;		/* other callers 8 to 30 minutes after the event */
	double own_words;	/* 110 reports in the caller's words, not the operator's summary */
	double no_position;	/* reports without coordinates (walk-ins never have any) */
	double coarse_fix;	/* positions 150 to 400 m off (cell fixes) */
	double address_variant; /* addresses written otherwise, or left out */
	double other_category;	/* other callers' reports classified otherwise */
	double walk_in;		/* reports made at the station: address only */
};

/*
 * Realistic intake (the default): phone formats 0.6, Traditional 0.22,
 * typos 0.1, full-width digits 0.15, jitter 0.2, late callers 0.1, own
 * words 0.5, no position 0.1, cell fixes 0.05, address variants 0.45,
 * another category 0.2 (a compatible one mostly), walk-ins 0.03.
 */
extern const struct fq_demo_alerts_noise fq_demo_noise_realistic;
/*
 * Only the noise issue 3 names: phone formats, Traditional, typos (and
 * full-width digits), GPS jitter, late callers, at the realistic rates;
 * every report located, at the canonical address, in the event's category.
 */
extern const struct fq_demo_alerts_noise fq_demo_noise_issue;

/*
 * Seed g for fq_demo_alerts from a small number (a command line's --seed):
 * nearby seeds give unrelated years (fq_rng_seed alone does not).
 */
void fq_demo_alerts_seed(struct fq_rng *g, uint64_t seed);

/*
 * Write the alerts of the 365 days before now_ms to csv_out_path, reading
 * the station's grids (with their boundaries) through c. Returns 0, or
 * FQ_ENOTFOUND when the station has no grids (run the demo first), FQ_EIO
 * when the file cannot be written, FQ_EDB from the store.
 */
int fq_demo_alerts(struct fq_dbc *c, struct fq_rng *g, int64_t now_ms, const char *csv_out_path,
		   struct fq_err *err) FQ_WUR;

/*
 * The demo's alerts end to end: fq_demo_alerts with a generator seeded from
 * seed, the CSV written to csv_path (kept, to look at), then imported
 * through the merge engine as `fengqiao import alerts` imports (audited as
 * "demo"), with the import's summary printed to out. Starts and stops the
 * merge engine: call it where no server runs in the process. The store
 * must hold the demo jurisdiction (fq_demo_build).
 */
int fq_demo_alerts_import(struct fq_db *db, uint64_t seed, int64_t now_ms, const char *csv_path,
			  FILE *out, struct fq_err *err) FQ_WUR;

/* The same with another noise profile. */
int fq_demo_alerts_noisy(struct fq_dbc *c, struct fq_rng *g, int64_t now_ms,
			 const char *csv_out_path, const struct fq_demo_alerts_noise *noise,
			 struct fq_err *err) FQ_WUR;

#endif
