#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "db/db.h"
#include "http/audit.h"
#include "unit/fq_test.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define T0	  1795436958000LL /* 2026-11-23T12:29:18Z */

static int setup(void **state)
{
	struct fq_test_store *f = fq_test_store_new("audit");

	if (!f)
		return -1;
	*state = f;
	fq_test_unit(f->c, "330600", "330600", "city", NULL);
	fq_test_unit(f->c, "330681", "330681", "branch", "330600");
	fq_test_unit(f->c, "330681510000", "330681510000", "station", "330681");
	fq_test_unit(f->c, "33068", "33068", "branch", "330600");
	return 0;
}

/* The five entries most tests start from; entry n is at T0 + n s. */
static const struct fq_audit_entry sample[5] = {
    {.user_id = "u-wang",
     .username = "wang.xm",
     .role = "chief",
     .unit_code = "330681510000",
     .action = "user.create",
     .object_type = "user",
     .object_id = "u-1",
     .client = "127.0.0.1",
     .outcome = "ok",
     .detail = "{\"display_name\":\"王小明\"}"},
    {.user_id = "u-li",
     .username = "li.hua",
     .role = "admin",
     .unit_code = "330681",
     .action = "user.update",
     .object_type = "user",
     .object_id = "u-1",
     .client = "10.0.0.2",
     .outcome = "ok",
     .detail = "{\"roles\":[\"chief\"]}"},
    {.user_id = "u-zhao",
     .username = "zhao.lei",
     .role = "admin",
     .unit_code = "33068",
     .action = "user.create",
     .object_type = "user",
     .object_id = "u-2",
     .client = "10.0.0.3",
     .outcome = "ok"},
    {.action = "system.start", .client = "cli", .outcome = "ok"},
    {.username = "wang.xm",
     .unit_code = "330681510000",
     .action = "session.login",
     .client = "127.0.0.1",
     .outcome = "failed",
     .reason = "密码错误"},
};

static void append_sample(struct fq_dbc *c)
{
	struct fq_err err = FQ_ERR_INIT;

	fq_test_begin(c);
	for (int i = 0; i < 5; i++) {
		int64_t seq = 0;
		if (fq_audit_append(c, &sample[i], T0 + (i + 1) * 1000, &seq, &err) != 0)
			fail_msg("append %d: %s", i + 1, err.message);
		assert_int_equal(seq, i + 1);
	}
	fq_test_commit(c);
}

static void drop_triggers(struct fq_dbc *c)
{
	struct fq_err err = FQ_ERR_INIT;

	assert_int_equal(fq_dbc_exec_script(c,
					    "DROP TRIGGER audit_entry_no_update;"
					    " DROP TRIGGER audit_entry_no_delete;",
					    &err),
			 0);
}

static void tamper(struct fq_dbc *c, const char *sql)
{
	struct fq_err err = FQ_ERR_INIT;

	drop_triggers(c);
	if (fq_dbc_exec_script(c, sql, &err) != 0)
		fail_msg("%s: %s", sql, err.message);
}

static void expect_intact(struct fq_db *db, int64_t entries)
{
	struct fq_audit_report rep;
	struct fq_err err = FQ_ERR_INIT;
	int rc = fq_audit_verify(db, 0, NULL, &rep, &err);

	if (rc != 0)
		fail_msg("verify: %d, first_bad %lld: %s", rc, (long long)rep.first_bad,
			 rep.problem);
	assert_int_equal(rep.entries, entries);
	assert_int_equal(rep.first_bad, 0);
	assert_string_equal(rep.problem, "");
}

static void expect_tampered(struct fq_db *db, int64_t first_bad, const char *problem_part)
{
	struct fq_audit_report rep;
	struct fq_err err = FQ_ERR_INIT;

	assert_int_equal(fq_audit_verify(db, 0, NULL, &rep, &err), FQ_ECONFLICT);
	if (rep.first_bad != first_bad)
		fail_msg("first_bad %lld, want %lld (%s)", (long long)rep.first_bad,
			 (long long)first_bad, rep.problem);
	if (!strstr(rep.problem, problem_part))
		fail_msg("problem \"%s\" does not say \"%s\"", rep.problem, problem_part);
}

static const char *column(struct fq_dbc *c, const char *col, int64_t seq, char *buf, size_t n)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_stmt *st;
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT %s FROM audit_entry WHERE seq = ?", col);
	assert_int_equal(fq_dbc_query(c, &err, &st, sql, "i", seq), 0);
	assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
	snprintf(buf, n, "%s", fq_stmt_text(st, 0) ? fq_stmt_text(st, 0) : "(null)");
	fq_stmt_done(st);
	return buf;
}

static void test_append_requires_transaction(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	int64_t seq = -1;

	assert_int_equal(fq_audit_append(f->c, &sample[0], T0, &seq, &err), FQ_EINTERNAL);
	assert_int_equal(seq, -1);
	expect_intact(f->db, 0);
}

static void test_append_and_verify(void **state)
{
	struct fq_test_store *f = *state;
	char a[80], b[80];

	expect_intact(f->db, 0);
	append_sample(f->c);
	expect_intact(f->db, 5);

	assert_string_equal(column(f->c, "prev_hash", 1, a, sizeof(a)), ZERO_HASH);
	assert_int_equal(strlen(column(f->c, "hash", 1, a, sizeof(a))), 64);
	assert_int_equal(strspn(a, "0123456789abcdef"), 64);
	for (int64_t seq = 2; seq <= 5; seq++)
		assert_string_equal(column(f->c, "prev_hash", seq, a, sizeof(a)),
				    column(f->c, "hash", seq - 1, b, sizeof(b)));
	assert_string_equal(column(f->c, "outcome", 5, a, sizeof(a)), "failed");
	assert_string_equal(column(f->c, "at", 3, a, sizeof(a)), "1795436961000");
}

/* The hash of one entry computed here from its documented form (docs/internals.md, "Audit"). */
static void expect_hash(const char *prev, const char *seq_at, const struct fq_audit_entry *e,
			const char *stored)
{
	const char *fields[] = {prev,	      seq_at,	 e->user_id,	 e->username,  e->role,
				e->unit_code, e->action, e->object_type, e->object_id, e->client,
				e->outcome,   e->reason, e->detail};
	crypto_hash_sha256_state s;
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[65], len[32];

	crypto_hash_sha256_init(&s);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!fields[i]) {
			crypto_hash_sha256_update(&s, (const unsigned char *)"N;", 2);
			continue;
		}
		snprintf(len, sizeof(len), "%zu:", strlen(fields[i]));
		crypto_hash_sha256_update(&s, (const unsigned char *)len, strlen(len));
		crypto_hash_sha256_update(&s, (const unsigned char *)fields[i], strlen(fields[i]));
	}
	crypto_hash_sha256_final(&s, h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	assert_string_equal(stored, hex);
}

static void test_hash_form(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_audit_entry e = sample[0];
	char a[80], b[80], seq_at[64];

	append_sample(f->c);
	for (int64_t seq = 1; seq <= 5; seq++) {
		snprintf(seq_at, sizeof(seq_at), "%lld/%lld", (long long)seq,
			 (long long)(T0 + seq * 1000));
		expect_hash(column(f->c, "prev_hash", seq, a, sizeof(a)), seq_at, &sample[seq - 1],
			    column(f->c, "hash", seq, b, sizeof(b)));
	}
	/* Times before 1970 and a ten-digit sequence take the same form. */
	fq_test_begin(f->c);
	assert_int_equal(fq_audit_append(f->c, &e, -86400000, NULL, &err), 0);
	fq_test_commit(f->c);
	expect_hash(column(f->c, "hash", 5, a, sizeof(a)), "6/-86400000", &e,
		    column(f->c, "hash", 6, b, sizeof(b)));
	e.detail = "";
	assert_int_equal(
	    fq_dbc_exec_script(f->c,
			       "INSERT INTO audit_entry (seq, at, action, outcome, prev_hash,"
			       " hash) VALUES (1234567889, 0, 'x', 'ok', '" ZERO_HASH
			       "', '" ZERO_HASH "')",
			       &err),
	    0);
	fq_test_begin(f->c);
	assert_int_equal(fq_audit_append(f->c, &e, 0, NULL, &err), 0);
	fq_test_commit(f->c);
	expect_hash(ZERO_HASH, "1234567890/0", &e, column(f->c, "hash", 1234567890, b, sizeof(b)));
}

static void test_same_content_different_hash(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	char a[80], b[80];

	fq_test_begin(f->c);
	assert_int_equal(fq_audit_append(f->c, &sample[3], T0, NULL, &err), 0);
	assert_int_equal(fq_audit_append(f->c, &sample[3], T0, NULL, &err), 0);
	fq_test_commit(f->c);
	/* Chained: the same entry twice hashes differently. */
	assert_string_not_equal(column(f->c, "hash", 1, a, sizeof(a)),
				column(f->c, "hash", 2, b, sizeof(b)));
	expect_intact(f->db, 2);
}

static void test_append_tx(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	int64_t seq = 0;
	int64_t before = fq_now_ms();
	char a[80];

	assert_int_equal(fq_audit_append_tx(f->db, &sample[0], &seq, &err), 0);
	assert_int_equal(seq, 1);
	assert_int_equal(fq_audit_append_tx(f->db, &sample[1], &seq, &err), 0);
	assert_int_equal(seq, 2);
	assert_false(fq_dbc_in_transaction(f->c));
	assert_true(strtoll(column(f->c, "at", 2, a, sizeof(a)), NULL, 10) >= before);
	expect_intact(f->db, 2);
}

static void test_rollback_leaves_no_gap(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	int64_t seq = 0;

	fq_test_begin(f->c);
	assert_int_equal(fq_audit_append(f->c, &sample[0], T0, &seq, &err), 0);
	assert_int_equal(seq, 1);
	fq_dbc_rollback(f->c);
	assert_int_equal(fq_audit_append_tx(f->db, &sample[1], &seq, &err), 0);
	assert_int_equal(seq, 1);
	expect_intact(f->db, 1);
}

static void test_optional_fields_null(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_audit_entry e = {.action = "system.start", .outcome = "ok"};
	/* An empty string and NULL must not hash alike. */
	struct fq_audit_entry empty = {.user_id = "", .action = "system.start", .outcome = "ok"};
	char a[80], b[80];

	fq_test_begin(f->c);
	assert_int_equal(fq_audit_append(f->c, &e, T0, NULL, &err), 0);
	fq_test_commit(f->c);
	expect_intact(f->db, 1);
	assert_string_equal(column(f->c, "user_id", 1, a, sizeof(a)), "(null)");

	/* Rebuild entry 1 with "" for NULL in another store: a different hash. */
	{
		struct fq_test_store g;
		memcpy(g.dir, f->dir, sizeof(g.dir));
		assert_int_equal(fq_test_store_attach(&g, "other.db"), 0);
		fq_test_begin(g.c);
		assert_int_equal(fq_audit_append(g.c, &empty, T0, NULL, &err), 0);
		fq_test_commit(g.c);
		assert_string_not_equal(column(f->c, "hash", 1, a, sizeof(a)),
					column(g.c, "hash", 1, b, sizeof(b)));
		fq_test_store_close(&g);
	}
}

/* The header lets outcome be NULL ("ok" is stored); the chain must still verify. */
static void test_default_outcome_verifies(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_audit_entry e = {.username = "wang.xm", .action = "user.read"};
	char a[80];

	fq_test_begin(f->c);
	assert_int_equal(fq_audit_append(f->c, &e, T0, NULL, &err), 0);
	fq_test_commit(f->c);
	assert_string_equal(column(f->c, "outcome", 1, a, sizeof(a)), "ok");
	expect_intact(f->db, 1);
}

static void test_triggers_block_changes(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	char a[80];

	append_sample(f->c);
	assert_int_equal(fq_dbc_run(f->c, &err, NULL,
				    "UPDATE audit_entry SET action = ? WHERE seq = ?", "ti", "x",
				    (int64_t)2),
			 FQ_ECONFLICT);
	assert_int_equal(
	    fq_dbc_run(f->c, &err, NULL, "DELETE FROM audit_entry WHERE seq = ?", "i", (int64_t)5),
	    FQ_ECONFLICT);
	assert_string_equal(column(f->c, "action", 2, a, sizeof(a)), "user.update");
	expect_intact(f->db, 5);
}

static void test_tamper_field(void **state)
{
	struct fq_test_store *f = *state;

	append_sample(f->c);
	tamper(f->c, "UPDATE audit_entry SET action = 'user.read' WHERE seq = 3");
	expect_tampered(f->db, 3, "altered");
}

static void test_tamper_time(void **state)
{
	struct fq_test_store *f = *state;

	append_sample(f->c);
	tamper(f->c, "UPDATE audit_entry SET at = at + 1 WHERE seq = 2");
	expect_tampered(f->db, 2, "altered");
}

static void test_tamper_null_field(void **state)
{
	struct fq_test_store *f = *state;

	append_sample(f->c);
	tamper(f->c, "UPDATE audit_entry SET reason = '' WHERE seq = 4");
	expect_tampered(f->db, 4, "altered");
}

static void test_tamper_last_hash(void **state)
{
	struct fq_test_store *f = *state;

	append_sample(f->c);
	tamper(f->c, "UPDATE audit_entry SET hash = '" ZERO_HASH "' WHERE seq = 5");
	expect_tampered(f->db, 5, "altered");
}

static void test_tamper_delete_middle(void **state)
{
	struct fq_test_store *f = *state;

	append_sample(f->c);
	tamper(f->c, "DELETE FROM audit_entry WHERE seq = 3");
	expect_tampered(f->db, 4, "entry 3 missing");
}

static void test_tamper_delete_first(void **state)
{
	struct fq_test_store *f = *state;

	append_sample(f->c);
	tamper(f->c, "DELETE FROM audit_entry WHERE seq = 1");
	expect_tampered(f->db, 2, "entry 1 missing");
}

static void test_tamper_swap(void **state)
{
	struct fq_test_store *f = *state;

	append_sample(f->c);
	tamper(f->c, "UPDATE audit_entry SET seq = -2 WHERE seq = 2;"
		     "UPDATE audit_entry SET seq = 2 WHERE seq = 3;"
		     "UPDATE audit_entry SET seq = 3 WHERE seq = -2;");
	expect_tampered(f->db, 2, "chain broken");
}

static void test_tamper_appended_forgery(void **state)
{
	struct fq_test_store *f = *state;

	append_sample(f->c);
	tamper(f->c, "INSERT INTO audit_entry (seq, at, action, outcome, prev_hash, hash)"
		     " VALUES (6, 1, 'user.create', 'ok', '" ZERO_HASH "', '" ZERO_HASH "')");
	expect_tampered(f->db, 6, "chain broken");
}

/*
 * An edit that recomputes the entry's own hash (the forger knows the
 * algorithm) still breaks the link to the next entry.
 */
static void test_tamper_rehashed_entry(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_test_store g;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_audit_entry forged = sample[2];
	char hash[80], sql[256];

	append_sample(f->c);
	/* The same chain up to entry 2, then entry 3 with another object, elsewhere. */
	memcpy(g.dir, f->dir, sizeof(g.dir));
	assert_int_equal(fq_test_store_attach(&g, "forge.db"), 0);
	forged.object_id = "u-9";
	fq_test_begin(g.c);
	assert_int_equal(fq_audit_append(g.c, &sample[0], T0 + 1000, NULL, &err), 0);
	assert_int_equal(fq_audit_append(g.c, &sample[1], T0 + 2000, NULL, &err), 0);
	assert_int_equal(fq_audit_append(g.c, &forged, T0 + 3000, NULL, &err), 0);
	fq_test_commit(g.c);
	column(g.c, "hash", 3, hash, sizeof(hash));
	fq_test_store_close(&g);

	snprintf(sql, sizeof(sql),
		 "UPDATE audit_entry SET object_id = 'u-9', hash = '%s' WHERE seq = 3", hash);
	tamper(f->c, sql);
	expect_tampered(f->db, 4, "chain broken");
}

struct listing {
	char seqs[128];
	int64_t total;
};

static void list(struct fq_dbc *c, const struct fq_audit_query *q, struct listing *out)
{
	struct fq_err err = FQ_ERR_INIT;
	json_t *j, *it;
	size_t i;

	if (fq_audit_list(c, q, &j, &err) != 0)
		fail_msg("list: %s", err.message);
	out->seqs[0] = '\0';
	json_array_foreach(json_object_get(j, "items"), i, it)
	{
		size_t n = strlen(out->seqs);
		snprintf(out->seqs + n, sizeof(out->seqs) - n, "%s%lld", n ? "," : "",
			 (long long)json_integer_value(json_object_get(it, "seq")));
	}
	out->total = json_integer_value(json_object_get(j, "total"));
	assert_int_equal(json_integer_value(json_object_get(j, "page")), q->page);
	assert_int_equal(json_integer_value(json_object_get(j, "per_page")), q->per_page);
	json_decref(j);
}

static void test_list_filters_and_scope(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_audit_query q = {.scope_path = "/330600/", .page = 1, .per_page = 20};
	struct listing l;

	append_sample(f->c);
	list(f->c, &q, &l);
	assert_string_equal(l.seqs, "5,4,3,2,1");
	assert_int_equal(l.total, 5);

	/* Scope: actors of units in the subtree, and system entries (no unit). */
	q.scope_path = "/330600/330681/";
	list(f->c, &q, &l);
	assert_string_equal(l.seqs, "5,4,2,1");
	assert_int_equal(l.total, 4);
	q.scope_path = "/330600/33068/";
	list(f->c, &q, &l);
	assert_string_equal(l.seqs, "4,3");
	q.scope_path = "/330600/330681/330681510000/";
	list(f->c, &q, &l);
	assert_string_equal(l.seqs, "5,4,1");

	q = (struct fq_audit_query){
	    .scope_path = "/330600/", .username = "wang.xm", .page = 1, .per_page = 20};
	list(f->c, &q, &l);
	assert_string_equal(l.seqs, "5,1");
	assert_int_equal(l.total, 2);

	q = (struct fq_audit_query){.scope_path = "/330600/",
				    .object_type = "user",
				    .object_id = "u-1",
				    .page = 1,
				    .per_page = 20};
	list(f->c, &q, &l);
	assert_string_equal(l.seqs, "2,1");

	q = (struct fq_audit_query){
	    .scope_path = "/330600/", .action = "user.create", .page = 1, .per_page = 20};
	list(f->c, &q, &l);
	assert_string_equal(l.seqs, "3,1");
	q.scope_path = "/330600/330681/";
	list(f->c, &q, &l);
	assert_string_equal(l.seqs, "1");
	assert_int_equal(l.total, 1);

	/* Time window: from inclusive, to exclusive. */
	q = (struct fq_audit_query){.scope_path = "/330600/",
				    .from_ms = T0 + 2000,
				    .to_ms = T0 + 4000,
				    .page = 1,
				    .per_page = 20};
	list(f->c, &q, &l);
	assert_string_equal(l.seqs, "3,2");
	q.to_ms = 0;
	list(f->c, &q, &l);
	assert_string_equal(l.seqs, "5,4,3,2");
	q.from_ms = 0;
	q.to_ms = T0 + 2000;
	list(f->c, &q, &l);
	assert_string_equal(l.seqs, "1");
}

static void test_list_pages(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_audit_query q = {.scope_path = "/330600/", .page = 2, .per_page = 2};
	struct listing l;

	append_sample(f->c);
	list(f->c, &q, &l);
	assert_string_equal(l.seqs, "3,2");
	assert_int_equal(l.total, 5);
	q.page = 3;
	list(f->c, &q, &l);
	assert_string_equal(l.seqs, "1");
	q.page = 4;
	list(f->c, &q, &l);
	assert_string_equal(l.seqs, "");
	assert_int_equal(l.total, 5);
}

static void test_list_entry_json(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_audit_query q = {
	    .scope_path = "/330600/", .object_id = "u-1", .page = 1, .per_page = 1};
	struct fq_err err = FQ_ERR_INIT;
	char at[FQ_RFC3339_MAX], hash[80];
	json_t *j, *e, *detail;

	append_sample(f->c);
	assert_int_equal(fq_audit_list(f->c, &q, &j, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
	e = json_array_get(json_object_get(j, "items"), 0);
	assert_int_equal(json_integer_value(json_object_get(e, "seq")), 2);
	fq_time_format_cst(T0 + 2000, at);
	assert_string_equal(json_string_value(json_object_get(e, "at")), at);
	assert_string_equal(json_string_value(json_object_get(e, "at")),
			    "2026-11-23T20:29:20.000+08:00");
	assert_string_equal(json_string_value(json_object_get(e, "user_id")), "u-li");
	assert_string_equal(json_string_value(json_object_get(e, "username")), "li.hua");
	assert_string_equal(json_string_value(json_object_get(e, "role")), "admin");
	assert_string_equal(json_string_value(json_object_get(e, "unit")), "330681");
	assert_string_equal(json_string_value(json_object_get(e, "action")), "user.update");
	assert_string_equal(json_string_value(json_object_get(e, "object_type")), "user");
	assert_string_equal(json_string_value(json_object_get(e, "object_id")), "u-1");
	assert_string_equal(json_string_value(json_object_get(e, "client")), "10.0.0.2");
	assert_string_equal(json_string_value(json_object_get(e, "outcome")), "ok");
	assert_true(json_is_null(json_object_get(e, "reason")));
	detail = json_object_get(e, "detail");
	assert_true(json_is_object(detail));
	assert_string_equal(json_string_value(json_array_get(json_object_get(detail, "roles"), 0)),
			    "chief");
	assert_string_equal(json_string_value(json_object_get(e, "hash")),
			    column(f->c, "hash", 2, hash, sizeof(hash)));
	json_decref(j);

	/* A system entry: nulls, not empty strings. */
	q = (struct fq_audit_query){
	    .scope_path = "/330600/", .action = "system.start", .page = 1, .per_page = 5};
	assert_int_equal(fq_audit_list(f->c, &q, &j, &err), 0);
	e = json_array_get(json_object_get(j, "items"), 0);
	assert_true(json_is_null(json_object_get(e, "user_id")));
	assert_true(json_is_null(json_object_get(e, "username")));
	assert_true(json_is_null(json_object_get(e, "unit")));
	assert_true(json_is_null(json_object_get(e, "detail")));
	assert_string_equal(json_string_value(json_object_get(e, "client")), "cli");
	json_decref(j);
}

static void test_anchor_detects_cut_tail(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_audit_report rep;
	struct fq_err err = FQ_ERR_INIT;
	char head[65], wrong[65];
	int64_t seq;

	append_sample(f->c);
	assert_int_equal(fq_audit_head(f->db, &seq, head, &err), 0);
	assert_int_equal(seq, 5);
	assert_int_equal(strlen(head), 64);
	/* The head as an anchor verifies; a wrong hash for it does not. */
	assert_int_equal(fq_audit_verify(f->db, 5, head, &rep, &err), 0);
	assert_string_equal(rep.head_hash, head);
	memcpy(wrong, head, 65);
	wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
	assert_int_equal(fq_audit_verify(f->db, 5, wrong, &rep, &err), FQ_ECONFLICT);
	assert_int_equal(rep.first_bad, 5);
	/* Cutting off the newest two entries leaves a valid chain, but not the anchor. */
	tamper(f->c, "DELETE FROM audit_entry WHERE seq >= 4");
	expect_intact(f->db, 3);
	assert_int_equal(fq_audit_verify(f->db, 5, head, &rep, &err), FQ_ECONFLICT);
	assert_int_equal(rep.first_bad, 4);
	assert_non_null(strstr(rep.problem, "missing"));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, fq_test_store_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_append_requires_transaction),
	    T(test_append_and_verify),
	    T(test_hash_form),
	    T(test_same_content_different_hash),
	    T(test_append_tx),
	    T(test_rollback_leaves_no_gap),
	    T(test_optional_fields_null),
	    T(test_default_outcome_verifies),
	    T(test_triggers_block_changes),
	    T(test_tamper_field),
	    T(test_tamper_time),
	    T(test_tamper_null_field),
	    T(test_tamper_last_hash),
	    T(test_tamper_delete_middle),
	    T(test_tamper_delete_first),
	    T(test_tamper_swap),
	    T(test_tamper_appended_forgery),
	    T(test_tamper_rehashed_entry),
	    T(test_anchor_detects_cut_tail),
	    T(test_list_filters_and_scope),
	    T(test_list_pages),
	    T(test_list_entry_json),
	};
#undef T

	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
