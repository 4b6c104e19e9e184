#include "io/table_out.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/alloc.h"
#include "core/timeutil.h"
#include "core/banned.h"

/* Largest CSV or xlsx answer kept in memory. */
#define EXPORT_BYTES_MAX (512u * 1024u * 1024u)

int fq_export_format_from_code(const char *code)
{
	if (code && strcmp(code, "csv") == 0)
		return FQ_EXPORT_CSV;
	if (code && strcmp(code, "xlsx") == 0)
		return FQ_EXPORT_XLSX;
	return -1;
}

const char *fq_export_content_type(enum fq_export_format f)
{
	return f == FQ_EXPORT_XLSX
		   ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		   : "text/csv; charset=utf-8";
}

const char *fq_export_extension(enum fq_export_format f)
{
	return f == FQ_EXPORT_XLSX ? "xlsx" : "csv";
}

size_t fq_export_row_cap(size_t max)
{
	const char *s = getenv("FQ_EXPORT_MAX_ROWS");
	char *end = NULL;
	long long v = s ? strtoll(s, &end, 10) : 0;
	return v > 0 && (size_t)v < max && end && !*end ? (size_t)v : max;
}

void fq_export_disposition(char *out, size_t size, const char *ascii, const char *zh,
			   int64_t now_ms, enum fq_export_format f)
{
	char day[FQ_RFC3339_MAX], enc[256];
	size_t n = 0;

	fq_time_format_cst(now_ms, day); /* 2026-11-24T08:00:00+08:00 */
	for (const unsigned char *p = (const unsigned char *)zh; *p && n + 4 < sizeof(enc); p++)
		n += (size_t)snprintf(enc + n, sizeof(enc) - n, "%%%02X", *p);
	enc[n] = '\0';
	snprintf(out, size,
		 "attachment; filename=\"%s_%.4s%.2s%.2s.%s\"; filename*=UTF-8''%s_%.4s%.2s%.2s.%s",
		 ascii, day, day + 5, day + 8, fq_export_extension(f), enc, day, day + 5, day + 8,
		 fq_export_extension(f));
}

/* "YYYY-MM-DD HH:MM:SS" in China time. */
static void cst_text(int64_t ms, char out[32])
{
	int64_t s = (ms >= 0 ? ms / 1000 : (ms - 999) / 1000) + FQ_CST_OFFSET_S;
	int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400, sod = s - days * 86400, y;
	unsigned m, d;

	fq_civil_from_days(days, &y, &m, &d);
	snprintf(out, 32, "%04lld-%02u-%02u %02d:%02d:%02d", (long long)y, m, d, (int)(sod / 3600),
		 (int)(sod / 60 % 60), (int)(sod % 60));
}

/* ---- CSV ---- */

static int csv_text(struct fq_buf *b, const char *s)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	int guard = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';
	int rc = 0;

	if (quote)
		rc = fq_buf_addch(b, '"');
	if (!rc && guard)
		rc = fq_buf_addch(b, '\'');
	for (const char *p = s; !rc && *p; p++) {
		if (*p == '"')
			rc = fq_buf_addch(b, '"');
		if (!rc)
			rc = fq_buf_addch(b, *p);
	}
	if (!rc && quote)
		rc = fq_buf_addch(b, '"');
	return rc;
}

static int csv_row(struct fq_table_writer *w, const struct fq_table_cell *cells)
{
	struct fq_buf *b = &w->csv;
	char t[32];
	int rc = 0;

	for (size_t i = 0; !rc && i < w->ncols; i++) {
		const struct fq_table_cell *c = &cells[i];
		if (i)
			rc = fq_buf_addch(b, ',');
		if (rc || c->null)
			continue;
		switch (w->cols[i].kind) {
		case FQ_CELL_TEXT:
			rc = c->text ? csv_text(b, c->text) : 0;
			break;
		case FQ_CELL_TIME:
			cst_text(c->ms, t);
			rc = fq_buf_adds(b, t);
			break;
		case FQ_CELL_REAL:
			rc = fq_buf_addf(b, "%.6f", c->real);
			break;
		case FQ_CELL_INT:
			rc = fq_buf_addf(b, "%lld", (long long)c->integer);
			break;
		}
	}
	return rc ? rc : fq_buf_adds(b, "\r\n");
}

/* ---- xlsx ---- */

struct xlsx {
	char path[64];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head, *when, *coord;
};

static int xlsx_open(struct fq_table_writer *w, const char *sheet, struct fq_err *err)
{
	const char *dir = getenv("TMPDIR");
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
	struct xlsx *x = fq_xcalloc(1, sizeof(*x));
	int fd;

	if (!dir || !*dir || strlen(dir) > 40)
		dir = "/tmp";
	snprintf(x->path, sizeof(x->path), "%s/fq-export-XXXXXX", dir);
	fd = mkstemp(x->path);
	if (fd < 0) {
		free(x);
		return fq_err_set(err, FQ_EIO, "export_failed", NULL, "无法创建临时文件：%s",
				  strerror(errno));
	}
	close(fd);
	opt.tmpdir = (char *)dir;
	x->wb = workbook_new_opt(x->path, &opt);
	if (!x->wb) {
		unlink(x->path);
		free(x);
		return fq_err_set(err, FQ_EIO, "export_failed", NULL, "无法创建 Excel 文件");
	}
	x->ws = workbook_add_worksheet(x->wb, sheet);
	x->head = workbook_add_format(x->wb);
	format_set_bold(x->head);
	format_set_bg_color(x->head, 0xDDEBF7);
	x->when = workbook_add_format(x->wb);
	format_set_num_format(x->when, "yyyy-mm-dd hh:mm:ss");
	x->coord = workbook_add_format(x->wb);
	format_set_num_format(x->coord, "0.000000");
	for (size_t i = 0; i < w->ncols; i++) {
		worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, w->cols[i].width, NULL);
		worksheet_write_string(x->ws, 0, (lxw_col_t)i, w->cols[i].header, x->head);
	}
	worksheet_freeze_panes(x->ws, 1, 0);
	w->xlsx = x;
	return 0;
}

/* One row of cells; the first libxlsxwriter error, or LXW_NO_ERROR. */
static lxw_error xlsx_row(struct fq_table_writer *w, const struct fq_table_cell *cells)
{
	struct xlsx *x = w->xlsx;
	lxw_row_t row = (lxw_row_t)w->rows + 1;
	lxw_error e = LXW_NO_ERROR;

	for (size_t i = 0; i < w->ncols && e == LXW_NO_ERROR; i++) {
		const struct fq_table_cell *c = &cells[i];
		lxw_col_t col = (lxw_col_t)i;
		if (c->null)
			continue;
		switch (w->cols[i].kind) {
		case FQ_CELL_TEXT:
			if (c->text)
				e = worksheet_write_string(x->ws, row, col, c->text, NULL);
			break;
		case FQ_CELL_TIME:
			/* Days since 1899-12-30 (Excel's epoch), in China time. */
			e = worksheet_write_number(
			    x->ws, row, col,
			    ((double)c->ms / 1000.0 + FQ_CST_OFFSET_S) / 86400.0 + 25569.0,
			    x->when);
			break;
		case FQ_CELL_REAL:
			e = worksheet_write_number(x->ws, row, col, c->real, x->coord);
			break;
		case FQ_CELL_INT:
			e = worksheet_write_number(x->ws, row, col, (double)c->integer, NULL);
			break;
		}
	}
	return e;
}

/* Close the workbook and read the file back into *data; removes the file in every case. */
static int xlsx_finish(struct xlsx *x, char **data, size_t *len, struct fq_err *err)
{
	lxw_error e = workbook_close(x->wb);
	struct stat sb;
	FILE *f = NULL;
	int rc = 0;

	x->wb = NULL;
	if (e != LXW_NO_ERROR) {
		rc = fq_err_set(err, FQ_EIO, "export_failed", NULL, "生成 Excel 文件失败：%s",
				lxw_strerror(e));
		goto out;
	}
	f = fopen(x->path, "rb");
	if (!f || fstat(fileno(f), &sb) != 0 || sb.st_size <= 0 ||
	    (size_t)sb.st_size > EXPORT_BYTES_MAX) {
		rc = fq_err_set(err, FQ_EIO, "export_failed", NULL, "读取 Excel 文件失败");
		goto out;
	}
	*len = (size_t)sb.st_size;
	*data = fq_xmalloc(*len);
	if (fread(*data, 1, *len, f) != *len) {
		free(*data);
		*data = NULL;
		rc = fq_err_set(err, FQ_EIO, "export_failed", NULL, "读取 Excel 文件失败");
	}
out:
	if (f)
		fclose(f);
	unlink(x->path);
	return rc;
}

/* ---- the writer ---- */

int fq_table_open(struct fq_table_writer *w, enum fq_export_format f, const char *sheet,
		  const struct fq_table_column *cols, size_t ncols, struct fq_err *err)
{
	int rc = 0;

	memset(w, 0, sizeof(*w));
	w->format = f;
	w->cols = cols;
	w->ncols = ncols;
	fq_buf_init(&w->csv, EXPORT_BYTES_MAX);
	if (f == FQ_EXPORT_XLSX) {
		rc = xlsx_open(w, sheet, err);
	} else {
		/* The byte order mark, then the header row. */
		rc = fq_buf_adds(&w->csv, "\xEF\xBB\xBF");
		for (size_t i = 0; !rc && i < ncols; i++)
			rc = fq_buf_addf(&w->csv, "%s%s", i ? "," : "", cols[i].header);
		if (!rc)
			rc = fq_buf_adds(&w->csv, "\r\n");
		if (rc)
			rc = fq_err_set(err, FQ_ETOOBIG, "export_too_large", NULL, "导出文件过大");
	}
	if (rc)
		fq_buf_release(&w->csv);
	return rc;
}

int fq_table_row(struct fq_table_writer *w, const struct fq_table_cell *cells, struct fq_err *err)
{
	if (w->format == FQ_EXPORT_XLSX) {
		/* A cell Excel cannot hold (text over 32,767 characters) fails the export, not the
		 * cell. */
		lxw_error e = xlsx_row(w, cells);
		if (e != LXW_NO_ERROR)
			return fq_err_set(err, FQ_EIO, "export_failed", NULL,
					  "生成 Excel 文件失败：第 %zu 行：%s", w->rows + 1,
					  lxw_strerror(e));
	} else if (csv_row(w, cells))
		return fq_err_set(err, FQ_ETOOBIG, "export_too_large", NULL, "导出文件过大");
	w->rows++;
	return 0;
}

int fq_table_finish(struct fq_table_writer *w, char **data, size_t *len, struct fq_err *err)
{
	int rc = 0;

	*data = NULL;
	*len = 0;
	if (w->format == FQ_EXPORT_XLSX) {
		rc = xlsx_finish(w->xlsx, data, len, err);
		free(w->xlsx);
		w->xlsx = NULL;
	} else {
		*data = fq_buf_detach(&w->csv, len);
	}
	fq_buf_release(&w->csv);
	return rc;
}

void fq_table_abort(struct fq_table_writer *w)
{
	struct xlsx *x = w->xlsx;

	if (x) {
		if (x->wb)
			(void)workbook_close(x->wb);
		unlink(x->path);
		free(x);
		w->xlsx = NULL;
	}
	fq_buf_release(&w->csv);
}

int fq_table_close(struct fq_table_writer *w, int rc, char **data, size_t *len, struct fq_err *err)
{
	if (rc) {
		fq_table_abort(w);
		return rc;
	}
	return fq_table_finish(w, data, len, err);
}
