/*
 * Search of the community registries that works for Chinese.
 *
 * Chinese has no spaces between words, and people search by two-character
 * words ("张伟"), by part of an address ("桃园路12号"), in Traditional or
 * Simplified script, and by the tail of a phone or ID number. The index
 * therefore works on characters, not words:
 *
 *   units    normalised text (fq_text_normalize: NFKC, case folded,
 *            Traditional -> Simplified, punctuation -> space) is cut into
 *            units: each ideograph (Han, kana, hangul) is one unit, each run
 *            of other letters and digits is one unit ("12", "b"), and spaces
 *            separate runs of units.
 *   bi       the overlapping bigrams of the units of each run, in order
 *            ("桃园路12号" -> "桃园 园路 路12 12号"); fields are separated by
 *            a token that normalised text cannot hold ("§"), so that no
 *            phrase spans two fields.
 *   uni      every unit once per occurrence, for one-unit queries ("王").
 *   num      digit strings given whole and by their last four characters
 *            (phone numbers, ID numbers), so "5678" finds 138****5678.
 *   scope    "s" and the code of each unit of the record's unit path, so
 *            that "in the user's scope" is one more term of the match and
 *            counts come from the index alone.
 *
 * A query is normalised the same way and cut into terms at spaces; a term
 * of two or more units must appear as the phrase of its bigrams in bi; a
 * term of one unit must be a unit (uni) or a number token (num; a prefix
 * match for three or more ASCII characters). Terms are ANDed.
 *
 * The index lives in SQLite FTS5 tables (migration 0005) with the ascii
 * tokenizer: every token above is a run of non-ASCII characters or ASCII
 * letters and digits, so FTS5 keeps it as one token. Records are indexed by
 * their rowid; the store functions of person.c, house.c and org.c keep the
 * index in step in the same transaction as the record.
 *
 * Pure functions (units, documents, match expressions) are thread-safe.
 */
#ifndef FQ_COMMUNITY_SEARCH_H
#define FQ_COMMUNITY_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

/* Longest query accepted, in bytes, and the most terms in one query. */
#define FQ_SEARCH_QUERY_MAX 200
#define FQ_SEARCH_TERMS_MAX 8
/* Separator token between the fields of a document (not in normalised text). */
#define FQ_SEARCH_FIELD_SEP "\xc2\xa7"

enum fq_search_table { FQ_SEARCH_PERSON, FQ_SEARCH_HOUSE, FQ_SEARCH_ORGANISATION };

/* Whether code point cp is an ideograph unit (CJK ideographs, kana, hangul). */
int fq_search_is_ideograph(uint32_t cp);

/*
 * Append the units of normalised text s to out, separated by one space,
 * with "|" between runs (where s had a space): "东风路 12号" ->
 * "东 风 路 | 12 号". For tests and documentation of the cut.
 */
int fq_search_units(const char *s, struct fq_buf *out) FQ_WUR;

/* A document to index: the four columns. */
struct fq_search_doc {
	struct fq_buf bi, uni, num, scope;
};
void fq_search_doc_init(struct fq_search_doc *d);
void fq_search_doc_release(struct fq_search_doc *d);
void fq_search_doc_reset(struct fq_search_doc *d);
/* Add a field of raw text (normalised here); NULL or "" adds nothing. */
int fq_search_doc_text(struct fq_search_doc *d, const char *raw, struct fq_err *err) FQ_WUR;
/* Add a field already normalised. */
int fq_search_doc_norm(struct fq_search_doc *d, const char *norm) FQ_WUR;
/* Add a number (digits and letters as stored: "13812345678"): whole and its last four. */
int fq_search_doc_number(struct fq_search_doc *d, const char *number) FQ_WUR;

/*
 * Set the scope of the document: one token per unit of unit_path
 * ("/339900/339902/" -> "s339900 s339902"), so that a match can require a
 * unit and everything below it (fq_search_scope_expr).
 */
int fq_search_doc_scope(struct fq_search_doc *d, const char *unit_path) FQ_WUR;

/*
 * Append " AND scope : \"s<unit>\"" to out, unit being the last unit of
 * unit_path: the records in that unit or below.
 */
int fq_search_scope_expr(const char *unit_path, struct fq_buf *out) FQ_WUR;

/*
 * Whether the match expression expr (from fq_search_match_expr) holds only
 * one-unit terms, which relevance cannot tell apart: callers then order by
 * registration instead of by rank.
 */
int fq_search_expr_single_units(const char *expr);

/*
 * The FTS5 MATCH expression for the user's query q (raw text) into out.
 * FQ_EINVAL ("invalid_query", field "q") when q is longer than
 * FQ_SEARCH_QUERY_MAX, not UTF-8, has no unit after normalisation, or more
 * than FQ_SEARCH_TERMS_MAX terms.
 */
int fq_search_match_expr(const char *q, struct fq_buf *out, struct fq_err *err) FQ_WUR;

/*
 * Replace the index entry of record rowid in table with d (delete, then
 * insert). Call inside the record's write transaction.
 */
int fq_search_put(struct fq_dbc *c, enum fq_search_table table, int64_t rowid,
		  const struct fq_search_doc *d, struct fq_err *err) FQ_WUR;

/*
 * One page of the records matching expr (scope included) from the index
 * alone: *total the number of matches, rowids[0..*n) the page's records
 * (rowids has room for per_page), ordered by relevance (bm25), or newest
 * first when by_rank is 0.
 */
int fq_search_page(struct fq_dbc *c, enum fq_search_table table, const char *expr, int by_rank,
		   int64_t page, int64_t per_page, int64_t *total, int64_t *rowids, size_t *n,
		   struct fq_err *err) FQ_WUR;

/* The FTS5 table name of table (static text: "person_fts", ...). */
const char *fq_search_table_name(enum fq_search_table table);

#endif
