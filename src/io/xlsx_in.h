/*
 * Reading the first worksheet of an xlsx workbook (Office Open XML
 * SpreadsheetML) as CSV text, so that the CSV importers (io/csv_in.h) take
 * xlsx files as they take CSV ones.
 *
 * Debian 12 packages no xlsx reader for C (libxlsxwriter only writes, freexl
 * reads the old .xls): the workbook is opened as a zip with libzip and its
 * parts read with libxml2's streaming reader. What is read:
 *   xl/workbook.xml + xl/_rels/workbook.xml.rels  the first sheet's part
 *                                 (xl/worksheets/sheet1.xml when they say nothing)
 *   xl/sharedStrings.xml          shared strings (rich-text runs joined,
 *                                 phonetic runs <rPh> left out)
 *   xl/styles.xml                 which cell formats are dates
 *   the sheet                     cells of type s (shared), inlineStr, str
 *                                 (a formula's cached text), b, e, n
 * Numbers are written as the sheet stores them ("13812345678", "29.71"),
 * except numbers in a date format (built-in formats 14-22, 45-47, or a
 * custom format with y, m or d outside quotes and brackets), which become
 * "YYYY-MM-DD" (or "YYYY-MM-DD HH:MM:SS" when the serial has a time of day;
 * 1900 date system; 1904 when the workbook says so).
 *
 * The CSV: every field quoted (quotes doubled), records ended by LF, one
 * record per non-empty sheet row, cells placed by their reference (gaps
 * become empty fields), each record as wide as the first one (the header)
 * or as its last non-empty cell. A cell's text may hold line breaks, so a
 * record can span several CSV lines: fq_xlsx_sheet_row maps the line a
 * record starts on back to its row number in the sheet, which is what
 * error messages must name ("line N" is the sheet's row N).
 *
 * Limits: every part at most max_bytes uncompressed (zip bombs are refused
 * before inflating), the CSV at most max_bytes. Errors (field "file"):
 * FQ_EINVAL "xlsx_invalid" (not a zip, a part missing or malformed, the
 * message says which), FQ_ETOOBIG "file_too_big". Thread-safe (no shared
 * state; libxml2 is initialised by the first call).
 */
#ifndef FQ_IO_XLSX_IN_H
#define FQ_IO_XLSX_IN_H

#include <stddef.h>

#include "core/err.h"

struct fq_xlsx_csv {
	char *csv; /* NUL-terminated, UTF-8 */
	size_t len;
	unsigned long *rows; /* rows[line] = the sheet row of the record starting at CSV line */
	size_t nlines;	     /* entries of rows (CSV lines + 1) */
	char sheet[64];	     /* the sheet's name, for messages */
};

/* Whether data starts like a zip archive (an xlsx) rather than text. */
int fq_xlsx_looks_like(const char *data, size_t len);

/* The first worksheet of the workbook in data[0..len) as CSV into *out. */
int fq_xlsx_to_csv(const char *data, size_t len, size_t max_bytes, struct fq_xlsx_csv *out,
		   struct fq_err *err) FQ_WUR;
void fq_xlsx_csv_release(struct fq_xlsx_csv *x);

/* The sheet row where the record starting at CSV line (1-based) lies; line itself when unknown. */
unsigned long fq_xlsx_sheet_row(const struct fq_xlsx_csv *x, unsigned long line);

#endif
