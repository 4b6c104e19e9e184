/*
 * Tables written to CSV or xlsx: the writer shared by the exports
 * (command/incident_export.c, community/registry_export.c).
 *
 * A table has fixed columns (a zh-CN header, a kind, an xlsx width) and
 * rows of cells. The whole file is built in memory and handed back as one
 * malloc'd buffer, for fq_req_reply_bytes or a file.
 *
 * CSV: UTF-8 with a byte order mark (so Excel on a Chinese Windows reads it
 * as UTF-8), CRLF line ends, RFC 4180 quoting (a field is quoted when it
 * holds a comma, a quote, CR or LF; quotes doubled), and a guard against
 * formula injection: a text cell that starts with = + - @ (or a tab or CR)
 * gets a leading apostrophe. Times are China time, "YYYY-MM-DD HH:MM:SS".
 *
 * xlsx (libxlsxwriter, constant-memory mode through a temporary file under
 * $TMPDIR or /tmp, removed in every case): one sheet, a bold frozen header
 * row, column widths, times as real Excel date-times in China time
 * (yyyy-mm-dd hh:mm:ss), reals with six decimals. Text cells are written as
 * strings, so nothing in them is ever taken for a formula.
 *
 * Not thread-safe per writer; writers are independent.
 */
#ifndef FQ_IO_TABLE_OUT_H
#define FQ_IO_TABLE_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

enum fq_export_format {
	FQ_EXPORT_CSV,
	FQ_EXPORT_XLSX,
};

/* "csv" or "xlsx" → the format; -1 when unknown. */
int fq_export_format_from_code(const char *code);
/* The MIME type and the file name extension ("csv", "xlsx") of a format. */
const char *fq_export_content_type(enum fq_export_format f);
const char *fq_export_extension(enum fq_export_format f);

/*
 * The most rows of an export: max, or a smaller positive value of the
 * environment variable FQ_EXPORT_MAX_ROWS (for tests and for sites that
 * want a lower cap).
 */
size_t fq_export_row_cap(size_t max);

/*
 * The Content-Disposition value (RFC 6266/5987) of an export made at
 * now_ms: "attachment; filename="<ascii>_YYYYMMDD.<ext>";
 * filename*=UTF-8''<zh percent-encoded>_YYYYMMDD.<ext>" with the China date.
 * Truncated to fit out.
 */
void fq_export_disposition(char *out, size_t size, const char *ascii, const char *zh,
			   int64_t now_ms, enum fq_export_format f);

enum fq_cell_kind { FQ_CELL_TEXT, FQ_CELL_TIME, FQ_CELL_REAL, FQ_CELL_INT };

struct fq_table_column {
	const char *header; /* zh-CN */
	enum fq_cell_kind kind;
	double width; /* xlsx column width, in characters */
};

/* One cell; the member of the column's kind is read. */
struct fq_table_cell {
	int null;	  /* empty cell */
	const char *text; /* FQ_CELL_TEXT (NULL: empty) */
	int64_t ms;	  /* FQ_CELL_TIME: Unix milliseconds */
	double real;	  /* FQ_CELL_REAL */
	int64_t integer;  /* FQ_CELL_INT */
};

struct fq_table_writer {
	enum fq_export_format format;
	const struct fq_table_column *cols; /* borrowed, ncols entries */
	size_t ncols, rows;
	struct fq_buf csv;
	void *xlsx; /* private */
};

/*
 * Start a table in format f with the header row of cols (borrowed: it must
 * outlive the writer); sheet names the xlsx sheet (at most 31 characters).
 * FQ_EIO (xlsx: the temporary file), FQ_ETOOBIG. On failure nothing is
 * left to release.
 */
int fq_table_open(struct fq_table_writer *w, enum fq_export_format f, const char *sheet,
		  const struct fq_table_column *cols, size_t ncols, struct fq_err *err) FQ_WUR;
/* Append one row of ncols cells. FQ_ETOOBIG when the file grows past 512 MiB. */
int fq_table_row(struct fq_table_writer *w, const struct fq_table_cell *cells,
		 struct fq_err *err) FQ_WUR;
/*
 * Finish the table: *data (malloc'd, the caller frees it) and *len. The
 * writer is released whatever the outcome. FQ_EIO when the xlsx file cannot
 * be written or read back.
 */
int fq_table_finish(struct fq_table_writer *w, char **data, size_t *len, struct fq_err *err) FQ_WUR;
/* Drop an unfinished table (after an error). */
void fq_table_abort(struct fq_table_writer *w);
/*
 * The end of an export loop: fq_table_finish when rc is 0, else
 * fq_table_abort; returns the outcome (rc, or the finish's error).
 */
int fq_table_close(struct fq_table_writer *w, int rc, char **data, size_t *len,
		   struct fq_err *err) FQ_WUR;

#endif
