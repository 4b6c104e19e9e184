#include "core/csvin.h"

#include <iconv.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/text.h"
#include "core/banned.h"

static void on_field(void *s, size_t n, void *arg)
{
	struct fq_csv_record *r = arg;
	size_t i = r->fields++;

	if (i >= FQ_CSV_COLUMNS_MAX)
		return;
	if (n > FQ_CSV_FIELD_MAX) {
		if (r->long_field < 0)
			r->long_field = (long)i;
		n = 0;
	}
	if (n && memchr(s, '\0', n) && r->nul_field < 0)
		r->nul_field = (long)i;
	r->offset[i] = r->data.len;
	/* Cannot pass the buffer's maximum: fields and their count are bounded above. */
	fq_assert(fq_buf_add(&r->data, s, n) == 0 && fq_buf_addch(&r->data, '\0') == 0);
}

static void on_row(int c, void *arg)
{
	struct fq_csv_record *r = arg;
	(void)c;
	r->done = 1;
}

void fq_csv_reader_init(struct fq_csv_reader *r, const char *data, size_t len,
			unsigned long first_line)
{
	memset(r, 0, sizeof(*r));
	/*
	 * Strict: a quote inside an unquoted field, text after a closing quote
	 * and a quote left open at the end are errors rather than guesses.
	 */
	fq_assert(csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI) == 0);
	r->data = data;
	r->len = len;
	r->line = first_line;
	fq_buf_init(&r->rec.data, FQ_CSV_COLUMNS_MAX * (FQ_CSV_FIELD_MAX + 1));
}

void fq_csv_reader_release(struct fq_csv_reader *r)
{
	csv_free(&r->parser);
	fq_buf_release(&r->rec.data);
}

const char *fq_csv_field(const struct fq_csv_record *rec, size_t i)
{
	return rec->data.buf + rec->offset[i];
}

/* Bytes up to and including the next line end ("\n", "\r\n" or a lone "\r"). */
static size_t line_length(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			return i + 1;
		if (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n'))
			return i + 1;
	}
	return n;
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/* After a malformed record: start again with a fresh parser. */
static void reader_restart(struct fq_csv_reader *r)
{
	csv_free(&r->parser);
	fq_assert(csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI) == 0);
	r->rec.malformed = r->rec.done = 1;
}

/*
 * The next record: 1 when r->rec holds one (rec.malformed set when its
 * quotes are out of place: the reader then goes on at the next line), 0 at
 * the end of the input. The input is fed to libcsv a line at a time, so
 * each record knows the line it starts on and the bytes it spans, to be
 * read again later.
 */
int fq_csv_next(struct fq_csv_reader *r)
{
	struct fq_csv_record *rec = &r->rec;

	fq_buf_reset(&rec->data);
	rec->fields = 0;
	rec->long_field = rec->nul_field = -1;
	rec->open = rec->done = rec->malformed = 0;
	while (!rec->done) {
		size_t n;

		if (r->pos >= r->len) {
			if (csv_fini(&r->parser, on_field, on_row, rec) != 0)
				reader_restart(r);
			if (!rec->done)
				return 0;
			rec->end = r->len;
			break;
		}
		n = line_length(r->data + r->pos, r->len - r->pos);
		if (!rec->open && !blank(r->data + r->pos, n)) {
			rec->open = 1;
			rec->line = r->line;
			rec->start = r->pos;
		}
		if (csv_parse(&r->parser, r->data + r->pos, n, on_field, on_row, rec) != n) {
			if (csv_error(&r->parser) != CSV_EPARSE)
				fq_die("csv_parse: out of memory");
			reader_restart(r);
		}
		if (rec->done && !rec->open) {
			rec->line = r->line;
			rec->start = r->pos;
		}
		r->pos += n;
		r->line++;
		if (rec->done)
			rec->end = r->pos;
	}
	return 1;
}

/* ---- encodings ---- */

static const char utf8_bom[] = "\xef\xbb\xbf";

static void skip_bom(const char **data, size_t *len)
{
	if (*len >= 3 && memcmp(*data, utf8_bom, 3) == 0) {
		*data += 3;
		*len -= 3;
	}
}

static unsigned long line_at(const char *data, size_t off)
{
	unsigned long line = 1;
	for (size_t i = 0; i < off; i++)
		line += data[i] == '\n';
	return line;
}

/*
 * UTF-8 as it is, else GB18030 converted into *owned (free() it). Every
 * GB18030 sequence of n bytes becomes at most n + 2 bytes of UTF-8 (one byte
 * for ASCII, three for two-byte sequences, four for four-byte ones), so
 * twice the input is enough.
 */
int fq_csv_decode(const char *in, size_t len, const char **out, size_t *out_len, char **owned,
		  const char **encoding, struct fq_err *err)
{
	iconv_t cd;
	char *src, *dst;
	size_t left, room;

	*owned = NULL;
	skip_bom(&in, &len);
	if (fq_utf8_valid(in, len)) {
		*out = in;
		*out_len = len;
		*encoding = "UTF-8";
		return 0;
	}
	cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1)
		return fq_err_set(err, FQ_EINTERNAL, "iconv", NULL, "iconv 不支持 GB18030");
	room = 2 * len + 8;
	*owned = dst = fq_xmalloc(room);
	src = (char *)in;
	left = len;
	if (iconv(cd, &src, &left, &dst, &room) == (size_t)-1) {
		unsigned long line = line_at(in, (size_t)(src - in));
		iconv_close(cd);
		free(*owned);
		*owned = NULL;
		return fq_err_set(err, FQ_EINVAL, "file_encoding", "file",
				  "第 %lu 行：文件既不是 UTF-8 也不是 GB18030 编码", line);
	}
	iconv_close(cd);
	*out = *owned;
	*out_len = (size_t)(dst - *owned);
	skip_bom(out, out_len);
	*encoding = "GB18030";
	return 0;
}
