#include "io/csv_in.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
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

int fq_csv_ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
		if (x != y)
			return 0;
	}
	return *a == *b;
}

void fq_csv_header_release(struct fq_csv_header *h)
{
	for (size_t i = 0; i < h->count; i++)
		free(h->name[i]);
	h->count = 0;
}

int fq_csv_read_header(struct fq_csv_reader *r, const struct fq_csv_column *names, size_t nnames,
		       struct fq_csv_header *h, struct fq_err *err)
{
	int rc = fq_csv_next(r);

	memset(h, 0, sizeof(*h));
	if (rc == 0)
		return fq_err_set(err, FQ_EINVAL, "empty_file", "file", "文件是空的：缺少表头");
	if (r->rec.fields > FQ_CSV_COLUMNS_MAX)
		return fq_err_set(err, FQ_ETOOBIG, "too_many_columns", "header",
				  "第 %lu 行：表头超过 %d 列", r->rec.line, FQ_CSV_COLUMNS_MAX);
	if (r->rec.long_field >= 0 || r->rec.nul_field >= 0 || r->rec.malformed)
		return fq_err_set(err, FQ_EINVAL, "bad_header", "header",
				  "第 %lu 行：表头的格式不对（引号、过长或含 NUL 的列名）",
				  r->rec.line);
	for (size_t i = 0; i < r->rec.fields; i++) {
		const char *name = fq_csv_field(&r->rec, i);
		h->name[i] = fq_xstrdup(name);
		h->col[i] = 0;
		h->count = i + 1;
		if (!*name)
			return fq_err_set(err, FQ_EINVAL, "bad_header", "header",
					  "第 %lu 行：第 %zu 列没有列名", r->rec.line, i + 1);
		for (size_t k = 0; k < nnames; k++)
			if (fq_csv_ascii_caseeq(name, names[k].en) ||
			    (names[k].zh && strcmp(name, names[k].zh) == 0))
				h->col[i] = names[k].col;
		for (size_t k = 0; k < i; k++)
			if (strcmp(h->name[k], name) == 0 || (h->col[i] && h->col[k] == h->col[i]))
				return fq_err_set(err, FQ_EINVAL, "duplicate_column", "header",
						  "第 %lu 行：列“%s”重复", r->rec.line, name);
	}
	for (size_t k = 0; k < nnames; k++) {
		int seen = 0;
		for (size_t i = 0; i < h->count; i++)
			seen |= h->col[i] == names[k].col;
		if (names[k].required && !seen)
			return fq_err_set(err, FQ_EINVAL, "missing_column", "header",
					  "第 %lu 行：表头缺少列 %s%s%s%s", r->rec.line,
					  names[k].en, names[k].zh ? "（" : "",
					  names[k].zh ? names[k].zh : "", names[k].zh ? "）" : "");
	}
	return 0;
}

int fq_csv_check_record(const struct fq_csv_header *h, const struct fq_csv_record *rec,
			struct fq_err *err)
{
	if (rec->malformed)
		return fq_err_set(
		    err, FQ_EINVAL, "csv_quote", "row",
		    "CSV 格式错误：引号的位置不对或没有闭合（字段中的引号须写成两个引号，"
		    "含逗号、引号或换行的字段须用引号括起）");
	if (rec->fields != h->count)
		return fq_err_set(err, FQ_EINVAL, "column_count", "row",
				  "该行有 %zu 列，表头有 %zu 列", rec->fields, h->count);
	if (rec->long_field >= 0)
		return fq_err_set(err, FQ_ETOOBIG, "too_long", h->name[rec->long_field],
				  "超过 %u 字节", FQ_CSV_FIELD_MAX);
	if (rec->nul_field >= 0)
		return fq_err_set(err, FQ_EINVAL, "nul_byte", h->name[rec->nul_field],
				  "含有 NUL 字符");
	return 0;
}

int fq_csv_read_file(const char *path, size_t max, struct fq_buf *b, struct fq_err *err)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	int rc = 0;

	fq_buf_init(b, max);
	if (!f)
		return fq_err_set(err, FQ_EIO, "file_open", "file", "无法打开 %s：%s", path,
				  strerror(errno));
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (fq_buf_add(b, chunk, n))
			rc = fq_err_set(err, FQ_ETOOBIG, "file_too_big", "file",
					"文件超过 %zu 字节", max);
	if (!rc && ferror(f))
		rc = fq_err_set(err, FQ_EIO, "file_read", "file", "读取 %s 失败", path);
	fclose(f);
	return rc;
}

/*
 * "YYYY-MM-DD HH:MM[:SS]" or with '/' and one-digit parts, without an
 * offset, as RFC 3339 in local time. Anything else is left to the API's
 * parser, which names the error.
 */
const char *fq_csv_local_time(struct fq_pool *pool, const char *s,
			      int (*offset_h)(int y, unsigned m, unsigned d, int h))
{
	int v[6] = {0}, n = 0, off_h;
	const char *p = s;

	for (; n < 6; n++) {
		int digits = 0;
		if (n == 5 && !*p)
			break;
		while (*p >= '0' && *p <= '9' && digits < 4) {
			v[n] = v[n] * 10 + (*p++ - '0');
			digits++;
		}
		if (!digits || (n == 0 && digits != 4) || (n > 0 && digits > 2))
			return s;
		if (n == 5 || (n == 4 && !*p))
			continue;
		if ((n < 2 && *p != '-' && *p != '/') || (n == 2 && *p != ' ' && *p != 'T') ||
		    (n > 2 && *p != ':'))
			return s;
		p++;
	}
	if (*p || n < 5 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31)
		return s;
	off_h = offset_h ? offset_h(v[0], (unsigned)v[1], (unsigned)v[2], v[3]) : 8;
	return fq_pool_printf(pool, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:00", v[0], v[1], v[2],
			      v[3], v[4], v[5], off_h < 0 ? '-' : '+', abs(off_h));
}
