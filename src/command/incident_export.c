#include "command/incident_export.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "command/taxonomy.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/phone.h"
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

enum cell_kind { CELL_TEXT, CELL_TIME, CELL_REAL, CELL_INT };

struct column {
	const char *header;
	enum cell_kind kind;
	double width; /* xlsx column width, in characters */
};

static const struct column columns[] = {
    {"编号", CELL_TEXT, 30},	 {"接警时间", CELL_TIME, 20}, {"最后报警时间", CELL_TIME, 20},
    {"类别", CELL_TEXT, 10},	 {"细类", CELL_TEXT, 14},     {"状态", CELL_TEXT, 8},
    {"优先级", CELL_INT, 7},	 {"所属单位", CELL_TEXT, 14}, {"网格", CELL_TEXT, 14},
    {"地址", CELL_TEXT, 36},	 {"纬度", CELL_REAL, 11},     {"经度", CELL_REAL, 11},
    {"报警人", CELL_TEXT, 10},	 {"报警电话", CELL_TEXT, 16}, {"报警次数", CELL_INT, 9},
    {"重复报警", CELL_TEXT, 9},	 {"重复地点", CELL_TEXT, 9},  {"派警时间", CELL_TIME, 20},
    {"到场时间", CELL_TIME, 20}, {"处置结果", CELL_TEXT, 36}, {"反馈情况", CELL_TEXT, 36},
    {"结案原因", CELL_TEXT, 10}, {"结案时间", CELL_TIME, 20}, {"并入警情", CELL_TEXT, 30},
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

const char *const fq_incident_export_headers[] = {
    "编号",	"接警时间", "最后报警时间", "类别",	"细类",	    "状态",	"优先级",
    "所属单位", "网格",	    "地址",	    "纬度",	"经度",	    "报警人",	"报警电话",
    "报警次数", "重复报警", "重复地点",	    "派警时间", "到场时间", "处置结果", "反馈情况",
    "结案原因", "结案时间", "并入警情",	    NULL,
};
_Static_assert(sizeof(fq_incident_export_headers) / sizeof(fq_incident_export_headers[0]) ==
		   NCOLS + 1,
	       "one header per column");

struct cell {
	int null;
	const char *text;
	int64_t ms;
	double real;
	int64_t integer;
};

/* The rows: the filters of fq_incident_list, with the first alert and the dispatch times. */
#define EXPORT_SQL                                                                                 \
	"SELECT i.number, i.first_received_at, i.last_received_at, i.category, i.state,"           \
	" i.priority, i.unit_code, i.grid_code, i.address, i.lat, i.lon, a.caller_name,"           \
	" a.caller_phone, a.caller_phone_norm, i.alert_count, i.repeat_caller, i.repeat_place,"    \
	" (SELECT MIN(d.dispatched_at) FROM dispatch d WHERE d.incident_id = i.id),"               \
	" (SELECT MIN(d.on_scene_at) FROM dispatch d WHERE d.incident_id = i.id),"                 \
	" i.disposal, i.feedback, i.close_reason, i.closed_at, m.number"                           \
	" FROM incident i JOIN unit u ON u.code = i.unit_code"                                     \
	" LEFT JOIN alert a ON a.id = (SELECT x.id FROM alert x WHERE x.incident_id = i.id"        \
	" ORDER BY x.received_at, x.id LIMIT 1)"                                                   \
	" LEFT JOIN incident m ON m.id = i.merged_into"                                            \
	" WHERE " FQ_INCIDENT_FILTER_SQL " ORDER BY i.first_received_at DESC, i.id DESC LIMIT ?"

static const char *close_reason_label(const char *code)
{
	if (!code)
		return NULL;
	if (strcmp(code, "unfounded") == 0)
		return "不实警情";
	if (strcmp(code, "duplicate") == 0)
		return "重复报警";
	if (strcmp(code, "merged") == 0)
		return "已并入其他警情";
	return code;
}

static void text_cell(struct cell *c, struct fq_stmt *st, int col)
{
	c->text = fq_stmt_text(st, col);
	c->null = c->text == NULL;
}

/* Fill cells[NCOLS] from a row of EXPORT_SQL; masked is the phone buffer. */
static void row_cells(struct fq_stmt *st, int mask_phones, char masked[FQ_PHONE_MAX + 1],
		      struct cell cells[NCOLS])
{
	const struct fq_category *cat = fq_taxonomy_find(fq_stmt_text(st, 3));
	int s = fq_incident_state_from_code(fq_stmt_text(st, 4));
	const char *phone = fq_stmt_text(st, 12), *norm = fq_stmt_text(st, 13);

	memset(cells, 0, sizeof(struct cell) * NCOLS);
	text_cell(&cells[0], st, 0);
	cells[1].ms = fq_stmt_int(st, 1);
	cells[2].ms = fq_stmt_int(st, 2);
	cells[3].text = cat ? cat->top_label : fq_stmt_text(st, 3);
	cells[4].text = cat ? cat->label : fq_stmt_text(st, 3);
	cells[5].text = s >= 0 ? fq_incident_state_label(s) : fq_stmt_text(st, 4);
	cells[6].integer = fq_stmt_int(st, 5);
	text_cell(&cells[7], st, 6);
	text_cell(&cells[8], st, 7);
	text_cell(&cells[9], st, 8);
	cells[10].null = cells[11].null = fq_stmt_is_null(st, 9);
	cells[10].real = fq_stmt_double(st, 9);
	cells[11].real = fq_stmt_double(st, 10);
	text_cell(&cells[12], st, 11);
	/* The phone as the JSON of the list shows it (command/incident.c, alert_row). */
	if (!phone)
		cells[13].null = 1;
	else if (!mask_phones)
		cells[13].text = phone;
	else if (norm && *norm && fq_phone_mask(norm, masked) == 0)
		cells[13].text = masked;
	else
		cells[13].text = "***";
	cells[14].integer = fq_stmt_int(st, 14);
	cells[15].text = fq_stmt_int(st, 15) ? "是" : "否";
	cells[16].text = fq_stmt_int(st, 16) ? "是" : "否";
	cells[17].null = fq_stmt_is_null(st, 17);
	cells[17].ms = fq_stmt_int(st, 17);
	cells[18].null = fq_stmt_is_null(st, 18);
	cells[18].ms = fq_stmt_int(st, 18);
	text_cell(&cells[19], st, 19);
	text_cell(&cells[20], st, 20);
	cells[21].text = close_reason_label(fq_stmt_text(st, 21));
	cells[21].null = cells[21].text == NULL;
	cells[22].null = fq_stmt_is_null(st, 22);
	cells[22].ms = fq_stmt_int(st, 22);
	text_cell(&cells[23], st, 23);
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

static int csv_row(struct fq_buf *b, const struct cell *cells)
{
	char t[32];
	int rc = 0;

	for (size_t i = 0; !rc && i < NCOLS; i++) {
		const struct cell *c = &cells[i];
		if (i)
			rc = fq_buf_addch(b, ',');
		if (rc || c->null)
			continue;
		switch (columns[i].kind) {
		case CELL_TEXT:
			rc = c->text ? csv_text(b, c->text) : 0;
			break;
		case CELL_TIME:
			cst_text(c->ms, t);
			rc = fq_buf_adds(b, t);
			break;
		case CELL_REAL:
			rc = fq_buf_addf(b, "%.6f", c->real);
			break;
		case CELL_INT:
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

static int xlsx_error(lxw_error e, struct fq_err *err)
{
	return fq_err_set(err, FQ_EIO, "export_failed", NULL, "生成 Excel 文件失败：%s",
			  lxw_strerror(e));
}

static int xlsx_open(struct xlsx *x, struct fq_err *err)
{
	const char *dir = getenv("TMPDIR");
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
	int fd;

	if (!dir || !*dir || strlen(dir) > 40)
		dir = "/tmp";
	snprintf(x->path, sizeof(x->path), "%s/fq-export-XXXXXX", dir);
	fd = mkstemp(x->path);
	if (fd < 0)
		return fq_err_set(err, FQ_EIO, "export_failed", NULL, "无法创建临时文件：%s",
				  strerror(errno));
	close(fd);
	opt.tmpdir = (char *)dir;
	x->wb = workbook_new_opt(x->path, &opt);
	if (!x->wb) {
		unlink(x->path);
		return fq_err_set(err, FQ_EIO, "export_failed", NULL, "无法创建 Excel 文件");
	}
	x->ws = workbook_add_worksheet(x->wb, "警情");
	x->head = workbook_add_format(x->wb);
	format_set_bold(x->head);
	format_set_bg_color(x->head, 0xDDEBF7);
	x->when = workbook_add_format(x->wb);
	format_set_num_format(x->when, "yyyy-mm-dd hh:mm:ss");
	x->coord = workbook_add_format(x->wb);
	format_set_num_format(x->coord, "0.000000");
	for (size_t i = 0; i < NCOLS; i++) {
		worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, columns[i].width, NULL);
		worksheet_write_string(x->ws, 0, (lxw_col_t)i, columns[i].header, x->head);
	}
	worksheet_freeze_panes(x->ws, 1, 0);
	return 0;
}

static void xlsx_row(struct xlsx *x, lxw_row_t row, const struct cell *cells)
{
	for (size_t i = 0; i < NCOLS; i++) {
		const struct cell *c = &cells[i];
		lxw_col_t col = (lxw_col_t)i;
		if (c->null)
			continue;
		switch (columns[i].kind) {
		case CELL_TEXT:
			if (c->text)
				worksheet_write_string(x->ws, row, col, c->text, NULL);
			break;
		case CELL_TIME:
			/* Days since 1899-12-30 (Excel's epoch), in China time. */
			worksheet_write_number(
			    x->ws, row, col,
			    ((double)c->ms / 1000.0 + FQ_CST_OFFSET_S) / 86400.0 + 25569.0,
			    x->when);
			break;
		case CELL_REAL:
			worksheet_write_number(x->ws, row, col, c->real, x->coord);
			break;
		case CELL_INT:
			worksheet_write_number(x->ws, row, col, (double)c->integer, NULL);
			break;
		}
	}
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
		rc = xlsx_error(e, err);
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

static void xlsx_abort(struct xlsx *x)
{
	if (x->wb)
		(void)workbook_close(x->wb);
	x->wb = NULL;
	unlink(x->path);
}

int fq_incident_export(struct fq_dbc *c, const struct fq_incident_query *q, enum fq_export_format f,
		       int mask_phones, size_t max_rows, char **data, size_t *len, size_t *rows,
		       struct fq_err *err)
{
	const char *state = q->state;
	int open_only = state && strcmp(state, "open") == 0;
	char masked[FQ_PHONE_MAX + 1];
	struct cell cells[NCOLS];
	struct fq_stmt *st;
	struct fq_buf b;
	struct xlsx x;
	size_t n = 0;
	int rc;

	*data = NULL;
	*len = 0;
	*rows = 0;
	if ((rc = fq_incident_query_check(q, err)))
		return rc;
	if (open_only)
		state = NULL;
	rc = fq_dbc_query(c, err, &st, EXPORT_SQL, FQ_INCIDENT_FILTER_TYPES "i",
			  FQ_INCIDENT_FILTER_ARGS(q, state, open_only), (int64_t)max_rows + 1);
	if (rc)
		return rc;
	memset(&x, 0, sizeof(x));
	fq_buf_init(&b, EXPORT_BYTES_MAX);
	if (f == FQ_EXPORT_XLSX) {
		rc = xlsx_open(&x, err);
	} else {
		/* The byte order mark, then the header row. */
		rc = fq_buf_adds(&b, "\xEF\xBB\xBF");
		for (size_t i = 0; !rc && i < NCOLS; i++)
			rc = fq_buf_addf(&b, "%s%s", i ? "," : "", columns[i].header);
		if (!rc)
			rc = fq_buf_adds(&b, "\r\n");
		if (rc)
			rc = fq_err_set(err, FQ_ETOOBIG, "export_too_large", NULL, "导出文件过大");
	}
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		rc = 0;
		if (++n > max_rows) {
			rc = fq_err_set(err, FQ_EUNPROC, "too_many_rows", NULL,
					"符合条件的警情超过 %zu 条，无法一次导出；请用 from、to "
					"或 state 缩小范围",
					max_rows);
			break;
		}
		row_cells(st, mask_phones, masked, cells);
		if (f == FQ_EXPORT_XLSX)
			xlsx_row(&x, (lxw_row_t)n, cells);
		else if (csv_row(&b, cells))
			rc = fq_err_set(err, FQ_ETOOBIG, "export_too_large", NULL, "导出文件过大");
	}
	fq_stmt_done(st);
	if (rc > 0) /* FQ_DB_DONE */
		rc = 0;
	if (!rc && f == FQ_EXPORT_XLSX)
		rc = xlsx_finish(&x, data, len, err);
	else if (f == FQ_EXPORT_XLSX)
		xlsx_abort(&x);
	else if (!rc)
		*data = fq_buf_detach(&b, len);
	fq_buf_release(&b);
	if (!rc)
		*rows = n;
	return rc;
}
