/*
 * Reading CSV files as stations export them, shared by the imports
 * (command/alert_import.c, community/import_people.c).
 *
 * fq_csv_decode takes the file's bytes as UTF-8 when they are valid UTF-8
 * (a leading byte-order mark skipped), else converts them from GB18030 with
 * iconv; a file that is neither is refused naming the line.
 *
 * The reader feeds libcsv a physical line at a time, strictly (a quote
 * inside an unquoted field, text after a closing quote, a quote left open
 * are errors, not guesses), so that every record knows the line it starts
 * on and the bytes it spans (to be read again later). Fields are bounded:
 * at most FQ_CSV_COLUMNS_MAX are kept, each at most FQ_CSV_FIELD_MAX bytes
 * (longer ones are flagged and emptied). Blank lines are skipped. After a
 * malformed record the reader goes on at the next line.
 *
 * Not thread-safe: one reader per thread.
 */
#ifndef FQ_CORE_CSVIN_H
#define FQ_CORE_CSVIN_H

#include <csv.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define FQ_CSV_COLUMNS_MAX 64
#define FQ_CSV_FIELD_MAX   (64u * 1024u)

struct fq_csv_record {
	struct fq_buf data; /* the fields, each NUL-terminated, back to back */
	size_t offset[FQ_CSV_COLUMNS_MAX];
	size_t fields;	    /* fields seen, possibly more than were kept */
	long long_field;    /* index of a field over FQ_CSV_FIELD_MAX, or -1 */
	long nul_field;	    /* index of a field holding a NUL byte, or -1 */
	int malformed;	    /* quotes out of place, or left open at the end */
	unsigned long line; /* physical line where the record starts */
	size_t start, end;  /* its bytes in the input */
	int open, done;
};

struct fq_csv_reader {
	struct csv_parser parser;
	const char *data;
	size_t len, pos;
	unsigned long line; /* line number of data[pos] */
	struct fq_csv_record rec;
};

/* Read data[0..len) (borrowed), whose first line is numbered first_line. */
void fq_csv_reader_init(struct fq_csv_reader *r, const char *data, size_t len,
			unsigned long first_line);
void fq_csv_reader_release(struct fq_csv_reader *r);
/* The next record into r->rec: 1, or 0 at the end of the input. */
int fq_csv_next(struct fq_csv_reader *r);
/* Field i (< rec->fields and < FQ_CSV_COLUMNS_MAX) as a C string. */
const char *fq_csv_field(const struct fq_csv_record *rec, size_t i);

/*
 * The text of in[0..len) as UTF-8: *out points into in (UTF-8) or into
 * *owned (GB18030 converted; free() it), *encoding says which ("UTF-8",
 * "GB18030"). FQ_EINVAL ("file_encoding", field "file") naming the line
 * where neither fits.
 */
int fq_csv_decode(const char *in, size_t len, const char **out, size_t *out_len, char **owned,
		  const char **encoding, struct fq_err *err) FQ_WUR;

#endif
