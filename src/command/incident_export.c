#include "command/incident_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command/taxonomy.h"
#include "core/phone.h"
#include "core/banned.h"

static const struct fq_table_column columns[] = {
    {"编号", FQ_CELL_TEXT, 30},		{"接警时间", FQ_CELL_TIME, 20},
    {"最后报警时间", FQ_CELL_TIME, 20}, {"类别", FQ_CELL_TEXT, 10},
    {"细类", FQ_CELL_TEXT, 14},		{"状态", FQ_CELL_TEXT, 8},
    {"优先级", FQ_CELL_INT, 7},		{"所属单位", FQ_CELL_TEXT, 14},
    {"网格", FQ_CELL_TEXT, 14},		{"地址", FQ_CELL_TEXT, 36},
    {"纬度", FQ_CELL_REAL, 11},		{"经度", FQ_CELL_REAL, 11},
    {"报警人", FQ_CELL_TEXT, 10},	{"报警电话", FQ_CELL_TEXT, 16},
    {"报警次数", FQ_CELL_INT, 9},	{"重复报警", FQ_CELL_TEXT, 9},
    {"重复地点", FQ_CELL_TEXT, 9},	{"派警时间", FQ_CELL_TIME, 20},
    {"到场时间", FQ_CELL_TIME, 20},	{"处置结果", FQ_CELL_TEXT, 36},
    {"反馈情况", FQ_CELL_TEXT, 36},	{"结案原因", FQ_CELL_TEXT, 10},
    {"结案时间", FQ_CELL_TIME, 20},	{"并入警情", FQ_CELL_TEXT, 30},
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

static void text_cell(struct fq_table_cell *c, struct fq_stmt *st, int col)
{
	c->text = fq_stmt_text(st, col);
	c->null = c->text == NULL;
}

/* Fill cells[NCOLS] from a row of EXPORT_SQL; masked is the phone buffer. */
static void row_cells(struct fq_stmt *st, int mask_phones, char masked[FQ_PHONE_MAX + 1],
		      struct fq_table_cell cells[NCOLS])
{
	const struct fq_category *cat = fq_taxonomy_find(fq_stmt_text(st, 3));
	int s = fq_incident_state_from_code(fq_stmt_text(st, 4));
	const char *phone = fq_stmt_text(st, 12), *norm = fq_stmt_text(st, 13);

	memset(cells, 0, sizeof(struct fq_table_cell) * NCOLS);
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

int fq_incident_export(struct fq_dbc *c, const struct fq_incident_query *q, enum fq_export_format f,
		       int mask_phones, size_t max_rows, char **data, size_t *len, size_t *rows,
		       struct fq_err *err)
{
	const char *state = q->state;
	int open_only = state && strcmp(state, "open") == 0;
	char masked[FQ_PHONE_MAX + 1];
	struct fq_table_cell cells[NCOLS];
	struct fq_table_writer w;
	struct fq_stmt *st;
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
	if ((rc = fq_table_open(&w, f, "警情", columns, NCOLS, err))) {
		fq_stmt_done(st);
		return rc;
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
		rc = fq_table_row(&w, cells, err);
	}
	fq_stmt_done(st);
	if (rc > 0) /* FQ_DB_DONE */
		rc = 0;
	if (!(rc = fq_table_close(&w, rc, data, len, err)))
		*rows = n;
	return rc;
}
