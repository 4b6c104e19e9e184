#include "cases/fraud_import.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases/fraud.h"
#include "core/json.h"
#include "core/pool.h"
#include "core/timeutil.h"
#include "http/audit.h"
#include "io/csv_in.h"
#include "org/rights.h"
#include "core/banned.h"

enum column {
	COL_OTHER = 0,
	COL_WARNED_AT,
	COL_TYPE,
	COL_LEVEL,
	COL_PHONE,
	COL_NAME,
	COL_ID,
	COL_ADDRESS,
	COL_LAT,
	COL_LON,
	COL_REF,
	COL_DESCRIPTION,
	COL_UNIT,
};

static const struct fq_csv_column columns[] = {
    {COL_WARNED_AT, "warned_at", "预警时间", 1},
    {COL_TYPE, "warning_type", "预警类型", 1},
    {COL_LEVEL, "level", "预警级别", 1},
    {COL_PHONE, "phone", "手机号", 1},
    {COL_NAME, "person_name", "姓名", 0},
    {COL_ID, "id_number", "身份证号", 0},
    {COL_ADDRESS, "address", "地址", 0},
    {COL_LAT, "lat", "纬度", 0},
    {COL_LON, "lon", "经度", 0},
    {COL_REF, "external_ref", "预警编号", 0},
    {COL_DESCRIPTION, "description", "预警内容", 0},
    {COL_UNIT, "unit", "接收单位", 0},
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int number_field(const char *v, const char *field, double *out, struct fq_err *err)
{
	char *end;
	errno = 0;
	*out = strtod(v, &end);
	if (!*v || *end || errno || !isfinite(*out))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", field, "%s 应为数字", field);
	return 0;
}

/* One record as a warning; strings live in pool. */
static int load_row(const struct fq_csv_header *h, const struct fq_csv_record *rec,
		    struct fq_pool *pool, struct fq_fraud_new *in, struct fq_err *err)
{
	int have_lat = 0, have_lon = 0, rc;

	if ((rc = fq_csv_check_record(h, rec, err)))
		return rc;
	for (size_t i = 0; i < h->count; i++) {
		const char *v = fq_csv_field(rec, i);
		if (!*v)
			continue;
		switch (h->col[i]) {
		case COL_WARNED_AT:
			if ((rc = fq_time_parse(fq_csv_local_time(pool, v, NULL), &in->warned_at,
						"warned_at", err)))
				return rc;
			break;
		case COL_TYPE:
			in->warning_type = fq_pool_strdup(pool, v);
			break;
		case COL_LEVEL: {
			char *end;
			errno = 0;
			in->level = strtoll(v, &end, 10);
			if (*end || errno)
				return fq_err_set(err, FQ_EINVAL, "invalid_value", "level",
						  "预警级别应为 1 到 %d 的整数", FQ_FRAUD_LEVELS);
			break;
		}
		case COL_PHONE:
			in->phone = fq_pool_strdup(pool, v);
			break;
		case COL_NAME:
			in->person_name = fq_pool_strdup(pool, v);
			break;
		case COL_ID:
			in->id_number = fq_pool_strdup(pool, v);
			break;
		case COL_ADDRESS:
			in->address = fq_pool_strdup(pool, v);
			break;
		case COL_LAT:
			if ((rc = number_field(v, "lat", &in->lat, err)))
				return rc;
			have_lat = 1;
			break;
		case COL_LON:
			if ((rc = number_field(v, "lon", &in->lon, err)))
				return rc;
			have_lon = 1;
			break;
		case COL_REF:
			in->external_ref = fq_pool_strdup(pool, v);
			break;
		case COL_DESCRIPTION:
			in->description = fq_pool_strdup(pool, v);
			break;
		case COL_UNIT:
			in->unit = fq_pool_strdup(pool, v);
			break;
		default:
			break;
		}
	}
	if (have_lat != have_lon)
		return fq_err_set(err, FQ_EINVAL, "missing_field", have_lat ? "lon" : "lat",
				  "纬度和经度须同时给出");
	if (!in->warned_at)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "warned_at", "请填写预警时间");
	if (!in->level)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "level", "请填写预警级别");
	in->has_location = have_lat;
	return 0;
}

static int audit_import(struct fq_dbc *c, const struct fq_fraud_import_options *opt,
			const char *name, size_t count, const char *first, const char *last,
			struct fq_err *err)
{
	struct fq_audit_entry e = {.username = opt->actor ? opt->actor : "cli",
				   .action = "fraud_warning.import",
				   .object_type = "fraud_warning",
				   .object_id = first,
				   .client = "cli",
				   .outcome = "ok"};
	json_t *detail = json_pack("{s:I, s:s, s:s, s:s}", "count", (json_int_t)count, "file", name,
				   "first", first, "last", last);
	char *text = json_dumps(detail, JSON_COMPACT);
	int rc;

	e.detail = text;
	rc = fq_audit_append(c, &e, fq_now_ms(), NULL, err);
	free(text);
	json_decref(detail);
	return rc;
}

int fq_fraud_import_buffer(struct fq_db *db, const char *data, size_t len, const char *name,
			   const struct fq_fraud_import_options *opt,
			   struct fq_fraud_import_summary *sum, struct fq_err *err)
{
	FILE *errors = opt->errors ? opt->errors : stderr;
	char top[FQ_UNIT_CODE_MAX] = "", scope[FQ_UNIT_PATH_MAX];
	char first[FQ_NUMBER_MAX] = "", last[FQ_NUMBER_MAX] = "";
	const char *text;
	size_t text_len;
	char *owned = NULL;
	struct fq_csv_reader r;
	struct fq_csv_header h;
	struct fq_pool pool;
	struct fq_dbc *c;
	int64_t now = fq_now_ms();
	int rc;

	memset(sum, 0, sizeof(*sum));
	memset(&h, 0, sizeof(h));
	if (len > FQ_FRAUD_IMPORT_FILE_MAX)
		return fq_err_set(err, FQ_ETOOBIG, "file_too_big", "file", "文件超过 %u 字节",
				  FQ_FRAUD_IMPORT_FILE_MAX);
	if ((rc = fq_csv_decode(data, len, &text, &text_len, &owned, &sum->encoding, err)))
		return rc;
	c = fq_db_acquire(db);
	fq_pool_init(&pool);
	fq_csv_reader_init(&r, text, text_len, 1);
	if (opt->unit)
		snprintf(top, sizeof(top), "%s", opt->unit);
	else
		rc = fq_dbc_lookup_text(c,
					"SELECT code FROM unit WHERE parent IS NULL AND kind = ?"
					" ORDER BY code LIMIT 1",
					"city", top, sizeof(top),
					"库中没有市级单位：请用 --unit 指明", err);
	if (rc)
		goto out;
	rc = fq_unit_path(c, top, scope, err);
	if (rc == FQ_ENOTFOUND ||
	    (!rc && opt->scope_path && !fq_scope_covers(opt->scope_path, scope)))
		rc = fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit",
				"单位 %s 不存在或不在您的辖区", top);
	if (rc)
		goto out;
	if ((rc = fq_csv_read_header(&r, columns, ARRAY_LEN(columns), &h, err)))
		goto out;
	if ((rc = fq_dbc_begin(c, 1, err)))
		goto out;
	while ((rc = fq_csv_next(&r)) == 1) {
		struct fq_err row_err = FQ_ERR_INIT;
		struct fq_fraud_new in;
		char id[37], number[FQ_NUMBER_MAX];

		if (++sum->rows > FQ_FRAUD_IMPORT_ROWS_MAX) {
			rc = fq_err_set(err, FQ_ETOOBIG, "too_many_rows", "file",
					"文件超过 %u 行数据", FQ_FRAUD_IMPORT_ROWS_MAX);
			break;
		}
		memset(&in, 0, sizeof(in));
		in.source = "import";
		in.actor_unit = top;
		in.scope_path = opt->scope_path ? opt->scope_path : scope;
		in.actor_id = opt->actor_id;
		in.now_ms = now;
		if (load_row(&h, &r.rec, &pool, &in, &row_err) ||
		    fq_fraud_create(c, &in, id, number, &row_err)) {
			if (row_err.code != FQ_EINVAL && row_err.code != FQ_ECONFLICT &&
			    row_err.code != FQ_ETOOBIG) {
				*err = row_err; /* storage failed: stop */
				rc = row_err.code;
				break;
			}
			if (opt->bad_row)
				opt->bad_row(opt->arg, r.rec.line,
					     row_err.field[0] ? row_err.field : "row",
					     row_err.message);
			else
				fprintf(errors, "line %lu: %s: %s\n", r.rec.line,
					row_err.field[0] ? row_err.field : "row", row_err.message);
			sum->bad_rows++;
		} else {
			const char *route = "";
			struct fq_stmt *st;
			if (!first[0])
				snprintf(first, sizeof(first), "%s", number);
			snprintf(last, sizeof(last), "%s", number);
			sum->imported++;
			if (fq_dbc_query(c, NULL, &st,
					 "SELECT route FROM fraud_warning WHERE id = ?", "t",
					 id) == 0) {
				if (fq_stmt_step(st, NULL) == FQ_DB_ROW)
					route = fq_stmt_text(st, 0);
				sum->by_route[strcmp(route, "location") == 0	    ? 0
					      : strcmp(route, "phone_history") == 0 ? 1
										    : 2]++;
				fq_stmt_done(st);
			}
		}
		fq_pool_release(&pool);
	}
	if (rc == 0 && sum->bad_rows)
		rc = fq_err_set(err, FQ_EINVAL, "bad_rows", "file",
				"%zu 行数据有错误（共 %zu 行）：未导入任何数据", sum->bad_rows,
				sum->rows);
	else if (rc == 0 && !sum->imported)
		rc = fq_err_set(err, FQ_EINVAL, "no_rows", "file", "文件中没有数据行");
	if (rc == 0)
		rc = opt->audit ? opt->audit(opt->arg, c, name, sum->imported, first, last, err)
				: audit_import(c, opt, name, sum->imported, first, last, err);
	if (rc == 0 && !opt->dry_run)
		rc = fq_dbc_commit(c, err);
	if (rc || opt->dry_run)
		fq_dbc_rollback(c);
out:
	if (rc)
		sum->imported = 0;
	fq_csv_header_release(&h);
	fq_csv_reader_release(&r);
	fq_pool_release(&pool);
	fq_db_release(db, c);
	free(owned);
	return rc;
}

/* ---- the command line ---- */

static const char usage_text[] =
    "usage: fengqiao import fraud-warnings --db FILE [--unit CODE] [--dry-run] FILE.csv\n"
    "  --unit CODE  receiving unit for rows without one (接收单位; default: the top unit)\n"
    "  --dry-run    check and route everything, write nothing\n";

enum { OPT_DB = 1000, OPT_UNIT, OPT_DRY_RUN };

static const struct option opts[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {NULL, 0, NULL, 0},
};

int fq_cmd_import_fraud_warnings(int argc, char **argv)
{
	struct fq_fraud_import_options opt = {0};
	struct fq_fraud_import_summary sum;
	struct fq_db_options dbo = {0};
	struct fq_err err = FQ_ERR_INIT;
	const char *db_path = NULL, *sudo_user = getenv("SUDO_USER");
	struct passwd *pw = getpwuid(getuid());
	char actor[64];
	struct fq_buf b;
	struct fq_db *db;
	int ch, rc, applied;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_DB:
			db_path = optarg;
			break;
		case OPT_UNIT:
			opt.unit = optarg;
			break;
		case OPT_DRY_RUN:
			opt.dry_run = 1;
			break;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "fraud-warnings") != 0 || !db_path) {
		fputs(usage_text, stderr);
		return 2;
	}
	snprintf(actor, sizeof(actor), "cli:%s",
		 sudo_user && *sudo_user ? sudo_user
		 : pw			 ? pw->pw_name
					 : "unknown");
	opt.actor = actor;
	opt.errors = stderr;
	if (fq_csv_read_file(argv[optind + 1], FQ_FRAUD_IMPORT_FILE_MAX, &b, &err)) {
		fq_buf_release(&b);
		fprintf(stderr, "fengqiao: %s\n", err.message);
		return 1;
	}
	if (fq_db_open(db_path, &dbo, &db, &err)) {
		fq_buf_release(&b);
		fprintf(stderr, "fengqiao: %s\n", err.message);
		return 1;
	}
	rc = fq_db_migrate(db, &applied, &err);
	if (!rc) {
		const char *slash = strrchr(argv[optind + 1], '/');
		rc = fq_fraud_import_buffer(db, b.buf, b.len, slash ? slash + 1 : argv[optind + 1],
					    &opt, &sum, &err);
	}
	if (rc) {
		fprintf(stderr, "fengqiao: %s%s%s%s\n", err.message, err.field[0] ? " [" : "",
			err.field, err.field[0] ? "]" : "");
		rc = 1;
	} else {
		printf("%s %zu rows (%s)\n", opt.dry_run ? "dry run, nothing written:" : "imported",
		       sum.rows, sum.encoding);
		printf("warnings: %zu\n", sum.imported);
		printf("routed: location %zu, phone_history %zu, station %zu\n", sum.by_route[0],
		       sum.by_route[1], sum.by_route[2]);
	}
	fq_db_close(db);
	fq_buf_release(&b);
	return rc;
}
