/*
 * CSV input shared by the importers (command/alert_import.c,
 * cases/fraud_import.c): reading a file whole, its encoding (UTF-8 or
 * GB18030), records with the physical line they start on, a header matched
 * against English or Chinese column names, the checks every row gets, and
 * local times written without an offset.
 *
 * Records are fed to libcsv a line at a time in strict mode: a quote
 * inside an unquoted field, text after a closing quote and a quote left
 * open at the end mark the record malformed (the reader goes on at the
 * next line) rather than being guessed at.
 *
 * Nothing here is thread-safe per object; separate readers are
 * independent.
 */
#ifndef FQ_IO_CSV_IN_H
#define FQ_IO_CSV_IN_H

#include <csv.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/pool.h"

/* Most columns, and the longest field in bytes. */
#define FQ_CSV_COLUMNS_MAX 64
#define FQ_CSV_FIELD_MAX   (64u * 1024u)

/* One record: its fields and where it lies in the input. */
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

/* Read data[0..len) (borrowed; UTF-8), whose first line is numbered first_line. */
void fq_csv_reader_init(struct fq_csv_reader *r, const char *data, size_t len,
			unsigned long first_line);
void fq_csv_reader_release(struct fq_csv_reader *r);
/* The next record into r->rec: 1 when there is one, 0 at the end of the input. */
int fq_csv_next(struct fq_csv_reader *r);
/* Field i of a record (i < FQ_CSV_COLUMNS_MAX and < rec->fields). */
const char *fq_csv_field(const struct fq_csv_record *rec, size_t i);

/*
 * The text of a file: valid UTF-8 as it is (a leading byte-order mark
 * skipped), anything else converted from GB18030 into *owned (free() it;
 * NULL when nothing was converted). *encoding is "UTF-8" or "GB18030".
 * FQ_EINVAL "file_encoding" (field "file", naming the line) when it is
 * neither.
 */
int fq_csv_decode(const char *in, size_t len, const char **out, size_t *out_len, char **owned,
		  const char **encoding, struct fq_err *err) FQ_WUR;

/*
 * Read the file at path whole into b (initialised here with max bytes at
 * most; fq_buf_release it, also on failure). FQ_EIO "file_open" or
 * "file_read", FQ_ETOOBIG "file_too_big"; field "file".
 */
int fq_csv_read_file(const char *path, size_t max, struct fq_buf *b, struct fq_err *err) FQ_WUR;

/* A column an importer knows: its id (> 0), English and Chinese names. */
struct fq_csv_column {
	int col;
	const char *en, *zh; /* zh may be NULL */
	int required;
};

/* The header as read: for each column its id (0 for an unknown column) and name. */
struct fq_csv_header {
	size_t count;
	int col[FQ_CSV_COLUMNS_MAX];
	char *name[FQ_CSV_COLUMNS_MAX];
};

/*
 * Read the first record as the header, naming columns by their English
 * name (without regard to case) or their Chinese one. Refuses (field
 * "header" or "file", the message naming the line): an empty file, more
 * than FQ_CSV_COLUMNS_MAX columns (FQ_ETOOBIG), a malformed header, a
 * column without a name, a duplicated column, a missing required one.
 * Release h with fq_csv_header_release, also on failure.
 */
int fq_csv_read_header(struct fq_csv_reader *r, const struct fq_csv_column *names, size_t nnames,
		       struct fq_csv_header *h, struct fq_err *err) FQ_WUR;
void fq_csv_header_release(struct fq_csv_header *h);

/*
 * What only a CSV row can get wrong, checked before its values: quotes
 * out of place ("csv_quote", field "row"), a count of fields other than
 * the header's ("column_count", "row"), a field over FQ_CSV_FIELD_MAX
 * (FQ_ETOOBIG "too_long", the column's name), a NUL byte ("nul_byte").
 */
int fq_csv_check_record(const struct fq_csv_header *h, const struct fq_csv_record *rec,
			struct fq_err *err) FQ_WUR;

/*
 * "YYYY-MM-DD HH:MM[:SS]" (also with '/' and one-digit parts, 'T' between
 * date and time) without an offset, as RFC 3339 in local time: the UTC
 * offset in hours is offset_h(y, m, d, h) or +8 (China Standard Time) when
 * offset_h is NULL. Anything else is returned unchanged, for the API's
 * parser to refuse with its message. The result lives in pool.
 */
const char *fq_csv_local_time(struct fq_pool *pool, const char *s,
			      int (*offset_h)(int y, unsigned m, unsigned d, int h));

/* ASCII case-insensitive equality. */
int fq_csv_ascii_caseeq(const char *a, const char *b);

#endif
