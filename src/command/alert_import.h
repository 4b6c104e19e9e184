/*
 * Import of historical alerts from CSV through the merge engine (issue 3,
 * "Data in and out"; the command line is `fengqiao import alerts`).
 *
 * The file is UTF-8 or GB18030: valid UTF-8 is read as UTF-8 (a leading
 * byte-order mark is skipped), anything else is converted from GB18030
 * with iconv, and a file that is neither is refused. The first record is
 * the header. Columns, by English or Chinese name (English names without
 * regard to case):
 *
 *   received_at  接警时间   RFC 3339; "YYYY-MM-DD HH:MM[:SS]" (also with
 *                           '/') without an offset is China Standard Time
 *   caller_phone 报警电话
 *   lat, lon     纬度, 经度 WGS-84 degrees; both empty: no location
 *   address      地址
 *   category     类别       a code of docs/taxonomy.md or its zh-CN label
 *   description  警情描述
 *   caller_name  报警人     optional column
 *   source       来源       optional column: a code or its zh-CN label;
 *                           "other" when absent or empty
 *   priority     优先级     optional column
 *   unit         派出所     optional column: the receiving station (a
 *                           post or grid stands for its station)
 *
 * The first seven are required columns (their values may be empty where
 * the API allows it). Every other column is kept, when not empty, as a
 * string member of the alert's `extra` object under its header name.
 *
 * Each row becomes the JSON object the API takes and goes through
 * fq_alert_parse, so a row is refused for exactly the reasons (and with
 * the field names and messages) POST /api/v1/alerts would give. The import
 * is all or nothing for the input: every bad row is reported as
 * "line N: field: reason" (N the physical line where the record starts)
 * and when there is any, nothing is written. Otherwise the rows are taken
 * in the order of received_at (file order for equal times) and each goes
 * through the intake as the API does it (lock, match, store, index), in
 * write transactions of batch_rows rows, each with one audit entry
 * "alert.import" (written by the caller's hook: capabilities do not reach
 * into http/); after each row the merge index is expired at that row's
 * received_at, so only the windows stay in memory however long the file.
 *
 * Two consequences of batching: a storage failure (disk full) stops the
 * import at a batch boundary, with the batches before it committed and
 * reported; and the server's merge index does not see the imported alerts
 * until it restarts (run imports while the server is stopped, or restart it
 * afterwards). The process's own merge index keeps what a failed batch or a
 * dry run inserted: restart the engine before using it for anything else.
 *
 * Montgomery mode (montco) reads the county's 911 feed instead
 * (lat,lon,title,received_at,township,address): the category comes from
 * the title (fq_taxonomy_from_montco), the description is the title's part
 * after "AGENCY:", received_at is local time in America/New_York, the
 * source is phone_110 and the title and the other columns go to extra.
 *
 * Not thread-safe: one import at a time per process, with the merge engine
 * started (fq_alert_engine_start).
 */
#ifndef FQ_COMMAND_ALERT_IMPORT_H
#define FQ_COMMAND_ALERT_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "db/db.h"
#include "io/csv_in.h"
#include "org/units.h"

/* Largest file accepted, in bytes. */
#define FQ_IMPORT_FILE_MAX (1024u * 1024u * 1024u)
/* Most data rows in one file. */
#define FQ_IMPORT_ROWS_MAX 5000000u
/* Most columns, and the longest field in bytes. */
#define FQ_IMPORT_COLUMNS_MAX FQ_CSV_COLUMNS_MAX
#define FQ_IMPORT_FIELD_MAX   FQ_CSV_FIELD_MAX
/* Rows per write transaction by default, and the most allowed. */
#define FQ_IMPORT_BATCH_DEFAULT 500
#define FQ_IMPORT_BATCH_MAX	10000

/* One batch of alerts about to commit, for its audit entry. */
struct fq_alert_import_batch {
	size_t count;		  /* alerts in the batch */
	const char *file;	  /* the file's base name */
	const char *first_number; /* business numbers of its first and last alert */
	const char *last_number;
};

struct fq_alert_import_options {
	/* Station for rows without a unit value; NULL: the store's only station. */
	const char *unit;
	/* Run everything in one transaction and roll it back: the summary of what would happen. */
	int dry_run;
	/* The Montgomery County 911 feed's columns (see above). */
	int montco;
	/* Rows per transaction; 0 for FQ_IMPORT_BATCH_DEFAULT. */
	size_t batch_rows;
	/*
	 * Required: called in each batch's write transaction before it
	 * commits, to append the batch's audit entry ("alert.import"; the
	 * command line writes it as cli:<user>). A failure rolls the batch back
	 * and stops the import. In a dry run it is called once, for all rows,
	 * and rolled back with them.
	 */
	int (*audit)(struct fq_dbc *c, const struct fq_alert_import_batch *batch, void *arg,
		     struct fq_err *err);
	void *audit_arg;
	/* Where bad rows are reported, one "line N: field: reason" each; NULL: stderr. */
	FILE *errors;
	/*
	 * When not NULL, one tab-separated line per imported alert in import
	 * order, after a header line:
	 *   line alert_number received_at category incident_id decision kind
	 *   score candidates repeat_caller repeat_place extra
	 * candidates: the first three candidate incident ids, comma-separated;
	 * score: the best candidate's, empty when none; extra: the alert's
	 * extra object as compact JSON ("{}" when none).
	 */
	FILE *decisions;
};

struct fq_alert_import_summary {
	const char *encoding;		 /* "UTF-8" or "GB18030" */
	size_t rows;			 /* data rows read */
	size_t bad_rows;		 /* rows refused (then nothing is imported) */
	size_t alerts;			 /* alerts stored (or that would be, in a dry run) */
	size_t incidents;		 /* incidents opened */
	size_t batches;			 /* transactions committed */
	size_t merged, suggested, fresh; /* decisions: merged, suggested, new */
	/* Kind of the best candidate, over merged and suggested alerts, and over merged alone. */
	size_t kind_repeat_caller, kind_same_event;
	size_t merged_repeat_caller, merged_same_event;
	/* Flags raised on the alerts, and governance directives proposed. */
	size_t flag_repeat_caller, flag_repeat_place, directives_proposed;
	int64_t first_ms, last_ms; /* received_at range of the rows */
	double seconds;		   /* wall time of the import */
};

/*
 * Import the CSV file at path into db (migrated, merge engine started).
 * Fills *sum (also on failure, as far as the import got). Returns 0, or:
 *   FQ_EINVAL   bad rows (reported through opt->errors; err says how many),
 *               a missing or duplicated column, an encoding that is neither
 *               UTF-8 nor GB18030, no station to import into
 *   FQ_ETOOBIG  the file, a row count or a field over its FQ_IMPORT_* limit
 *   FQ_EIO      the file cannot be read
 *   FQ_EDB and others from storage: sum->alerts were committed before it
 */
int fq_alert_import_file(struct fq_db *db, const char *path,
			 const struct fq_alert_import_options *opt,
			 struct fq_alert_import_summary *sum, struct fq_err *err) FQ_WUR;

/* The same for a file already in memory (data[0..len), not NUL-terminated). */
int fq_alert_import_buffer(struct fq_db *db, const char *data, size_t len,
			   const struct fq_alert_import_options *opt,
			   struct fq_alert_import_summary *sum, struct fq_err *err) FQ_WUR;

/* Print the summary as the command line shows it. */
void fq_alert_import_print(FILE *f, const struct fq_alert_import_summary *sum, int dry_run);

/* The command `fengqiao import alerts ...` (alert_import_cli.c); returns the exit code. */
int fq_cmd_import_alerts(int argc, char **argv);

#endif
