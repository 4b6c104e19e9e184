/*
 * `fengqiao import alerts --db FILE FILE.csv [--unit CODE] [--dry-run]
 *  [--montco] [--decisions-out FILE] [--batch N]`: the command line of
 * command/alert_import.h. Exit codes: 0 imported, 1 refused or failed
 * (bad rows are listed on stderr), 2 usage.
 */
#include "command/alert_import.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command/alert.h"
#include "core/err.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "http/audit.h"
#include "core/banned.h"

static const char usage_text[] =
    "usage: fengqiao import alerts --db FILE FILE.csv [--unit CODE] [--dry-run]\n"
    "                              [--montco] [--decisions-out FILE] [--batch N]\n"
    "  --unit CODE          station for rows without a unit (派出所) value\n"
    "                       (default: the only station in the store)\n"
    "  --dry-run            check and match everything, write nothing\n"
    "  --montco             read the Montgomery County 911 feed's columns\n"
    "  --decisions-out FILE one line per alert: incident, decision, top-3 candidates\n"
    "  --batch N            rows per transaction (500)\n";

enum { OPT_DB = 1000, OPT_UNIT, OPT_DRY_RUN, OPT_MONTCO, OPT_DECISIONS, OPT_BATCH };

static const struct option import_opts[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"montco", no_argument, NULL, OPT_MONTCO},
    {"decisions-out", required_argument, NULL, OPT_DECISIONS},
    {"batch", required_argument, NULL, OPT_BATCH},
    {NULL, 0, NULL, 0},
};

/* The person at the terminal, as the audit log names CLI actors: the sudo caller when run
 * through sudo. */
static void cli_actor(char *out, size_t cap)
{
	const char *sudo_user = getenv("SUDO_USER");
	struct passwd *pw = getpwuid(getuid());

	if (sudo_user && *sudo_user)
		snprintf(out, cap, "cli:%s", sudo_user);
	else
		snprintf(out, cap, "cli:%s", pw ? pw->pw_name : "unknown");
}

/* The audit entry of a batch: "alert.import" by cli:<user>, naming the count and the file. */
static int audit_batch(struct fq_dbc *c, const struct fq_alert_import_batch *b, void *actor,
		       struct fq_err *err)
{
	struct fq_audit_entry e = {.username = actor,
				   .action = "alert.import",
				   .object_type = "alert",
				   .object_id = b->first_number,
				   .client = "cli",
				   .outcome = "ok"};
	json_t *detail = json_pack("{s:I, s:s, s:s, s:s}", "count", (json_int_t)b->count, "file",
				   b->file, "first", b->first_number, "last", b->last_number);
	char *text = json_dumps(detail, JSON_COMPACT);
	int rc;

	e.detail = text;
	rc = fq_audit_append(c, &e, fq_now_ms(), NULL, err);
	free(text);
	json_decref(detail);
	return rc;
}

static int fail(const struct fq_err *err)
{
	fprintf(stderr, "fengqiao: %s%s%s%s\n", err->message, err->field[0] ? " [" : "", err->field,
		err->field[0] ? "]" : "");
	return 1;
}

int fq_cmd_import_alerts(int argc, char **argv)
{
	struct fq_alert_import_options opt = {0};
	struct fq_alert_import_summary sum;
	struct fq_db_options dbo = {0};
	struct fq_err err = FQ_ERR_INIT;
	const char *db_path = NULL, *decisions_path = NULL;
	char actor[64];
	struct fq_db *db;
	int c, rc, applied;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", import_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			db_path = optarg;
			break;
		case OPT_UNIT:
			opt.unit = optarg;
			break;
		case OPT_DRY_RUN:
			opt.dry_run = 1;
			break;
		case OPT_MONTCO:
			opt.montco = 1;
			break;
		case OPT_DECISIONS:
			decisions_path = optarg;
			break;
		case OPT_BATCH: {
			char *end;
			long v;
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (!*optarg || *end || errno || v < 1 || v > FQ_IMPORT_BATCH_MAX) {
				fprintf(stderr, "fengqiao: --batch wants 1 to %d\n",
					FQ_IMPORT_BATCH_MAX);
				return 2;
			}
			opt.batch_rows = (size_t)v;
			break;
		}
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "alerts") != 0) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (!db_path) {
		fprintf(stderr, "fengqiao: --db FILE is required\n");
		return 2;
	}
	cli_actor(actor, sizeof(actor));
	opt.audit = audit_batch;
	opt.audit_arg = actor;
	opt.errors = stderr;
	if (decisions_path && !(opt.decisions = fopen(decisions_path, "w"))) {
		fprintf(stderr, "fengqiao: cannot write %s: %s\n", decisions_path, strerror(errno));
		return 1;
	}
	if (fq_db_open(db_path, &dbo, &db, &err)) {
		rc = fail(&err);
		goto out_close_decisions;
	}
	if (fq_db_migrate(db, &applied, &err) || fq_alert_engine_start(db, &err)) {
		rc = fail(&err);
		goto out_close_db;
	}
	rc = fq_alert_import_file(db, argv[optind + 1], &opt, &sum, &err);
	if (rc) {
		rc = fail(&err);
		if (sum.alerts)
			fq_alert_import_print(stderr, &sum, 0);
	} else {
		fq_alert_import_print(stdout, &sum, opt.dry_run);
	}
out_close_db:
	fq_alert_engine_stop();
	fq_db_close(db);
out_close_decisions:
	if (opt.decisions && fclose(opt.decisions) != 0 && rc == 0) {
		fprintf(stderr, "fengqiao: writing %s failed\n", decisions_path);
		rc = 1;
	}
	return rc;
}
