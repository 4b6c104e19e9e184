#include "http/audit.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "db/row_json.h"
#include "core/banned.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* v in decimal at out (room for 20 digits); returns the length. */
static size_t decimal(char *out, uint64_t v)
{
	char rev[20];
	size_t n = 0;

	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	return n;
}

/* A field as "LENGTH:VALUE", NULL as "N;": no two lists of fields hash alike. */
static void hash_bytes(crypto_hash_sha256_state *s, const char *v, size_t len)
{
	char prefix[24];
	size_t n = decimal(prefix, len);

	prefix[n++] = ':';
	crypto_hash_sha256_update(s, (const unsigned char *)prefix, n);
	crypto_hash_sha256_update(s, (const unsigned char *)v, len);
}

static void hash_field(crypto_hash_sha256_state *s, const char *v)
{
	if (!v) {
		crypto_hash_sha256_update(s, (const unsigned char *)"N;", 2);
		return;
	}
	hash_bytes(s, v, strlen(v));
}

static void compute_hash(int64_t seq, int64_t at, const struct fq_audit_entry *e,
			 const char *prev_hash, char out[65])
{
	crypto_hash_sha256_state s;
	unsigned char h[crypto_hash_sha256_BYTES];
	char num[48];
	size_t n;

	crypto_hash_sha256_init(&s);
	hash_field(&s, prev_hash);
	/* "SEQ/AT" in decimal, as printf's "%lld/%lld" writes it. */
	if (seq >= 0 && at >= 0) {
		n = decimal(num, (uint64_t)seq);
		num[n++] = '/';
		n += decimal(num + n, (uint64_t)at);
	} else {
		n = (size_t)snprintf(num, sizeof(num), "%lld/%lld", (long long)seq, (long long)at);
	}
	hash_bytes(&s, num, n);
	hash_field(&s, e->user_id);
	hash_field(&s, e->username);
	hash_field(&s, e->role);
	hash_field(&s, e->unit_code);
	hash_field(&s, e->action);
	hash_field(&s, e->object_type);
	hash_field(&s, e->object_id);
	hash_field(&s, e->client);
	hash_field(&s, e->outcome);
	hash_field(&s, e->reason);
	hash_field(&s, e->detail);
	crypto_hash_sha256_final(&s, h);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

int fq_audit_append(struct fq_dbc *c, const struct fq_audit_entry *e, int64_t at_ms,
		    int64_t *seq_out, struct fq_err *err)
{
	struct fq_stmt *st;
	char prev[65] = ZERO_HASH;
	char hash[65];
	struct fq_audit_entry row = *e;
	int64_t seq = 1;
	int rc;

	/* What is stored is what is hashed. */
	if (!row.outcome)
		row.outcome = "ok";
	if (!fq_dbc_in_transaction(c))
		return fq_err_set(err, FQ_EINTERNAL, "internal", NULL,
				  "internal: audit append outside a transaction");
	rc = fq_dbc_query(c, err, &st,
			  "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1", "");
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		const char *h = fq_stmt_text(st, 1);
		seq = fq_stmt_int(st, 0) + 1;
		if (h && strlen(h) == 64)
			memcpy(prev, h, 65);
	}
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	compute_hash(seq, at_ms, &row, prev, hash);
	rc = fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO audit_entry (seq, at, user_id, username, role, unit_code, action,"
	    " object_type, object_id, client, outcome, reason, detail, prev_hash, hash)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "iittttttttttttt", seq, at_ms, e->user_id, e->username, e->role, e->unit_code,
	    e->action, e->object_type, e->object_id, e->client, e->outcome ? e->outcome : "ok",
	    e->reason, e->detail, prev, hash);
	if (!rc && seq_out)
		*seq_out = seq;
	return rc;
}

int fq_audit_append_tx(struct fq_db *db, const struct fq_audit_entry *e, int64_t *seq_out,
		       struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	int rc = fq_dbc_begin(c, 1, err);
	if (!rc)
		rc = fq_audit_append(c, e, fq_now_ms(), seq_out, err);
	if (!rc)
		rc = fq_dbc_commit(c, err);
	else
		fq_dbc_rollback(c);
	fq_db_release(db, c);
	return rc;
}

int fq_audit_head(struct fq_db *db, int64_t *seq, char hash[65], struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1", "");

	*seq = 0;
	hash[0] = '\0';
	if (!rc) {
		rc = fq_stmt_step(st, err);
		if (rc == FQ_DB_ROW) {
			*seq = fq_stmt_int(st, 0);
			snprintf(hash, 65, "%s", fq_stmt_text(st, 1));
		}
		rc = rc < 0 ? rc : 0;
		fq_stmt_done(st);
	}
	fq_db_release(db, c);
	return rc;
}

int fq_audit_verify(struct fq_db *db, int64_t anchor_seq, const char *anchor_hash,
		    struct fq_audit_report *rep, struct fq_err *err)
{
	int anchor_seen = 0;
	struct fq_dbc *c = fq_db_acquire(db);
	struct fq_stmt *st;
	char prev[65] = ZERO_HASH;
	char want[65];
	int64_t expect_seq = 1;
	int rc;

	memset(rep, 0, sizeof(*rep));
	rc = fq_dbc_begin(c, 0, err);
	if (rc)
		goto out;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT seq, at, user_id, username, role, unit_code, action, object_type,"
			  " object_id, client, outcome, reason, detail, prev_hash, hash"
			  " FROM audit_entry ORDER BY seq",
			  "");
	if (rc)
		goto out_rollback;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		struct fq_audit_entry e = {
		    .user_id = fq_stmt_text(st, 2),
		    .username = fq_stmt_text(st, 3),
		    .role = fq_stmt_text(st, 4),
		    .unit_code = fq_stmt_text(st, 5),
		    .action = fq_stmt_text(st, 6),
		    .object_type = fq_stmt_text(st, 7),
		    .object_id = fq_stmt_text(st, 8),
		    .client = fq_stmt_text(st, 9),
		    .outcome = fq_stmt_text(st, 10),
		    .reason = fq_stmt_text(st, 11),
		    .detail = fq_stmt_text(st, 12),
		};
		int64_t seq = fq_stmt_int(st, 0);
		const char *stored_prev = fq_stmt_text(st, 13);
		const char *stored_hash = fq_stmt_text(st, 14);

		rep->entries++;
		if (seq != expect_seq) {
			rep->first_bad = seq;
			snprintf(rep->problem, sizeof(rep->problem),
				 "entry %lld missing (found %lld next)", (long long)expect_seq,
				 (long long)seq);
			break;
		}
		if (!stored_prev || strcmp(stored_prev, prev) != 0) {
			rep->first_bad = seq;
			snprintf(rep->problem, sizeof(rep->problem),
				 "entry %lld does not follow entry %lld (chain broken)",
				 (long long)seq, (long long)seq - 1);
			break;
		}
		compute_hash(seq, fq_stmt_int(st, 1), &e, prev, want);
		if (!stored_hash || strcmp(stored_hash, want) != 0) {
			rep->first_bad = seq;
			snprintf(rep->problem, sizeof(rep->problem),
				 "entry %lld was altered (hash mismatch)", (long long)seq);
			break;
		}
		if (anchor_seq && seq == anchor_seq) {
			anchor_seen = 1;
			if (!anchor_hash || strcmp(anchor_hash, stored_hash) != 0) {
				rep->first_bad = seq;
				snprintf(rep->problem, sizeof(rep->problem),
					 "entry %lld differs from the anchor", (long long)seq);
				break;
			}
		}
		memcpy(prev, stored_hash, 65);
		memcpy(rep->head_hash, stored_hash, 65);
		expect_seq++;
	}
	fq_stmt_done(st);
	if (rc < 0)
		goto out_rollback;
	if (!rep->first_bad && anchor_seq && !anchor_seen) {
		rep->first_bad = expect_seq;
		snprintf(rep->problem, sizeof(rep->problem),
			 "entries from %lld on are missing (the anchor names entry %lld)",
			 (long long)expect_seq, (long long)anchor_seq);
	}
	rc = rep->first_bad ? FQ_ECONFLICT : 0;
out_rollback:
	fq_dbc_rollback(c);
out:
	fq_db_release(db, c);
	return rc;
}

static json_t *entry_json(struct fq_stmt *st)
{
	char at[FQ_RFC3339_MAX];
	json_t *j = json_object();
	static const char *const cols[] = {NULL,	NULL,	  "user_id", "username",
					   "role",	"unit",	  "action",  "object_type",
					   "object_id", "client", "outcome", "reason"};

	json_object_set_new(j, "seq", json_integer(fq_stmt_int(st, 0)));
	fq_time_format_cst(fq_stmt_int(st, 1), at);
	json_object_set_new(j, "at", json_string(at));
	for (int i = 2; i < 12; i++) {
		const char *v = fq_stmt_text(st, i);
		json_object_set_new(j, cols[i], v ? json_string(v) : json_null());
	}
	{
		const char *d = fq_stmt_text(st, 12);
		json_t *dj = d ? json_loads(d, 0, NULL) : NULL;
		json_object_set_new(j, "detail", dj ? dj : json_null());
	}
	json_object_set_new(j, "hash", json_string(fq_stmt_text(st, 13)));
	return j;
}

int fq_audit_list(struct fq_dbc *c, const struct fq_audit_query *q, json_t **out,
		  struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *items;
	int64_t total = 0;
	int rc;

	*out = NULL;
	if ((rc = fq_dbc_count(c, err, &total,
			       "SELECT COUNT(*) FROM audit_entry"
			       " WHERE (? IS NULL OR username = ?)"
			       " AND (? IS NULL OR object_type = ?)"
			       " AND (? IS NULL OR object_id = ?)"
			       " AND (? IS NULL OR action = ?)"
			       " AND (? = 0 OR at >= ?) AND (? = 0 OR at < ?)"
			       " AND (unit_code IS NULL OR unit_code IN (SELECT code FROM unit"
			       " WHERE substr(path, 1, length(?)) = ?))",
			       "ttttttttiiiitt", q->username, q->username, q->object_type,
			       q->object_type, q->object_id, q->object_id, q->action, q->action,
			       q->from_ms, q->from_ms, q->to_ms, q->to_ms, q->scope_path,
			       q->scope_path)))
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT seq, at, user_id, username, role, unit_code, action, object_type,"
			  " object_id, client, outcome, reason, detail, hash FROM audit_entry"
			  " WHERE (? IS NULL OR username = ?)"
			  " AND (? IS NULL OR object_type = ?)"
			  " AND (? IS NULL OR object_id = ?)"
			  " AND (? IS NULL OR action = ?)"
			  " AND (? = 0 OR at >= ?) AND (? = 0 OR at < ?)"
			  " AND (unit_code IS NULL OR unit_code IN (SELECT code FROM unit"
			  " WHERE substr(path, 1, length(?)) = ?))"
			  " ORDER BY seq DESC LIMIT ? OFFSET ?",
			  "ttttttttiiiittii", q->username, q->username, q->object_type,
			  q->object_type, q->object_id, q->object_id, q->action, q->action,
			  q->from_ms, q->from_ms, q->to_ms, q->to_ms, q->scope_path, q->scope_path,
			  q->per_page, (q->page - 1) * q->per_page);
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, entry_json(st));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, q->page, q->per_page);
	return 0;
}
