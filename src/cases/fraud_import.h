/*
 * Import of anti-fraud warnings from the anti-fraud centre's CSV files
 * (`fengqiao import fraud-warnings --db FILE [--unit CODE] [--dry-run]
 * FILE.csv`; docs/fraud.md).
 *
 * The file is UTF-8 or GB18030 (io/csv_in.h). Columns, by English or
 * Chinese name (English without regard to case):
 *
 *   warned_at    预警时间   required; RFC 3339, or "YYYY-MM-DD HH:MM[:SS]"
 *                           (also with '/') in China Standard Time
 *   warning_type 预警类型   required; a code or zh-CN label of docs/fraud.md
 *   level        预警级别   required; 1 (most urgent) .. 4
 *   phone        手机号     required column (the value may be empty when a
 *                           name or ID number is given)
 *   person_name  姓名       optional
 *   id_number    身份证号   optional
 *   address      地址       optional
 *   lat, lon     纬度, 经度 optional, WGS-84, both or neither
 *   external_ref 预警编号   optional; the centre's reference, unique
 *   description  预警内容   optional
 *   unit         接收单位   optional; the receiving unit (else --unit)
 *
 * Other columns are ignored. Each row goes through fq_fraud_create as
 * POST /api/v1/fraud-warnings does (source "import"), so a row is refused
 * for the reasons and with the field names the API gives. All or nothing:
 * every row runs in one write transaction; every bad row is reported as
 * "line N: field: reason" (N the physical line where the record starts)
 * and when there is any, nothing is written. One audit entry
 * "fraud_warning.import" by cli:<user> records the count and the file.
 */
#ifndef FQ_CASES_FRAUD_IMPORT_H
#define FQ_CASES_FRAUD_IMPORT_H

#include <stddef.h>
#include <stdio.h>

#include "core/err.h"
#include "db/db.h"

#define FQ_FRAUD_IMPORT_FILE_MAX (256u * 1024u * 1024u)
#define FQ_FRAUD_IMPORT_ROWS_MAX 1000000u

struct fq_dbc;

/* A bad row: its physical line, the field ("row" when none) and the reason. */
typedef void (*fq_fraud_import_bad_row_fn)(void *arg, unsigned long line, const char *field,
					   const char *message);
/*
 * The import's audit entry, written in its transaction before the commit
 * (first and last: the numbers given); nonzero (err filled) rolls back.
 */
typedef int (*fq_fraud_import_audit_fn)(void *arg, struct fq_dbc *c, const char *name, size_t count,
					const char *first, const char *last, struct fq_err *err);

struct fq_fraud_import_options {
	/* The receiving unit for rows without one; NULL: the top unit of the store. */
	const char *unit;
	int dry_run;
	const char *actor; /* the audit log's username, e.g. "cli:alice" */
	FILE *errors;	   /* bad rows; NULL: stderr */
	/*
	 * For an import by a signed-in user (POST /api/v1/fraud-warnings/import);
	 * all NULL for the command line. scope_path: the user's scope, which
	 * must cover the receiving unit (else "unknown_unit", field unit) and
	 * every row's routing, as for the API; actor_id: the user taking the
	 * warnings; bad_row: called for each bad row instead of printing it;
	 * audit: writes the audit entry instead of one by actor (client "cli");
	 * arg: for both callbacks.
	 */
	const char *scope_path;
	const char *actor_id;
	fq_fraud_import_bad_row_fn bad_row;
	fq_fraud_import_audit_fn audit;
	void *arg;
};

struct fq_fraud_import_summary {
	const char *encoding;
	size_t rows, bad_rows, imported;
	size_t by_route[3]; /* location, phone_history, station */
};

/*
 * Import data[0..len) (name: the file's name for the audit log). 0, or
 * FQ_EINVAL (bad rows, reported; a bad header or encoding), FQ_ETOOBIG,
 * storage errors; nothing is written unless it returns 0 without dry_run.
 */
int fq_fraud_import_buffer(struct fq_db *db, const char *data, size_t len, const char *name,
			   const struct fq_fraud_import_options *opt,
			   struct fq_fraud_import_summary *sum, struct fq_err *err) FQ_WUR;

/* The command `fengqiao import fraud-warnings ...`; returns the exit code (0, 1, 2 usage). */
int fq_cmd_import_fraud_warnings(int argc, char **argv);

#endif
