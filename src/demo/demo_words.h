/*
 * Internal to src/demo: the words of the demo alerts (demo_words.c) for the
 * generator (demo_alerts.c). The categories with the shape of their calls,
 * how callers and 110 operators describe an event, and the noise that
 * touches the text (Traditional characters, typos, full-width digits).
 */
#ifndef FQ_DEMO_DEMO_WORDS_H
#define FQ_DEMO_DEMO_WORDS_H

#include <stddef.h>

#include "core/buf.h"
#include "demo/demo.h"
#include "demo/demo_alerts.h"

/* Hours of the day when calls of a category come (profiles in demo_alerts.c). */
enum fq__demo_hours {
	DEMO_H_DAY,
	DEMO_H_RUSH,
	DEMO_H_EVENING,
	DEMO_H_NIGHT,
	DEMO_H_PREDAWN,
	DEMO_H_FLAT,
	DEMO_H_COUNT
};

/* How many people see an event and may call: 1 mostly, up to 4 in the street. */
enum fq__demo_publicness { DEMO_PRIVATE, DEMO_SEMI, DEMO_PUBLIC };

enum fq__demo_place_kind {
	DEMO_PK_HOME,
	DEMO_PK_SHOP,
	DEMO_PK_MARKET,
	DEMO_PK_CROSSING,
	DEMO_PK_SCHOOL,
	DEMO_PK_FACTORY,
	DEMO_PK_SQUARE,
	DEMO_PK_BAR,
	DEMO_PK_KTV,
	DEMO_PK_FIELD,
	DEMO_PK_ANY
};

struct fq__demo_category {
	const char *code;
	double weight; /* share of the background events */
	enum fq__demo_hours hours;
	enum fq__demo_publicness pub;
	enum fq__demo_place_kind place; /* where it mostly happens */
	double callback;		/* chance that the first caller calls again */
	const char *alt[2];		/* categories some other callers choose instead */
	const char *wrong;		/* an unrelated one a few choose */
	/* How people put it: {L} the place, {P} people, {V} {W} vehicles, {D} detail, {X} item. */
	const char *cores[5];
	const char *details[5];
	const char *items[5];
};

/* Capacity for per-category arrays: at least fq__demo_category_count. */
#define FQ__DEMO_CATEGORY_MAX 48

extern const struct fq__demo_category fq__demo_categories[];
extern const size_t fq__demo_category_count;

/* The category of this code; NULL when the generator has none. */
const struct fq__demo_category *fq__demo_category_find(const char *code);

/* The facts of an event that every report of it may mention. */
struct fq__demo_facts {
	const struct fq__demo_category *cat;
	const char *landmark;  /* 夜色酒吧, 溪东小区3幢 */
	const char *road_name; /* 人民路 */
	int home;	       /* the place is a home ("我家楼下") */
	size_t people, vehicle1, vehicle2, detail, item;
};

/* Draw the facts' people, vehicles, detail and item. */
void fq__demo_draw_facts(struct fq_rng *g, struct fq__demo_facts *f);

/*
 * The description of one report into out: the summary a 110 operator
 * types (by_operator: a stock opening and the category's usual phrase) or
 * the caller's own words (any phrasing, with openings and closings);
 * callback: the same caller calling again.
 */
void fq__demo_describe(struct fq_rng *g, const struct fq__demo_facts *f, int callback,
		       int by_operator, struct fq_buf *out);

/* Traditional characters, a typo, full-width digits, as noise says; tags name what was done. */
void fq__demo_text_noise(struct fq_rng *g, const struct fq_demo_alerts_noise *noise,
			 struct fq_buf *text, struct fq_buf *tags);

/* ASCII digits of b as full-width ones (１２３); whether there were any. */
int fq__demo_full_width_digits(struct fq_buf *b);

/* Append a tag to a ';'-separated list. */
void fq__demo_tag(struct fq_buf *tags, const char *tag);

#endif
