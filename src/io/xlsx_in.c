#include "io/xlsx_in.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlreader.h>
#include <zip.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/timeutil.h"
#include "core/banned.h"

/* Most columns of a row (XFD is column 16384). */
#define XLSX_COLUMNS_MAX 16384

static int invalid(struct fq_err *err, const char *what)
{
	return fq_err_set(err, FQ_EINVAL, "xlsx_invalid", "file", "不是有效的 xlsx 文件：%s", what);
}

int fq_xlsx_looks_like(const char *data, size_t len)
{
	return len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0;
}

/* The uncompressed part name of the archive into b (initialised here); FQ_ENOTFOUND when absent. */
static int read_part(zip_t *z, const char *name, size_t max, struct fq_buf *b, struct fq_err *err)
{
	zip_stat_t zs;
	zip_file_t *f;
	char chunk[65536];
	zip_int64_t n;
	int rc = 0;

	fq_buf_init(b, max + 1);
	zip_stat_init(&zs);
	if (zip_stat(z, name, 0, &zs) != 0)
		return FQ_ENOTFOUND;
	if ((zs.valid & ZIP_STAT_SIZE) && zs.size > max)
		return fq_err_set(err, FQ_ETOOBIG, "file_too_big", "file",
				  "xlsx 文件中的 %s 解压后超过 %zu 字节", name, max);
	if (!(f = zip_fopen(z, name, 0)))
		return invalid(err, name);
	while ((n = zip_fread(f, chunk, sizeof(chunk))) > 0)
		if (fq_buf_add(b, chunk, (size_t)n)) {
			rc = fq_err_set(err, FQ_ETOOBIG, "file_too_big", "file",
					"xlsx 文件中的 %s 解压后超过 %zu 字节", name, max);
			break;
		}
	if (!rc && n < 0)
		rc = invalid(err, name);
	zip_fclose(f);
	return rc;
}

static xmlTextReaderPtr reader_of(const struct fq_buf *b, const char *name)
{
	/* No network, no entity substitution, no DTD loading. */
	return xmlReaderForMemory(b->buf ? b->buf : "", (int)b->len, name, NULL,
				  XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
}

static int is(xmlTextReaderPtr r, const char *local)
{
	const xmlChar *n = xmlTextReaderConstLocalName(r);
	return n && strcmp((const char *)n, local) == 0;
}

static char *attr(xmlTextReaderPtr r, const char *name)
{
	xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)name);
	char *s = v ? fq_xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return s;
}

/* ---- workbook: the first sheet's part, its name, the date system ---- */

static int first_sheet(zip_t *z, size_t max, char *part, size_t part_size, char *sheet,
		       size_t sheet_size, int *date1904, struct fq_err *err)
{
	struct fq_buf b;
	xmlTextReaderPtr r;
	char *rid = NULL;
	int rc;

	snprintf(part, part_size, "xl/worksheets/sheet1.xml");
	snprintf(sheet, sheet_size, "Sheet1");
	*date1904 = 0;
	rc = read_part(z, "xl/workbook.xml", max, &b, err);
	if (rc == FQ_ENOTFOUND) {
		fq_buf_release(&b);
		return invalid(err, "缺少 xl/workbook.xml");
	}
	if (rc) {
		fq_buf_release(&b);
		return rc;
	}
	if (!(r = reader_of(&b, "workbook.xml"))) {
		fq_buf_release(&b);
		return invalid(err, "xl/workbook.xml");
	}
	while ((rc = xmlTextReaderRead(r)) == 1) {
		if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
			continue;
		if (is(r, "workbookPr")) {
			char *v = attr(r, "date1904");
			*date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
			free(v);
		} else if (is(r, "sheet") && !rid) {
			char *name = attr(r, "name");
			xmlChar *v = xmlTextReaderGetAttributeNs(
			    r, (const xmlChar *)"id",
			    (const xmlChar
				 *)"http://schemas.openxmlformats.org/officeDocument/2006/"
				   "relationships");
			if (name)
				snprintf(sheet, sheet_size, "%s", name);
			free(name);
			rid = v ? fq_xstrdup((const char *)v) : fq_xstrdup("");
			xmlFree(v);
		}
	}
	xmlFreeTextReader(r);
	fq_buf_release(&b);
	if (rc < 0) {
		free(rid);
		return invalid(err, "xl/workbook.xml 格式错误");
	}
	if (!rid || !*rid) {
		free(rid);
		return 0;
	}
	/* The relationship names the part, relative to xl/ (or absolute). */
	rc = read_part(z, "xl/_rels/workbook.xml.rels", max, &b, err);
	if (rc == 0 && (r = reader_of(&b, "workbook.xml.rels"))) {
		while (xmlTextReaderRead(r) == 1) {
			char *id, *target;
			if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT ||
			    !is(r, "Relationship"))
				continue;
			id = attr(r, "Id");
			target = attr(r, "Target");
			if (id && target && strcmp(id, rid) == 0) {
				if (target[0] == '/')
					snprintf(part, part_size, "%s", target + 1);
				else
					snprintf(part, part_size, "xl/%s", target);
			}
			free(id);
			free(target);
		}
		xmlFreeTextReader(r);
	}
	fq_buf_release(&b);
	free(rid);
	return rc == FQ_ENOTFOUND ? 0 : rc;
}

/* ---- shared strings ---- */

struct strings {
	char **s;
	size_t n, cap;
};

static void strings_release(struct strings *ss)
{
	for (size_t i = 0; i < ss->n; i++)
		free(ss->s[i]);
	free(ss->s);
	memset(ss, 0, sizeof(*ss));
}

/* Text of the <t> elements under the current element, <rPh> (phonetic) runs left out. */
static int element_text(xmlTextReaderPtr r, struct fq_buf *out)
{
	int depth = xmlTextReaderDepth(r), in_t = 0, in_rph = 0, rc;

	fq_buf_reset(out);
	if (xmlTextReaderIsEmptyElement(r))
		return 0;
	while ((rc = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);
		if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(r) == depth)
			return 0;
		if (type == XML_READER_TYPE_ELEMENT && !xmlTextReaderIsEmptyElement(r)) {
			if (is(r, "t"))
				in_t = 1;
			else if (is(r, "rPh"))
				in_rph = 1;
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (is(r, "t"))
				in_t = 0;
			else if (is(r, "rPh"))
				in_rph = 0;
		} else if (in_t && !in_rph &&
			   (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
			    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
			    type == XML_READER_TYPE_WHITESPACE)) {
			const xmlChar *v = xmlTextReaderConstValue(r);
			if (v && fq_buf_adds(out, (const char *)v))
				return FQ_ETOOBIG;
		}
	}
	return rc < 0 ? FQ_EINVAL : 0;
}

static int shared_strings(zip_t *z, size_t max, struct strings *ss, struct fq_err *err)
{
	struct fq_buf b, t;
	xmlTextReaderPtr r;
	int rc = read_part(z, "xl/sharedStrings.xml", max, &b, err);

	if (rc == FQ_ENOTFOUND) {
		fq_buf_release(&b);
		return 0;
	}
	if (rc || !(r = reader_of(&b, "sharedStrings.xml"))) {
		fq_buf_release(&b);
		return rc ? rc : invalid(err, "xl/sharedStrings.xml");
	}
	fq_buf_init(&t, max + 1);
	while (!rc && (rc = xmlTextReaderRead(r)) == 1) {
		rc = 0;
		if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT || !is(r, "si"))
			continue;
		if ((rc = element_text(r, &t)))
			break;
		if (ss->n == ss->cap) {
			ss->cap = ss->cap ? ss->cap * 2 : 256;
			ss->s = fq_xrealloc(ss->s, ss->cap * sizeof(*ss->s));
		}
		ss->s[ss->n++] = fq_xstrdup(t.buf ? t.buf : "");
	}
	xmlFreeTextReader(r);
	fq_buf_release(&t);
	fq_buf_release(&b);
	if (rc == FQ_ETOOBIG)
		return fq_err_set(err, FQ_ETOOBIG, "file_too_big", "file", "共享字符串过长");
	return rc < 0 || rc == FQ_EINVAL ? invalid(err, "xl/sharedStrings.xml 格式错误") : 0;
}

/* ---- styles: which cell formats (xf indexes) show dates ---- */

struct styles {
	unsigned char *is_date; /* by xf index */
	size_t n;
};

static int builtin_date(long id)
{
	return (id >= 14 && id <= 22) || (id >= 45 && id <= 47);
}

/* A custom number format shows a date when it has y, m, d (or h, s) outside quotes and brackets. */
static int format_is_date(const char *code)
{
	int quoted = 0, bracket = 0;

	for (const char *p = code; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '[')
			bracket = 1;
		else if (!quoted && *p == ']')
			bracket = 0;
		else if (!quoted && !bracket && strchr("ymdYMD", *p))
			return 1;
	}
	return 0;
}

/*
 * The date formats of xl/styles.xml. A workbook without it has no dates (every number is a
 * number); one that cannot be read fails the import, as its dates would come in as serial
 * numbers.
 */
static int styles_read(zip_t *z, size_t max, struct styles *st, struct fq_err *err)
{
	struct {
		long id;
		int date;
	} custom[256];
	size_t ncustom = 0, cap = 0;
	struct fq_buf b;
	xmlTextReaderPtr r;
	int in_xfs = 0, rc;

	memset(st, 0, sizeof(*st));
	rc = read_part(z, "xl/styles.xml", max, &b, err);
	if (rc == FQ_ENOTFOUND) {
		fq_buf_release(&b);
		return 0;
	}
	if (rc || !(r = reader_of(&b, "styles.xml"))) {
		fq_buf_release(&b);
		return rc ? rc : invalid(err, "xl/styles.xml");
	}
	while ((rc = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);
		if (type == XML_READER_TYPE_END_ELEMENT && is(r, "cellXfs"))
			in_xfs = 0;
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		if (is(r, "numFmt") && ncustom < sizeof(custom) / sizeof(custom[0])) {
			char *id = attr(r, "numFmtId"), *code = attr(r, "formatCode");
			if (id && code) {
				custom[ncustom].id = strtol(id, NULL, 10);
				custom[ncustom++].date = format_is_date(code);
			}
			free(id);
			free(code);
		} else if (is(r, "cellXfs")) {
			in_xfs = !xmlTextReaderIsEmptyElement(r);
		} else if (in_xfs && is(r, "xf")) {
			char *id = attr(r, "numFmtId");
			long fmt = id ? strtol(id, NULL, 10) : 0;
			int date = builtin_date(fmt);
			for (size_t i = 0; i < ncustom; i++)
				if (custom[i].id == fmt)
					date = custom[i].date;
			free(id);
			if (st->n == cap) {
				cap = cap ? cap * 2 : 64;
				st->is_date = fq_xrealloc(st->is_date, cap);
			}
			st->is_date[st->n++] = (unsigned char)date;
		}
	}
	xmlFreeTextReader(r);
	fq_buf_release(&b);
	return rc < 0 ? invalid(err, "xl/styles.xml 格式错误") : 0;
}

/* ---- the sheet ---- */

/* Column index (0-based) of a reference "BC12"; -1 when it has no letters. */
static long column_of(const char *ref)
{
	long col = 0;
	int n = 0;

	for (; *ref >= 'A' && *ref <= 'Z'; ref++, n++)
		col = col * 26 + (*ref - 'A' + 1);
	return n && n <= 3 && col <= XLSX_COLUMNS_MAX ? col - 1 : -1;
}

/* Excel serial (days since 1899-12-30, or 1904-01-01) as a date, with the time when it has one. */
static int serial_date(double v, int date1904, struct fq_buf *out)
{
	double days = floor(v);
	long secs = lround((v - days) * 86400.0);
	int64_t y;
	unsigned m, d;

	if (secs >= 86400) {
		days += 1;
		secs -= 86400;
	}
	/* 25569 = days from 1899-12-30 to 1970-01-01; 1904 system adds 1462. */
	fq_civil_from_days((int64_t)days - 25569 + (date1904 ? 1462 : 0), &y, &m, &d);
	fq_buf_reset(out);
	if (secs)
		return fq_buf_addf(out, "%04lld-%02u-%02u %02ld:%02ld:%02ld", (long long)y, m, d,
				   secs / 3600, secs / 60 % 60, secs % 60)
			   ? FQ_ETOOBIG
			   : 0;
	return fq_buf_addf(out, "%04lld-%02u-%02u", (long long)y, m, d) ? FQ_ETOOBIG : 0;
}

struct sheet {
	struct fq_buf csv, cell, value;
	char **fields; /* the current row's cells, by column */
	size_t nfields, cap;
	size_t width; /* the header's */
	unsigned long line;
	unsigned long *rows;
	size_t nrows_cap;
	int have_header;
};

static void row_clear(struct sheet *s)
{
	for (size_t i = 0; i < s->nfields; i++) {
		free(s->fields[i]);
		s->fields[i] = NULL;
	}
	s->nfields = 0;
}

static void row_set(struct sheet *s, size_t col, const char *text)
{
	if (col >= s->cap) {
		size_t cap = s->cap ? s->cap : 32;
		while (cap <= col)
			cap *= 2;
		s->fields = fq_xrealloc(s->fields, cap * sizeof(*s->fields));
		memset(s->fields + s->cap, 0, (cap - s->cap) * sizeof(*s->fields));
		s->cap = cap;
	}
	free(s->fields[col]);
	s->fields[col] = fq_xstrdup(text);
	if (col + 1 > s->nfields)
		s->nfields = col + 1;
}

/* Emit the current row as one CSV record (nothing for a row without text). */
static int row_emit(struct sheet *s, unsigned long sheet_row)
{
	size_t last = 0, width;
	int any = 0, rc = 0;

	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i] && *s->fields[i]) {
			any = 1;
			last = i + 1;
		}
	if (!any)
		return 0;
	if (!s->have_header) {
		s->width = last;
		s->have_header = 1;
	}
	width = last > s->width ? last : s->width;
	/* The record starts on this CSV line. */
	if (s->line >= s->nrows_cap) {
		size_t cap = s->nrows_cap ? s->nrows_cap * 2 : 1024;
		while (cap <= s->line)
			cap *= 2;
		s->rows = fq_xrealloc(s->rows, cap * sizeof(*s->rows));
		memset(s->rows + s->nrows_cap, 0, (cap - s->nrows_cap) * sizeof(*s->rows));
		s->nrows_cap = cap;
	}
	s->rows[s->line] = sheet_row;
	for (size_t i = 0; !rc && i < width; i++) {
		const char *f = i < s->nfields && s->fields[i] ? s->fields[i] : "";
		if (i)
			rc = fq_buf_addch(&s->csv, ',');
		if (!rc)
			rc = fq_buf_addch(&s->csv, '"');
		for (const char *p = f; !rc && *p; p++) {
			if (*p == '"')
				rc = fq_buf_addch(&s->csv, '"');
			else if (*p == '\n')
				s->line++;
			if (!rc)
				rc = fq_buf_addch(&s->csv, *p);
		}
		if (!rc)
			rc = fq_buf_addch(&s->csv, '"');
	}
	if (!rc)
		rc = fq_buf_addch(&s->csv, '\n');
	s->line++;
	return rc;
}

/* The value of cell element c (type t, style xf) into s->cell. */
static int cell_value(xmlTextReaderPtr r, struct sheet *s, const char *t, long xf,
		      const struct strings *ss, const struct styles *st, int date1904)
{
	int depth = xmlTextReaderDepth(r), rc, in_v = 0;

	fq_buf_reset(&s->cell);
	fq_buf_reset(&s->value);
	if (xmlTextReaderIsEmptyElement(r))
		return 0;
	while ((rc = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);
		if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(r) == depth)
			break;
		if (type == XML_READER_TYPE_ELEMENT && is(r, "is")) {
			if ((rc = element_text(r, &s->cell)))
				return rc;
		} else if (type == XML_READER_TYPE_ELEMENT && is(r, "v")) {
			in_v = !xmlTextReaderIsEmptyElement(r);
		} else if (type == XML_READER_TYPE_END_ELEMENT && is(r, "v")) {
			in_v = 0;
		} else if (in_v && (type == XML_READER_TYPE_TEXT ||
				    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE)) {
			const xmlChar *v = xmlTextReaderConstValue(r);
			if (v && fq_buf_adds(&s->value, (const char *)v))
				return FQ_ETOOBIG;
		}
	}
	if (rc < 0)
		return FQ_EINVAL;
	if (!s->value.len)
		return 0; /* inline string, or no value */
	if (t && strcmp(t, "s") == 0) {
		char *end;
		long i = strtol(s->value.buf, &end, 10);
		if (*end || i < 0 || (size_t)i >= ss->n)
			return FQ_EINVAL;
		return fq_buf_adds(&s->cell, ss->s[i]) ? FQ_ETOOBIG : 0;
	}
	if (t && strcmp(t, "b") == 0)
		return fq_buf_adds(&s->cell, strcmp(s->value.buf, "1") == 0 ? "TRUE" : "FALSE")
			   ? FQ_ETOOBIG
			   : 0;
	if ((!t || strcmp(t, "n") == 0) && xf >= 0 && (size_t)xf < st->n && st->is_date[xf]) {
		char *end;
		double v = strtod(s->value.buf, &end);
		if (!*end && v >= 1 && v < 2958466) /* up to 9999-12-31 */
			return serial_date(v, date1904, &s->cell);
	}
	return fq_buf_adds(&s->cell, s->value.buf) ? FQ_ETOOBIG : 0;
}

static int read_sheet(zip_t *z, const char *part, size_t max, const struct strings *ss,
		      const struct styles *st, int date1904, struct fq_xlsx_csv *out,
		      struct fq_err *err)
{
	struct fq_buf b;
	struct sheet s;
	xmlTextReaderPtr r;
	unsigned long row = 0;
	long next_col = 0;
	int in_row = 0, rc = read_part(z, part, max, &b, err);

	if (rc == FQ_ENOTFOUND) {
		fq_buf_release(&b);
		return fq_err_set(err, FQ_EINVAL, "xlsx_invalid", "file",
				  "不是有效的 xlsx 文件：缺少工作表 %s", part);
	}
	if (rc || !(r = reader_of(&b, part))) {
		fq_buf_release(&b);
		return rc ? rc : invalid(err, part);
	}
	memset(&s, 0, sizeof(s));
	fq_buf_init(&s.csv, max + 1);
	fq_buf_init(&s.cell, max + 1);
	fq_buf_init(&s.value, max + 1);
	s.line = 1;
	while (!rc && (rc = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);
		rc = 0;
		if (type == XML_READER_TYPE_ELEMENT && is(r, "row")) {
			char *n = attr(r, "r");
			row = n ? strtoul(n, NULL, 10) : row + 1;
			free(n);
			next_col = 0;
			row_clear(&s);
			in_row = 1;
			if (xmlTextReaderIsEmptyElement(r))
				in_row = 0;
		} else if (type == XML_READER_TYPE_END_ELEMENT && is(r, "row")) {
			rc = row_emit(&s, row);
			in_row = 0;
		} else if (in_row && type == XML_READER_TYPE_ELEMENT && is(r, "c")) {
			char *ref = attr(r, "r"), *t = attr(r, "t"), *sx = attr(r, "s");
			long col = ref ? column_of(ref) : next_col;
			long xf = sx ? strtol(sx, NULL, 10) : 0;
			free(ref);
			free(sx);
			if (col < 0 || col >= XLSX_COLUMNS_MAX) {
				free(t);
				rc = FQ_EINVAL;
				break;
			}
			rc = cell_value(r, &s, t, xf, ss, st, date1904);
			free(t);
			if (!rc && s.cell.len)
				row_set(&s, (size_t)col, s.cell.buf);
			next_col = col + 1;
		}
	}
	xmlFreeTextReader(r);
	fq_buf_release(&b);
	fq_buf_release(&s.cell);
	fq_buf_release(&s.value);
	row_clear(&s);
	free(s.fields);
	if (rc == FQ_ETOOBIG || rc < 0 || rc == FQ_EINVAL) {
		fq_buf_release(&s.csv);
		free(s.rows);
		if (rc == FQ_ETOOBIG)
			return fq_err_set(err, FQ_ETOOBIG, "file_too_big", "file",
					  "xlsx 工作表转换后超过 %zu 字节", max);
		return fq_err_set(err, FQ_EINVAL, "xlsx_invalid", "file",
				  "不是有效的 xlsx 文件：工作表 %s 格式错误（第 %lu 行附近）", part,
				  row);
	}
	if (fq_buf_addch(&s.csv, '\0') == 0)
		s.csv.len--;
	out->csv = fq_buf_detach(&s.csv, &out->len);
	if (!out->csv)
		out->csv = fq_xstrdup("");
	fq_buf_release(&s.csv);
	out->rows = s.rows;
	out->nlines = s.rows ? s.nrows_cap : 0;
	return 0;
}

int fq_xlsx_to_csv(const char *data, size_t len, size_t max_bytes, struct fq_xlsx_csv *out,
		   struct fq_err *err)
{
	zip_source_t *src;
	zip_error_t ze;
	zip_t *z;
	struct strings ss = {0};
	struct styles st = {0};
	char part[256];
	int date1904 = 0, rc;

	memset(out, 0, sizeof(*out));
	zip_error_init(&ze);
	if (!(src = zip_source_buffer_create(data, len, 0, &ze))) {
		zip_error_fini(&ze);
		return invalid(err, "无法读取");
	}
	if (!(z = zip_open_from_source(src, ZIP_RDONLY, &ze))) {
		zip_source_free(src);
		zip_error_fini(&ze);
		return invalid(err, "不是 zip 压缩包");
	}
	zip_error_fini(&ze);
	xmlInitParser();
	rc = first_sheet(z, max_bytes, part, sizeof(part), out->sheet, sizeof(out->sheet),
			 &date1904, err);
	if (!rc)
		rc = shared_strings(z, max_bytes, &ss, err);
	if (!rc)
		rc = styles_read(z, max_bytes, &st, err);
	if (!rc)
		rc = read_sheet(z, part, max_bytes, &ss, &st, date1904, out, err);
	strings_release(&ss);
	free(st.is_date);
	zip_discard(z);
	if (rc)
		fq_xlsx_csv_release(out);
	return rc;
}

void fq_xlsx_csv_release(struct fq_xlsx_csv *x)
{
	free(x->csv);
	free(x->rows);
	memset(x, 0, sizeof(*x));
}

unsigned long fq_xlsx_sheet_row(const struct fq_xlsx_csv *x, unsigned long line)
{
	return line < x->nlines && x->rows[line] ? x->rows[line] : line;
}
