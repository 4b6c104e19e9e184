/*
 * Grading of disputes (分级分类): an explainable risk score from facts
 * gathered at intake, and the grade it gives. docs/disputes.md lists the
 * weights, the word lists and the thresholds; this file is their one
 * implementation, and the unit tests check each against the document.
 *
 * Pure functions except fq_dispute_gather (which reads the store): no
 * global state, safe from any thread. Reasons are zh-CN sentences, each
 * ending with its points ("（+20分）").
 */
#ifndef FQ_CASES_DISPUTE_GRADE_H
#define FQ_CASES_DISPUTE_GRADE_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

enum fq_dispute_grade {
	FQ_DISPUTE_GENERAL, /* 一般: volunteers and mediators */
	FQ_DISPUTE_KEY,	    /* 重点: an assigned officer */
	FQ_DISPUTE_MAJOR,   /* 重大: a working group with other departments */
	FQ_DISPUTE_GRADE_COUNT
};

/* Score thresholds: general below KEY, key below MAJOR, major from MAJOR. */
#define FQ_DISPUTE_SCORE_KEY   25
#define FQ_DISPUTE_SCORE_MAJOR 50

/* The look-back window of repeat calls and earlier failed mediations. */
#define FQ_DISPUTE_HISTORY_DAYS 90

/* Ages (whole years at the time of the dispute) that make a party vulnerable. */
#define FQ_DISPUTE_ELDERLY_AGE 70
#define FQ_DISPUTE_ADULT_AGE   18

/* Threat levels found in a text. */
enum fq_dispute_threat {
	FQ_THREAT_NONE,
	FQ_THREAT_VIOLENCE, /* fighting, threats, damage, gathering to make trouble */
	FQ_THREAT_LIFE,	    /* weapons, killing, arson, self-harm */
};

/* The facts a grade is computed from. */
struct fq_dispute_risk {
	int64_t repeat_incidents; /* incidents with a party's phone in the window, not this one's */
	enum fq_dispute_threat threat;
	const char *threat_word; /* the word found (static), NULL when none */
	int64_t people_involved;
	int64_t amount_fen;
	int elderly;		   /* parties aged FQ_DISPUTE_ELDERLY_AGE or more */
	int minors;		   /* parties under FQ_DISPUTE_ADULT_AGE */
	int64_t failed_mediations; /* other disputes of the same parties that failed */
};

/* "general", "key", "major" and 一般, 重点, 重大; NULL when out of range. */
const char *fq_dispute_grade_code(enum fq_dispute_grade g);
const char *fq_dispute_grade_label(enum fq_dispute_grade g);
/* -1 when unknown or NULL. */
int fq_dispute_grade_from_code(const char *code);
/* Who handles a dispute of the grade (zh-CN sentence). */
const char *fq_dispute_grade_handling(enum fq_dispute_grade g);

/*
 * The worst threat in text, which must be normalised (fq_text_normalize:
 * Simplified, NFKC). *word (may be NULL) receives the first word of that
 * level found, a static string.
 */
enum fq_dispute_threat fq_dispute_threat_scan(const char *text, const char **word);

/* Whole years of age on the day at_ms (China Standard Time) of someone born y-m-d. */
int fq_dispute_age_years(int y, int m, int d, int64_t at_ms);

/* The grade of a score. */
enum fq_dispute_grade fq_dispute_grade_of_score(int64_t score);
/* The grade one level up (major stays major). */
enum fq_dispute_grade fq_dispute_grade_raise(enum fq_dispute_grade g);

/*
 * Score the facts: *score receives the points, *reasons (new reference) a
 * JSON array of sentences, one per factor that scored, then a last
 * sentence with the total and the grade. Returns the grade.
 */
enum fq_dispute_grade fq_dispute_grade_compute(const struct fq_dispute_risk *risk, int64_t *score,
					       json_t **reasons);

/* One party as grading sees it: normalised phone and ID number, or NULL. */
struct fq_dispute_party_key {
	const char *phone_norm;
	const char *id_number;
};

/*
 * Fill the store-derived facts of risk: repeat_incidents (distinct
 * incidents of alerts whose caller_phone_norm is a party's, received in
 * the FQ_DISPUTE_HISTORY_DAYS before at_ms, other than
 * exclude_incident_id) and failed_mediations (other disputes, not
 * exclude_dispute_id, in state failed, created in the window, with a
 * party of the same phone or ID number). Other members are left alone.
 */
int fq_dispute_gather(struct fq_dbc *c, const struct fq_dispute_party_key *parties, int nparties,
		      int64_t at_ms, const char *exclude_incident_id,
		      const char *exclude_dispute_id, struct fq_dispute_risk *risk,
		      struct fq_err *err) FQ_WUR;

#endif
