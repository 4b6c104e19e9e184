#include "command/alert_import.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "command/alert.h"
#include "command/taxonomy.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/pool.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "io/csv_in.h"
#include "org/numbers.h"
#include "core/banned.h"

/* ---- columns ---- */

enum column {
	COL_EXTRA = 0, /* an unknown column: kept in extra under its header name */
	COL_RECEIVED_AT,
	COL_CALLER_PHONE,
	COL_LAT,
	COL_LON,
	COL_ADDRESS,
	COL_CATEGORY,
	COL_DESCRIPTION,
	COL_CALLER_NAME,
	COL_SOURCE,
	COL_PRIORITY,
	COL_UNIT,
	COL_TITLE, /* Montgomery */
	COL_COUNT
};

static const struct fq_csv_column import_columns[] = {
    {COL_RECEIVED_AT, "received_at", "接警时间", 1},
    {COL_CALLER_PHONE, "caller_phone", "报警电话", 1},
    {COL_LAT, "lat", "纬度", 1},
    {COL_LON, "lon", "经度", 1},
    {COL_ADDRESS, "address", "地址", 1},
    {COL_CATEGORY, "category", "类别", 1},
    {COL_DESCRIPTION, "description", "警情描述", 1},
    {COL_CALLER_NAME, "caller_name", "报警人", 0},
    {COL_SOURCE, "source", "来源", 0},
    {COL_PRIORITY, "priority", "优先级", 0},
    {COL_UNIT, "unit", "派出所", 0},
};

static const struct fq_csv_column montco_columns[] = {
    {COL_LAT, "lat", NULL, 1},	       {COL_LON, "lon", NULL, 1},
    {COL_TITLE, "title", NULL, 1},     {COL_RECEIVED_AT, "received_at", NULL, 1},
    {COL_ADDRESS, "address", NULL, 0},
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the header ---- */

static int read_header(struct fq_csv_reader *r, int montco, struct fq_csv_header *h,
		       struct fq_err *err)
{
	return montco ? fq_csv_read_header(r, montco_columns, ARRAY_LEN(montco_columns), h, err)
		      : fq_csv_read_header(r, import_columns, ARRAY_LEN(import_columns), h, err);
}

/* ---- one row as the API's JSON ---- */

/* Days of the week: 0 for Sunday. */
static int weekday(int64_t days)
{
	return (int)(((days % 7) + 11) % 7);
}

/* Day of month of the n-th Sunday (n >= 1) of a month. */
static unsigned nth_sunday(int64_t y, unsigned m, int n)
{
	int w = weekday(fq_days_from_civil(y, m, 1));
	return (unsigned)(1 + (7 - w) % 7 + 7 * (n - 1));
}

/* UTC offset of New York local time (US rules since 2007), in hours. */
static int new_york_offset_h(int y, unsigned m, unsigned d, int h)
{
	unsigned start = nth_sunday(y, 3, 2), end = nth_sunday(y, 11, 1);

	if (m < 3 || m > 11 || (m == 3 && (d < start || (d == start && h < 2))) ||
	    (m == 11 && (d > end || (d == end && h >= 2))))
		return -5;
	return -4;
}

static const char *category_code(const char *s)
{
	for (size_t i = 0; i < fq_taxonomy_count(); i++)
		if (strcmp(fq_taxonomy_at(i)->label, s) == 0)
			return fq_taxonomy_at(i)->code;
	return s;
}

/* A source code, or its zh-CN label compared without spaces. */
static const char *source_code(const char *s)
{
	for (int i = 0; i < FQ_ALERT_SOURCE_COUNT; i++) {
		const char *label = fq_alert_source_label(i), *a = s;
		if (strcmp(fq_alert_source_code(i), s) == 0)
			return s;
		while (*a && *label) {
			if (*a == ' ' || *label == ' ') {
				a += *a == ' ';
				label += *label == ' ';
				continue;
			}
			if (*a != *label)
				break;
			a++;
			label++;
		}
		while (*a == ' ')
			a++;
		while (*label == ' ')
			label++;
		if (!*a && !*label)
			return fq_alert_source_code(i);
	}
	return s;
}

/* A number for lat, lon or priority, or the text itself for the API to refuse. */
static json_t *number_or_text(const char *s, int integer)
{
	char *end;

	errno = 0;
	if (integer) {
		long long v = strtoll(s, &end, 10);
		if (!*end && end != s && errno == 0)
			return json_integer(v);
	} else {
		double d = strtod(s, &end);
		if (!*end && end != s && isfinite(d))
			return json_real(d);
	}
	return json_string(s);
}

/* The part of a Montgomery title after "AGENCY: ", without a trailing " -". */
static const char *montco_description(struct fq_pool *pool, const char *title)
{
	const char *colon = strchr(title, ':');
	const char *s = colon ? colon + 1 : title;
	size_t n;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '-'))
		n--;
	return fq_pool_strndup(pool, s, n);
}

static void set_str(json_t *o, const char *key, const char *s)
{
	json_t *v = json_string(s);
	/* Input was checked to be UTF-8 without NUL: jansson cannot refuse it. */
	fq_assert(v != NULL);
	json_object_set_new(o, key, v);
}

/*
 * The API's JSON body for a record, or an error naming the column for
 * what only a CSV can get wrong (the count of fields, a NUL byte, a field
 * over FQ_IMPORT_FIELD_MAX).
 */
static int row_json(const struct fq_csv_header *h, const struct fq_csv_record *rec, int montco,
		    struct fq_pool *pool, json_t **out, struct fq_err *err)
{
	json_t *o, *loc = NULL, *extra = json_object();
	int have_source = 0;

	*out = NULL;
	if (fq_csv_check_record(h, rec, err)) {
		json_decref(extra);
		return err ? err->code : FQ_EINVAL;
	}
	o = json_object();
	for (size_t i = 0; i < h->count; i++) {
		const char *v = fq_csv_field(rec, i);
		if (!*v)
			continue;
		switch (h->col[i]) {
		case COL_RECEIVED_AT:
			set_str(o, "received_at",
				fq_csv_local_time(pool, v, montco ? new_york_offset_h : NULL));
			break;
		case COL_CALLER_PHONE:
			set_str(o, "caller_phone", v);
			break;
		case COL_LAT:
		case COL_LON:
			if (!loc) {
				loc = json_object();
				json_object_set_new(o, "location", loc);
			}
			json_object_set_new(loc, h->col[i] == COL_LAT ? "lat" : "lon",
					    number_or_text(v, 0));
			break;
		case COL_ADDRESS:
			set_str(o, "address", v);
			break;
		case COL_CATEGORY:
			set_str(o, "category", category_code(v));
			break;
		case COL_DESCRIPTION:
			set_str(o, "description", v);
			break;
		case COL_CALLER_NAME:
			set_str(o, "caller_name", v);
			break;
		case COL_SOURCE:
			set_str(o, "source", source_code(v));
			have_source = 1;
			break;
		case COL_PRIORITY:
			json_object_set_new(o, "priority", number_or_text(v, 1));
			break;
		case COL_UNIT:
			set_str(o, "unit", v);
			break;
		case COL_TITLE: {
			const struct fq_category *cat = fq_taxonomy_from_montco(v);
			set_str(o, "category", cat ? cat->code : v);
			set_str(o, "description", montco_description(pool, v));
			set_str(extra, "title", v);
			break;
		}
		default:
			set_str(extra, h->name[i], v);
			break;
		}
	}
	if (!have_source)
		set_str(o, "source", montco ? "phone_110" : "other");
	if (json_object_size(extra))
		json_object_set_new(o, "extra", extra);
	else
		json_decref(extra);
	*out = o;
	return 0;
}

/* ---- stations ---- */

struct station {
	char unit[FQ_UNIT_CODE_MAX]; /* as the row names it ("" for the default) */
	char code[FQ_UNIT_CODE_MAX];
	char path[FQ_UNIT_PATH_MAX];
	int rc; /* 0, or the error the unit gives */
	struct fq_err err;
};

struct stations {
	struct station *v;
	size_t count, alloc;
	const char *fallback; /* --unit, or the only station, or NULL */
	char only[FQ_UNIT_CODE_MAX];
	size_t station_count;
};

/* Most distinct unit values remembered; a file naming more is refused row by row. */
#define IMPORT_UNITS_MAX 4096

/*
 * The station the unit names, as the API finds it for a user whose scope is
 * the whole tree the unit belongs to (the command line acts for the
 * administrator of the store).
 */
static int station_lookup(struct fq_dbc *c, const struct fq_alert_in *in, const char *fallback,
			  struct station *st, struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX], *end;
	int rc = fq_unit_path(c, in->unit ? in->unit : fallback, path, err);

	if (rc == FQ_ENOTFOUND)
		return fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit", "单位不存在：%s",
				  in->unit ? in->unit : fallback);
	if (rc)
		return rc;
	/* The root of the tree: "/339900/" of "/339900/339902/339902510000/". */
	end = strchr(path + 1, '/');
	if (end)
		end[1] = '\0';
	return fq_alert_station(c, in, fallback, path, st->code, st->path, err);
}

static int stations_init(struct stations *s, struct fq_dbc *c, const char *unit, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc;

	memset(s, 0, sizeof(*s));
	s->fallback = unit;
	if (unit) {
		struct fq_alert_in none = {0};
		struct station found;
		if ((rc = station_lookup(c, &none, unit, &found, err)) == 0)
			return 0;
		return rc == FQ_EINVAL && err ? fq_err_set(err, FQ_EINVAL, "unknown_unit", "--unit",
							   "--unit %s 不是派出所或其下的单位", unit)
					      : rc;
	}
	rc = fq_dbc_query(c, err, &st, "SELECT code FROM unit WHERE kind = 'station' ORDER BY code",
			  "");
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		rc = 0;
		if (s->station_count++ == 0)
			snprintf(s->only, sizeof(s->only), "%s", fq_stmt_text(st, 0));
	}
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	if (s->station_count == 1)
		s->fallback = s->only;
	return 0;
}

static void stations_release(struct stations *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* The station of an alert: its unit column, else --unit, else the only one. */
static int station_of(struct stations *s, struct fq_dbc *c, const struct fq_alert_in *in,
		      const struct station **out, struct fq_err *err)
{
	const char *want = in->unit ? in->unit : "";
	struct station *st;

	/* Unit codes are short ASCII: a longer value names no unit (and would not fit the key). */
	if (strlen(want) >= sizeof(st->unit))
		return fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit", "单位不存在：%s", want);
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->v[i].unit, want) == 0) {
			st = &s->v[i];
			goto found;
		}
	if (!in->unit && !s->fallback)
		return s->station_count
			   ? fq_err_set(err, FQ_EINVAL, "missing_field", "unit",
					"库中有 %zu 个派出所：请用 --unit 或 unit（派出所）列指明"
					"受理的派出所",
					s->station_count)
			   : fq_err_set(err, FQ_EINVAL, "missing_field", "unit",
					"库中还没有派出所：先用 fengqiao unit add 建立单位");
	if (s->count == IMPORT_UNITS_MAX)
		return fq_err_set(err, FQ_ETOOBIG, "too_many_units", "unit",
				  "文件中的单位超过 %d 个", IMPORT_UNITS_MAX);
	if (s->count == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 8;
		s->v = fq_xrealloc(s->v, s->alloc * sizeof(*s->v));
	}
	st = &s->v[s->count++];
	memset(st, 0, sizeof(*st));
	snprintf(st->unit, sizeof(st->unit), "%s", want);
	st->rc = station_lookup(c, in, s->fallback, st, &st->err);
found:
	*out = st;
	if (st->rc && err)
		*err = st->err;
	return st->rc;
}

/* ---- the import ---- */

struct row_ref {
	int64_t received_at;
	size_t start, end;
	unsigned long line;
};

static int by_time(const void *a, const void *b)
{
	const struct row_ref *x = a, *y = b;
	if (x->received_at != y->received_at)
		return x->received_at < y->received_at ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

struct import {
	struct fq_dbc *c;
	const struct fq_alert_import_options *opt;
	struct fq_alert_import_summary *sum;
	const char *data;
	size_t len;
	struct fq_csv_header header;
	struct stations stations;
	struct row_ref *rows;
	size_t nrows, rows_alloc;
	struct fq_pool pool;
	FILE *errors;
	/* The open batch, and its counts until it commits. */
	struct fq_alert_import_summary pending;
	size_t batch_count;
	char batch_first[FQ_NUMBER_MAX], batch_last[FQ_NUMBER_MAX];
	const char *file_name;
};

/*
 * Read, convert and validate one record. The alert lands in *in, whose
 * strings live in imp->pool and in *body (json_decref it when done with
 * in, also on failure).
 */
static int load_row(struct import *imp, const struct fq_csv_record *rec, json_t **body,
		    struct fq_alert_in *in, const struct station **station, struct fq_err *err)
{
	int rc = row_json(&imp->header, rec, imp->opt->montco, &imp->pool, body, err);

	if (!rc)
		rc = fq_alert_parse(*body, 0, &imp->pool, in, err);
	if (!rc)
		rc = station_of(&imp->stations, imp->c, in, station, err);
	return rc;
}

static void report_row(struct import *imp, unsigned long line, const struct fq_err *e)
{
	fprintf(imp->errors, "line %lu: %s: %s\n", line, e->field[0] ? e->field : "row",
		e->message);
}

/* Pass 1: every row is checked; the good ones are remembered with their time. */
static int validate(struct import *imp, struct fq_err *err)
{
	struct fq_csv_reader r;
	int rc;

	fq_csv_reader_init(&r, imp->data, imp->len, 1);
	if ((rc = read_header(&r, imp->opt->montco, &imp->header, err)))
		goto out;
	while ((rc = fq_csv_next(&r)) == 1) {
		struct fq_err row_err = FQ_ERR_INIT;
		const struct station *station;
		struct fq_alert_in in;
		json_t *body = NULL;

		if (++imp->sum->rows > FQ_IMPORT_ROWS_MAX) {
			rc = fq_err_set(err, FQ_ETOOBIG, "too_many_rows", "file",
					"文件超过 %u 行数据", FQ_IMPORT_ROWS_MAX);
			goto out;
		}
		if (load_row(imp, &r.rec, &body, &in, &station, &row_err)) {
			report_row(imp, r.rec.line, &row_err);
			imp->sum->bad_rows++;
		} else {
			if (imp->nrows == imp->rows_alloc) {
				imp->rows_alloc = imp->rows_alloc ? imp->rows_alloc * 2 : 1024;
				imp->rows =
				    fq_xrealloc(imp->rows, imp->rows_alloc * sizeof(*imp->rows));
			}
			imp->rows[imp->nrows++] = (struct row_ref){.received_at = in.received_at,
								   .start = r.rec.start,
								   .end = r.rec.end,
								   .line = r.rec.line};
		}
		json_decref(body);
		fq_pool_release(&imp->pool);
	}
	rc = 0;
	if (imp->sum->bad_rows)
		rc = fq_err_set(err, FQ_EINVAL, "bad_rows", "file",
				"%zu 行数据有错误（共 %zu 行）：未导入任何数据", imp->sum->bad_rows,
				imp->sum->rows);
	else if (imp->nrows == 0)
		rc = fq_err_set(err, FQ_EINVAL, "no_rows", "file", "文件中没有数据行");
out:
	fq_csv_reader_release(&r);
	return rc;
}

static void add_counts(struct fq_alert_import_summary *to,
		       const struct fq_alert_import_summary *from)
{
	to->alerts += from->alerts;
	to->incidents += from->incidents;
	to->merged += from->merged;
	to->suggested += from->suggested;
	to->fresh += from->fresh;
	to->kind_repeat_caller += from->kind_repeat_caller;
	to->kind_same_event += from->kind_same_event;
	to->merged_repeat_caller += from->merged_repeat_caller;
	to->merged_same_event += from->merged_same_event;
	to->flag_repeat_caller += from->flag_repeat_caller;
	to->flag_repeat_place += from->flag_repeat_place;
	to->directives_proposed += from->directives_proposed;
}

/* Audit and commit the open batch (a dry run audits and keeps it open, to roll back). */
static int end_batch(struct import *imp, struct fq_err *err)
{
	struct fq_alert_import_batch b = {.count = imp->batch_count,
					  .file = imp->file_name,
					  .first_number = imp->batch_first,
					  .last_number = imp->batch_last};
	int rc;

	if (!imp->batch_count)
		return 0;
	rc = fq_number_batch_flush(err);
	if (!rc)
		rc = imp->opt->audit(imp->c, &b, imp->opt->audit_arg, err);
	if (!rc && !imp->opt->dry_run && !(rc = fq_dbc_commit(imp->c, err)))
		imp->sum->batches++;
	if (!rc)
		add_counts(imp->sum, &imp->pending);
	memset(&imp->pending, 0, sizeof(imp->pending));
	imp->batch_count = 0;
	return rc;
}

static void count_decision(struct fq_alert_import_summary *s, const struct fq_merge_result *m,
			   const struct fq_alert_stored *st)
{
	int merged = strcmp(st->decision, "merged") == 0;

	s->alerts++;
	s->incidents += st->new_incident;
	if (merged)
		s->merged++;
	else if (strcmp(st->decision, "suggested") == 0)
		s->suggested++;
	else
		s->fresh++;
	if (st->kind && strcmp(st->kind, "repeat_caller") == 0) {
		s->kind_repeat_caller++;
		s->merged_repeat_caller += merged;
	} else if (st->kind && strcmp(st->kind, "same_event") == 0) {
		s->kind_same_event++;
		s->merged_same_event += merged;
	}
	s->flag_repeat_caller += m->repeat_caller != 0;
	s->flag_repeat_place += m->repeat_place != 0;
	s->directives_proposed += m->propose_directive != 0;
}

static const char decisions_header[] =
    "line\talert_number\treceived_at\tcategory\tincident_id\tdecision\tkind\tscore\t"
    "candidates\trepeat_caller\trepeat_place\textra\n";

static void write_decision(FILE *f, unsigned long line, const struct fq_alert_in *in,
			   const struct fq_merge_result *m, const struct fq_alert_stored *st)
{
	char at[FQ_RFC3339_MAX];

	fq_time_format_cst(in->received_at, at);
	fprintf(f, "%lu\t%s\t%s\t%s\t%s\t%s\t%s\t", line, st->alert_number, at, in->category->code,
		st->incident_id, st->decision, st->kind ? st->kind : "");
	if (m->candidate_count)
		fprintf(f, "%.4f", m->candidates[0].score);
	fputc('\t', f);
	for (unsigned i = 0; i < m->candidate_count && i < 3; i++)
		fprintf(f, "%s%s", i ? "," : "", m->candidates[i].incident_id);
	fprintf(f, "\t%d\t%d\t%s\n", m->repeat_caller != 0, m->repeat_place != 0,
		in->extra ? in->extra : "{}");
}

/* One row through the intake, as POST /api/v1/alerts takes it, inside the open batch. */
static int import_row(struct import *imp, const struct row_ref *ref, struct fq_err *err)
{
	const struct station *station;
	struct fq_merge_result m;
	struct fq_alert_stored stored;
	struct fq_alert_in in;
	struct fq_csv_reader r;
	json_t *body = NULL;
	int rc;

	fq_csv_reader_init(&r, imp->data + ref->start, ref->end - ref->start, ref->line);
	fq_assert(fq_csv_next(&r) == 1); /* read before */
	rc = load_row(imp, &r.rec, &body, &in, &station, err);
	fq_csv_reader_release(&r);
	if (rc) /* passed before: only the store can fail now */
		goto out;
	fq_alert_lock();
	rc = fq_alert_match(&in, &m, err);
	if (!rc)
		rc = fq_alert_store(imp->c, &in, station->code, &m, NULL, NULL, &stored, NULL, err);
	if (!rc) {
		/* Indexed before the batch commits, so the rows of one batch see each other. */
		fq_alert_indexed(&in, &stored);
		fq_alert_engine_expire(in.received_at);
	}
	fq_alert_unlock();
	if (rc)
		goto out;
	if (!imp->batch_count)
		snprintf(imp->batch_first, sizeof(imp->batch_first), "%s", stored.alert_number);
	snprintf(imp->batch_last, sizeof(imp->batch_last), "%s", stored.alert_number);
	imp->batch_count++;
	count_decision(&imp->pending, &m, &stored);
	if (imp->opt->decisions)
		write_decision(imp->opt->decisions, ref->line, &in, &m, &stored);
out:
	json_decref(body);
	fq_pool_release(&imp->pool);
	return rc;
}

/* Pass 2: the good rows in time order, in batches. */
static int run(struct import *imp, struct fq_err *err)
{
	size_t batch = imp->opt->batch_rows ? imp->opt->batch_rows : FQ_IMPORT_BATCH_DEFAULT;
	int rc = 0;

	if (batch > FQ_IMPORT_BATCH_MAX)
		return fq_err_set(err, FQ_EINVAL, "out_of_range", "batch", "每批最多 %d 行",
				  FQ_IMPORT_BATCH_MAX);
	qsort(imp->rows, imp->nrows, sizeof(*imp->rows), by_time);
	imp->sum->first_ms = imp->rows[0].received_at;
	imp->sum->last_ms = imp->rows[imp->nrows - 1].received_at;
	if (imp->opt->decisions)
		fputs(decisions_header, imp->opt->decisions);
	for (size_t i = 0; i < imp->nrows; i++) {
		if (!fq_dbc_in_transaction(imp->c)) {
			if ((rc = fq_dbc_begin(imp->c, 1, err)))
				break;
			/* The batch's numbers counted in memory, written by end_batch. */
			fq_number_batch_begin(imp->c);
		}
		if ((rc = import_row(imp, &imp->rows[i], err))) {
			struct fq_err cause = err ? *err : (struct fq_err)FQ_ERR_INIT;
			fq_err_set(err, rc, cause.machine, cause.field,
				   "第 %lu 行导入失败（此前 %zu 条已提交）：%s", imp->rows[i].line,
				   imp->sum->alerts, cause.message);
			break;
		}
		if (!imp->opt->dry_run && imp->batch_count == batch && (rc = end_batch(imp, err)))
			break;
	}
	if (!rc)
		rc = end_batch(imp, err);
	fq_dbc_rollback(imp->c); /* a dry run, or a failed batch */
	fq_number_batch_end();
	fq_alert_engine_tick();
	return rc;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int import_data(struct fq_db *db, const char *data, size_t len, const char *name,
		       const struct fq_alert_import_options *opt,
		       struct fq_alert_import_summary *sum, struct fq_err *err)
{
	struct import imp;
	char *owned = NULL;
	int64_t t0 = fq_mono_ns();
	int rc;

	memset(sum, 0, sizeof(*sum));
	memset(&imp, 0, sizeof(imp));
	imp.opt = opt;
	imp.sum = sum;
	imp.file_name = name;
	imp.errors = opt->errors ? opt->errors : stderr;
	fq_pool_init(&imp.pool);
	fq_assert(opt->audit != NULL);
	if ((rc = fq_csv_decode(data, len, &imp.data, &imp.len, &owned, &sum->encoding, err)))
		return rc;
	imp.c = fq_db_acquire(db);
	if ((rc = stations_init(&imp.stations, imp.c, opt->unit, err)))
		goto out;
	if ((rc = validate(&imp, err)))
		goto out;
	rc = run(&imp, err);
out:
	sum->seconds = (double)(fq_mono_ns() - t0) / 1e9;
	fq_db_release(db, imp.c);
	fq_pool_release(&imp.pool);
	stations_release(&imp.stations);
	fq_csv_header_release(&imp.header);
	free(imp.rows);
	free(owned);
	return rc;
}

int fq_alert_import_buffer(struct fq_db *db, const char *data, size_t len,
			   const struct fq_alert_import_options *opt,
			   struct fq_alert_import_summary *sum, struct fq_err *err)
{
	if (len > FQ_IMPORT_FILE_MAX) {
		memset(sum, 0, sizeof(*sum));
		return fq_err_set(err, FQ_ETOOBIG, "file_too_big", "file", "文件超过 %u 字节",
				  FQ_IMPORT_FILE_MAX);
	}
	return import_data(db, data, len, "(buffer)", opt, sum, err);
}

int fq_alert_import_file(struct fq_db *db, const char *path,
			 const struct fq_alert_import_options *opt,
			 struct fq_alert_import_summary *sum, struct fq_err *err)
{
	struct fq_buf b;
	int rc;

	memset(sum, 0, sizeof(*sum));
	rc = fq_csv_read_file(path, FQ_IMPORT_FILE_MAX, &b, err);
	if (!rc)
		rc = import_data(db, b.buf, b.len, base_name(path), opt, sum, err);
	fq_buf_release(&b);
	return rc;
}

void fq_alert_import_print(FILE *f, const struct fq_alert_import_summary *s, int dry_run)
{
	char from[FQ_RFC3339_MAX] = "", to[FQ_RFC3339_MAX] = "";

	if (s->alerts) {
		fq_time_format_cst(s->first_ms, from);
		fq_time_format_cst(s->last_ms, to);
	}
	fprintf(f, "%s %zu rows (%s), %s to %s, in %.2f s\n",
		dry_run ? "dry run, nothing written:" : "imported", s->rows, s->encoding, from, to,
		s->seconds);
	fprintf(f, "alerts: %zu\n", s->alerts);
	fprintf(f, "incidents: %zu\n", s->incidents);
	fprintf(f, "decisions: merged %zu, suggested %zu, new %zu\n", s->merged, s->suggested,
		s->fresh);
	fprintf(f,
		"kinds: repeat_caller %zu, same_event %zu (merged: repeat_caller %zu, "
		"same_event %zu)\n",
		s->kind_repeat_caller, s->kind_same_event, s->merged_repeat_caller,
		s->merged_same_event);
	fprintf(f, "flags: repeat_caller %zu, repeat_place %zu, directives proposed %zu\n",
		s->flag_repeat_caller, s->flag_repeat_place, s->directives_proposed);
	if (!dry_run)
		fprintf(f, "batches: %zu\n", s->batches);
}
