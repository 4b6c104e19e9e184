/*
 * `fengqiao export incidents --db FILE --unit CODE [--from DATE] [--to DATE]
 *  [--state STATE] --format csv|xlsx --out FILE [--full-phones]`: the
 * command line of command/incident_export.h. The scope is the unit's (a
 * station, or a branch for all its stations); DATE is a China-time day
 * YYYY-MM-DD (--to includes that day) or an RFC 3339 time. Phones are
 * masked unless --full-phones. The output file must not exist (never
 * overwritten). One audit entry "incident.export" by cli:<user>.
 * Exit codes: 0 written, 1 refused or failed, 2 usage.
 */
#include "command/incident_export.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "db/db.h"
#include "http/audit.h"
#include "org/units.h"
#include "core/banned.h"

static const char usage_text[] =
    "usage: fengqiao export incidents --db FILE --unit CODE [--from DATE] [--to DATE]\n"
    "                                 [--state STATE] --format csv|xlsx --out FILE\n"
    "                                 [--full-phones]\n"
    "  --unit CODE     the scope: a station, or a unit above stations\n"
    "  --from, --to    first report from / to: YYYY-MM-DD (China time; --to includes\n"
    "                  the day) or an RFC 3339 time (--to excluded)\n"
    "  --state STATE   open, or a state code (received, dispatched, ... closed)\n"
    "  --out FILE      a new file: an existing one is never overwritten\n"
    "  --full-phones   callers' phones in full (default: masked as for roles without\n"
    "                  phone.read)\n";

enum { OPT_DB = 1000, OPT_UNIT, OPT_FROM, OPT_TO, OPT_STATE, OPT_FORMAT, OPT_OUT, OPT_PHONES };

static const struct option export_opts[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"state", required_argument, NULL, OPT_STATE},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"out", required_argument, NULL, OPT_OUT},
    {"full-phones", no_argument, NULL, OPT_PHONES},
    {NULL, 0, NULL, 0},
};

static int fail(const struct fq_err *err)
{
	fprintf(stderr, "fengqiao: %s%s%s%s\n", err->message, err->field[0] ? " [" : "", err->field,
		err->field[0] ? "]" : "");
	return 1;
}

/* A day (YYYY-MM-DD, to the end of it when end is set) or an RFC 3339 time. */
static int parse_when(const char *s, int end, const char *field, int64_t *out, struct fq_err *err)
{
	int rc = fq_time_parse(s, out, field, err);
	if (!rc && end && strlen(s) == 10)
		*out += 86400LL * 1000;
	return rc;
}

static void cli_actor(char *out, size_t cap)
{
	const char *sudo_user = getenv("SUDO_USER");
	struct passwd *pw = getpwuid(getuid());

	if (sudo_user && *sudo_user)
		snprintf(out, cap, "cli:%s", sudo_user);
	else
		snprintf(out, cap, "cli:%s", pw ? pw->pw_name : "unknown");
}

/* Write data to a new file at path (O_EXCL: never overwrite). */
static int write_new(const char *path, const char *data, size_t len, struct fq_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	size_t done = 0;

	if (fd < 0)
		return fq_err_set(err, FQ_EIO, "cannot_write", "out", "%s：%s", path,
				  errno == EEXIST ? "文件已存在，不会覆盖" : strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (done < len || fsync(fd) != 0 || close(fd) != 0) {
		int e = errno;
		if (done < len)
			close(fd);
		unlink(path);
		return fq_err_set(err, FQ_EIO, "cannot_write", "out", "写入 %s 失败：%s", path,
				  strerror(e));
	}
	return 0;
}

int fq_cmd_export_incidents(int argc, char **argv)
{
	struct fq_incident_query q = {0};
	struct fq_db_options dbo = {0};
	struct fq_err err = FQ_ERR_INIT;
	const char *db_path = NULL, *unit = NULL, *from = NULL, *to = NULL, *format = NULL;
	const char *out = NULL;
	char path[FQ_UNIT_PATH_MAX], actor[64];
	char *data = NULL;
	size_t len = 0, rows = 0;
	int full_phones = 0, applied, f, c, rc;
	struct fq_db *db;
	struct fq_dbc *dbc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", export_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			db_path = optarg;
			break;
		case OPT_UNIT:
			unit = optarg;
			break;
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_TO:
			to = optarg;
			break;
		case OPT_STATE:
			q.state = optarg;
			break;
		case OPT_FORMAT:
			format = optarg;
			break;
		case OPT_OUT:
			out = optarg;
			break;
		case OPT_PHONES:
			full_phones = 1;
			break;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind != 1 || strcmp(argv[optind], "incidents") != 0 || !db_path || !unit ||
	    !format || !out) {
		fputs(usage_text, stderr);
		return 2;
	}
	f = fq_export_format_from_code(format);
	if (f < 0) {
		fprintf(stderr, "fengqiao: --format wants csv or xlsx\n");
		return 2;
	}
	if ((from && parse_when(from, 0, "from", &q.from_ms, &err)) ||
	    (to && parse_when(to, 1, "to", &q.to_ms, &err)) || fq_incident_query_check(&q, &err))
		return fail(&err);
	if (access(out, F_OK) == 0) {
		fprintf(stderr, "fengqiao: %s exists: it is never overwritten\n", out);
		return 1;
	}
	if (fq_db_open(db_path, &dbo, &db, &err))
		return fail(&err);
	if (fq_db_migrate(db, &applied, &err)) {
		rc = fail(&err);
		goto out_close;
	}
	dbc = fq_db_acquire(db);
	rc = fq_unit_path(dbc, unit, path, &err);
	if (!rc) {
		q.scope_path = path;
		rc = fq_incident_export(dbc, &q, (enum fq_export_format)f, !full_phones,
					FQ_EXPORT_MAX_ROWS, &data, &len, &rows, &err);
	}
	/* The audit entry and the file together: the entry commits only once the file is written.
	 */
	if (!rc) {
		json_t *detail =
		    json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:I, s:b, s:s}", "format",
			      fq_export_extension((enum fq_export_format)f), "state", q.state,
			      "from", from, "to", to, "scope", path, "rows", (json_int_t)rows,
			      "phones_masked", !full_phones, "file", out);
		char *text = json_dumps(detail, JSON_COMPACT);
		struct fq_audit_entry e = {.username = actor,
					   .action = "incident.export",
					   .object_type = "incident",
					   .unit_code = unit,
					   .client = "cli",
					   .outcome = "ok",
					   .detail = text};
		cli_actor(actor, sizeof(actor));
		rc = fq_dbc_begin(dbc, 1, &err);
		if (!rc) {
			rc = fq_audit_append(dbc, &e, fq_now_ms(), NULL, &err);
			if (!rc)
				rc = write_new(out, data, len, &err);
			if (!rc && (rc = fq_dbc_commit(dbc, &err)))
				unlink(out);
			if (rc)
				fq_dbc_rollback(dbc);
		}
		free(text);
		json_decref(detail);
	}
	fq_db_release(db, dbc);
	free(data);
	if (rc)
		rc = fail(&err);
	else
		printf("%zu incidents written to %s\n", rows, out);
out_close:
	fq_db_close(db);
	return rc;
}
