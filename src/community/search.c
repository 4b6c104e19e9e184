#include "community/search.h"

#include <string.h>

#include "core/alloc.h"
#include "core/text.h"
#include "core/banned.h"

/* Longest document column, in bytes (names, addresses and notes of one record). */
#define DOC_MAX (256u * 1024u)

int fq_search_is_ideograph(uint32_t cp)
{
	return (cp >= 0x3040 && cp <= 0x30ff) || /* kana */
	       (cp >= 0x3400 && cp <= 0x4dbf) || /* CJK extension A */
	       (cp >= 0x4e00 && cp <= 0x9fff) || /* CJK unified ideographs */
	       (cp >= 0xac00 && cp <= 0xd7af) || /* hangul syllables */
	       (cp >= 0xf900 && cp <= 0xfaff) || /* compatibility ideographs */
	       (cp >= 0x20000 && cp <= 0x3ffff); /* extensions B and later */
}

/* Decode one UTF-8 sequence at s (valid or not); its length in *n. */
static uint32_t decode(const unsigned char *s, size_t *n)
{
	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0 && s[1]) {
		*n = 2;
		return ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	}
	if ((s[0] & 0xf0) == 0xe0 && s[1] && s[2]) {
		*n = 3;
		return ((uint32_t)(s[0] & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) |
		       (s[2] & 0x3f);
	}
	if ((s[0] & 0xf8) == 0xf0 && s[1] && s[2] && s[3]) {
		*n = 4;
		return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
		       ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
	}
	*n = 1;
	return 0xfffd;
}

/*
 * The next unit of s from *pos: returns its length (its bytes at s + *start)
 * and sets *gap when a space came before it; 0 at the end.
 */
static size_t next_unit(const char *s, size_t *pos, size_t *start, int *gap)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = *pos, n;
	uint32_t cp;

	*gap = 0;
	while (u[i] == ' ' || u[i] == '\t' || u[i] == '\n' || u[i] == '\r') {
		*gap = 1;
		i++;
	}
	if (!u[i]) {
		*pos = i;
		return 0;
	}
	*start = i;
	cp = decode(u + i, &n);
	if (fq_search_is_ideograph(cp)) {
		*pos = i + n;
		return n;
	}
	/* A word: everything up to a space or an ideograph. */
	while (u[i] && u[i] != ' ' && u[i] != '\t' && u[i] != '\n' && u[i] != '\r') {
		cp = decode(u + i, &n);
		if (fq_search_is_ideograph(cp))
			break;
		i += n;
	}
	*pos = i;
	return i - *start;
}

int fq_search_units(const char *s, struct fq_buf *out)
{
	size_t pos = 0, start = 0, n;
	int gap, first = 1, rc = 0;

	while (!rc && (n = next_unit(s, &pos, &start, &gap)) > 0) {
		if (!first)
			rc = fq_buf_adds(out, gap ? " | " : " ");
		if (!rc)
			rc = fq_buf_add(out, s + start, n);
		first = 0;
	}
	return rc;
}

void fq_search_doc_init(struct fq_search_doc *d)
{
	fq_buf_init(&d->bi, DOC_MAX);
	fq_buf_init(&d->uni, DOC_MAX);
	fq_buf_init(&d->num, DOC_MAX);
	fq_buf_init(&d->scope, DOC_MAX);
}

void fq_search_doc_release(struct fq_search_doc *d)
{
	fq_buf_release(&d->bi);
	fq_buf_release(&d->uni);
	fq_buf_release(&d->num);
	fq_buf_release(&d->scope);
}

void fq_search_doc_reset(struct fq_search_doc *d)
{
	fq_buf_reset(&d->bi);
	fq_buf_reset(&d->uni);
	fq_buf_reset(&d->num);
	fq_buf_reset(&d->scope);
}

/* Append the scope token of the unit code s[0..n): "s" and the code, lower case. */
static int add_scope_token(struct fq_buf *b, const char *s, size_t n)
{
	int rc = b->len ? fq_buf_addch(b, ' ') : 0;
	if (!rc)
		rc = fq_buf_addch(b, 's');
	for (size_t i = 0; !rc && i < n; i++)
		rc = fq_buf_addch(b, s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i]);
	return rc;
}

int fq_search_doc_scope(struct fq_search_doc *d, const char *unit_path)
{
	const char *p = unit_path;
	int rc = 0;

	fq_buf_reset(&d->scope);
	while (!rc && p && *p) {
		const char *end;
		while (*p == '/')
			p++;
		end = strchr(p, '/');
		if (!end)
			end = p + strlen(p);
		if (end > p)
			rc = add_scope_token(&d->scope, p, (size_t)(end - p));
		p = end;
	}
	return rc;
}

int fq_search_scope_expr(const char *unit_path, struct fq_buf *out)
{
	size_t n = strlen(unit_path);
	const char *last;
	struct fq_buf tok;
	int rc;

	while (n && unit_path[n - 1] == '/')
		n--;
	last = unit_path + n;
	while (last > unit_path && last[-1] != '/')
		last--;
	fq_buf_init(&tok, 128);
	rc = add_scope_token(&tok, last, (size_t)(unit_path + n - last));
	if (!rc)
		rc = fq_buf_adds(out, " AND scope : \"");
	if (!rc)
		rc = fq_buf_add(out, tok.buf, tok.len);
	if (!rc)
		rc = fq_buf_addch(out, '"');
	fq_buf_release(&tok);
	return rc;
}

int fq_search_expr_single_units(const char *expr)
{
	return strstr(expr, "bi : ") == NULL;
}

static int add_token(struct fq_buf *b, const char *s, size_t n)
{
	int rc = b->len ? fq_buf_addch(b, ' ') : 0;
	return rc ? rc : fq_buf_add(b, s, n);
}

int fq_search_doc_norm(struct fq_search_doc *d, const char *norm)
{
	size_t pos = 0, start = 0, n, prev_start = 0, prev_n = 0;
	int gap, rc = 0;

	if (!norm || !*norm)
		return 0;
	if (d->bi.len)
		rc = add_token(&d->bi, FQ_SEARCH_FIELD_SEP, strlen(FQ_SEARCH_FIELD_SEP));
	while (!rc && (n = next_unit(norm, &pos, &start, &gap)) > 0) {
		rc = add_token(&d->uni, norm + start, n);
		if (!rc && prev_n && !gap) {
			rc = add_token(&d->bi, norm + prev_start, prev_n);
			if (!rc)
				rc = fq_buf_add(&d->bi, norm + start, n);
		}
		prev_start = start;
		prev_n = n;
	}
	return rc;
}

int fq_search_doc_text(struct fq_search_doc *d, const char *raw, struct fq_err *err)
{
	struct fq_buf norm;
	int rc;

	if (!raw || !*raw)
		return 0;
	fq_buf_init(&norm, DOC_MAX);
	rc = fq_text_normalize(raw, strlen(raw), &norm, err);
	if (!rc && (rc = fq_search_doc_norm(d, norm.buf)))
		fq_err_set(err, rc, "text_too_long", NULL, "检索文本过长");
	fq_buf_release(&norm);
	return rc;
}

int fq_search_doc_number(struct fq_search_doc *d, const char *number)
{
	size_t n;
	int rc;

	if (!number || !*number)
		return 0;
	if (*number == '+')
		number++;
	n = strlen(number);
	rc = add_token(&d->num, number, n);
	if (!rc && n > 4)
		rc = add_token(&d->num, number + n - 4, 4);
	return rc;
}

static int is_ascii_word(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* Append a quoted FTS5 string (quotes doubled). */
static int add_quoted(struct fq_buf *b, const char *s, size_t n)
{
	int rc = fq_buf_addch(b, '"');
	for (size_t i = 0; !rc && i < n; i++)
		rc = s[i] == '"' ? fq_buf_adds(b, "\"\"") : fq_buf_addch(b, s[i]);
	return rc ? rc : fq_buf_addch(b, '"');
}

struct unit_ref {
	size_t start, n;
};

/* The expression of one term: units u[0..count) of norm. */
static int term_expr(const char *norm, const struct unit_ref *u, size_t count, struct fq_buf *out)
{
	int rc;

	if (count == 1) {
		rc = fq_buf_adds(out, "(uni : ");
		if (!rc)
			rc = add_quoted(out, norm + u[0].start, u[0].n);
		if (!rc)
			rc = fq_buf_adds(out, " OR num : ");
		if (!rc)
			rc = add_quoted(out, norm + u[0].start, u[0].n);
		if (!rc && u[0].n >= 3 && is_ascii_word(norm + u[0].start, u[0].n))
			rc = fq_buf_adds(out, " *");
		return rc ? rc : fq_buf_addch(out, ')');
	}
	rc = fq_buf_adds(out, "bi : \"");
	for (size_t i = 1; !rc && i < count; i++) {
		if (i > 1)
			rc = fq_buf_addch(out, ' ');
		for (size_t k = i - 1; !rc && k <= i; k++)
			for (size_t j = 0; !rc && j < u[k].n; j++) {
				char ch = norm[u[k].start + j];
				rc = ch == '"' ? fq_buf_adds(out, "\"\"") : fq_buf_addch(out, ch);
			}
	}
	return rc ? rc : fq_buf_addch(out, '"');
}

int fq_search_match_expr(const char *q, struct fq_buf *out, struct fq_err *err)
{
	struct unit_ref units[FQ_SEARCH_QUERY_MAX];
	struct fq_buf norm;
	size_t pos = 0, start = 0, n, count = 0, terms = 0;
	int gap, rc;

	if (!q || strlen(q) > FQ_SEARCH_QUERY_MAX)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "q", "检索词不能超过 %u 字节",
				  FQ_SEARCH_QUERY_MAX);
	fq_buf_init(&norm, 4 * FQ_SEARCH_QUERY_MAX + 16);
	rc = fq_text_normalize(q, strlen(q), &norm, err);
	if (rc) {
		fq_err_set(err, FQ_EINVAL, "invalid_query", "q", "检索词无效");
		goto out;
	}
	for (;;) {
		n = next_unit(norm.buf, &pos, &start, &gap);
		if ((n == 0 || gap) && count) {
			if (++terms > FQ_SEARCH_TERMS_MAX) {
				rc = fq_err_set(err, FQ_EINVAL, "invalid_query", "q",
						"检索词最多 %d 段", FQ_SEARCH_TERMS_MAX);
				goto out;
			}
			if ((out->len && (rc = fq_buf_adds(out, " AND "))) ||
			    (rc = term_expr(norm.buf, units, count, out)))
				goto out_big;
			count = 0;
		}
		if (n == 0)
			break;
		fq_assert(count < FQ_SEARCH_QUERY_MAX);
		units[count].start = start;
		units[count].n = n;
		count++;
	}
	if (!terms)
		rc = fq_err_set(err, FQ_EINVAL, "invalid_query", "q", "检索词没有可检索的文字");
	goto out;
out_big:
	fq_err_set(err, rc, "invalid_query", "q", "检索词过长");
out:
	fq_buf_release(&norm);
	return rc;
}

const char *fq_search_table_name(enum fq_search_table table)
{
	switch (table) {
	case FQ_SEARCH_PERSON:
		return "person_fts";
	case FQ_SEARCH_HOUSE:
		return "house_fts";
	case FQ_SEARCH_ORGANISATION:
		return "organisation_fts";
	}
	return NULL;
}

int fq_search_put(struct fq_dbc *c, enum fq_search_table table, int64_t rowid,
		  const struct fq_search_doc *d, struct fq_err *err)
{
	static const char *const del[] = {
	    [FQ_SEARCH_PERSON] = "DELETE FROM person_fts WHERE rowid = ?",
	    [FQ_SEARCH_HOUSE] = "DELETE FROM house_fts WHERE rowid = ?",
	    [FQ_SEARCH_ORGANISATION] = "DELETE FROM organisation_fts WHERE rowid = ?",
	};
	static const char *const ins[] = {
	    [FQ_SEARCH_PERSON] =
		"INSERT INTO person_fts (rowid, bi, uni, num, scope) VALUES (?, ?, ?, ?, ?)",
	    [FQ_SEARCH_HOUSE] =
		"INSERT INTO house_fts (rowid, bi, uni, num, scope) VALUES (?, ?, ?, ?, ?)",
	    [FQ_SEARCH_ORGANISATION] =
		"INSERT INTO organisation_fts (rowid, bi, uni, num, scope) VALUES (?, ?, ?, ?, ?)",
	};
	int rc = fq_dbc_run(c, err, NULL, del[table], "i", rowid);

	return rc ? rc
		  : fq_dbc_run(c, err, NULL, ins[table], "itttt", rowid, d->bi.buf, d->uni.buf,
			       d->num.buf, d->scope.buf);
}

int fq_search_page(struct fq_dbc *c, enum fq_search_table table, const char *expr, int by_rank,
		   int64_t page, int64_t per_page, int64_t *total, int64_t *rowids, size_t *n,
		   struct fq_err *err)
{
	static const char *const count_sql[] = {
	    [FQ_SEARCH_PERSON] = "SELECT COUNT(*) FROM person_fts WHERE person_fts MATCH ?",
	    [FQ_SEARCH_HOUSE] = "SELECT COUNT(*) FROM house_fts WHERE house_fts MATCH ?",
	    [FQ_SEARCH_ORGANISATION] =
		"SELECT COUNT(*) FROM organisation_fts WHERE organisation_fts MATCH ?",
	};
	static const char *const rank_sql[] = {
	    [FQ_SEARCH_PERSON] = "SELECT rowid FROM person_fts WHERE person_fts MATCH ?"
				 " ORDER BY rank LIMIT ? OFFSET ?",
	    [FQ_SEARCH_HOUSE] = "SELECT rowid FROM house_fts WHERE house_fts MATCH ?"
				" ORDER BY rank LIMIT ? OFFSET ?",
	    [FQ_SEARCH_ORGANISATION] =
		"SELECT rowid FROM organisation_fts"
		" WHERE organisation_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?",
	};
	static const char *const newest_sql[] = {
	    [FQ_SEARCH_PERSON] = "SELECT rowid FROM person_fts WHERE person_fts MATCH ?"
				 " ORDER BY rowid DESC LIMIT ? OFFSET ?",
	    [FQ_SEARCH_HOUSE] = "SELECT rowid FROM house_fts WHERE house_fts MATCH ?"
				" ORDER BY rowid DESC LIMIT ? OFFSET ?",
	    [FQ_SEARCH_ORGANISATION] = "SELECT rowid FROM organisation_fts"
				       " WHERE organisation_fts MATCH ? ORDER BY rowid DESC"
				       " LIMIT ? OFFSET ?",
	};
	struct fq_stmt *st;
	int rc;

	*n = 0;
	*total = 0;
	if ((rc = fq_dbc_query(c, err, &st, count_sql[table], "t", expr)))
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		*total = fq_stmt_int(st, 0);
		rc = 0;
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	rc = fq_dbc_query(c, err, &st, by_rank ? rank_sql[table] : newest_sql[table], "tii", expr,
			  per_page, (page - 1) * per_page);
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW && *n < (size_t)per_page)
		rowids[(*n)++] = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}
