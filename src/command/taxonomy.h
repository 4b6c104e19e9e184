/*
 * The alert taxonomy: categories with their zh-CN labels, default
 * priorities and the "many callers, one event" (多人同报) defaults of the
 * merge engine, plus the rule saying which categories may be merged.
 *
 * The table is the code form of TAXONOMY.md; docs/taxonomy.md documents
 * it. Codes are stable once released: "top.sub", lower-case ASCII. The
 * table is static data: every function here is pure and thread-safe, and
 * the category pointers it hands out stay valid for the life of the
 * process, so callers may compare categories by pointer.
 */
#ifndef FQ_COMMAND_TAXONOMY_H
#define FQ_COMMAND_TAXONOMY_H

#include <stddef.h>
#include <stdint.h>

/* Longest category code, in bytes without the NUL. */
#define FQ_CATEGORY_CODE_MAX 32

/* Priorities: 1 immediate (1/3/5-minute circles), 2 urgent, 3 routine, 4 no dispatch. */
#define FQ_PRIORITY_IMMEDIATE 1
#define FQ_PRIORITY_URGENT    2
#define FQ_PRIORITY_ROUTINE   3
#define FQ_PRIORITY_NONE      4

/* How reports of a category find the other reports of the same event. */
enum fq_category_match {
	/* Different callers close in time and space: window_s and radius_m. */
	FQ_CATEGORY_MATCH_PLACE = 0,
	/*
	 * Only the same caller (same victim) within window_s: criminal.fraud,
	 * other.harassing. radius_m is 0.
	 */
	FQ_CATEGORY_MATCH_CALLER,
	/* Never merged (report.clue, other.invalid): window_s and radius_m are 0. */
	FQ_CATEGORY_MATCH_NONE,
};

/* The category names an event that may injure people (help.medical merges with it). */
#define FQ_CATEGORY_INJURY 0x1u

struct fq_category {
	const char *code;      /* "public_order.fight" */
	const char *label;     /* "打架斗殴" */
	const char *top;       /* top-level code, "public_order" */
	const char *top_label; /* "治安类" */
	int priority;	       /* default priority, FQ_PRIORITY_* */
	int64_t window_s;      /* merge window; 0 for "—" */
	double radius_m;       /* merge radius; 0 for "—" and for caller-matched categories */
	enum fq_category_match match;
	unsigned flags; /* FQ_CATEGORY_* */
};

/* Number of categories; fq_taxonomy_at(0 .. count-1) lists them in table order. */
size_t fq_taxonomy_count(void);

/* Category i in table order, NULL when i >= fq_taxonomy_count(). */
const struct fq_category *fq_taxonomy_at(size_t i);

/*
 * Position of cat in the table (0 .. count-1), or -1 when cat is NULL or not
 * a pointer handed out by this module. Lets callers keep per-category arrays.
 */
long fq_taxonomy_index(const struct fq_category *cat);

/* The category with exactly this code, or NULL (also for NULL). */
const struct fq_category *fq_taxonomy_find(const char *code);

/* zh-CN label of a top-level code ("traffic" -> "交通类"), or NULL when unknown. */
const char *fq_taxonomy_top_label(const char *top);

/*
 * Whether reports of categories a and b may belong to one event
 * (TAXONOMY.md, "Compatible categories for merging"). Symmetric. True for:
 *   - the same category;
 *   - two public_order.* categories, and two fire.* categories;
 *   - traffic.accident with traffic.hit_and_run or dispute.traffic;
 *   - help.medical with a category flagged FQ_CATEGORY_INJURY:
 *     criminal.robbery, criminal.assault, public_order.fight,
 *     public_order.provocation, traffic.accident, traffic.hit_and_run,
 *     fire.fire and fire.gas_leak.
 * False otherwise and when either is NULL. Compatibility says nothing
 * about whether a category merges at all: see enum fq_category_match.
 */
int fq_taxonomy_compatible(const struct fq_category *a, const struct fq_category *b);

/*
 * The category of a call of the Montgomery County (PA) 911 feed from its
 * title, "AGENCY: DESCRIPTION" such as "EMS: VEHICLE ACCIDENT",
 * "Traffic: VEHICLE ACCIDENT -" or "Fire: GAS-ODOR/LEAK" (letters compared
 * without case, a trailing " -" ignored). Description keywords decide
 * first, so that the calls of several agencies about one event land in
 * compatible categories:
 *   VEHICLE ACCIDENT                              traffic.accident
 *   ASSAULT                                       criminal.assault
 *   GAS-ODOR, LEAK, CARBON MONOXIDE, HAZARDOUS
 *   MATERIALS                                     fire.gas_leak
 *   DISABLED VEHICLE, ROAD OBSTRUCTION, HAZARDOUS
 *   ROAD, DEBRIS                                  traffic.congestion
 *   TRANSFERRED CALL                              other.other
 *   SPECIAL SERVICE, FIRE POLICE, RESCUE          help.other
 *   FIRE (any other fire, fire alarms included)   fire.fire
 *   CARDIAC, VICTIM                               help.medical
 * then the agency: EMS help.medical, Fire help.other, Traffic
 * traffic.congestion. Returns NULL for NULL or a title without one of these
 * three agencies.
 */
const struct fq_category *fq_taxonomy_from_montco(const char *title);

#endif
