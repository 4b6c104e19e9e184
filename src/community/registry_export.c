#include "community/registry_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/banned.h"

/*
 * The rows come from the list in one query, streamed through a sink (no
 * page of JSON is kept); a search answered from the index alone comes in
 * pages of 200 (its page size), read one after the other.
 */
#define EXPORT_INDEX_PAGE 200

const struct fq_table_column fq_person_export_columns[] = {
    {"姓名", FQ_CELL_TEXT, 12},	    {"身份证号", FQ_CELL_TEXT, 20}, {"性别", FQ_CELL_TEXT, 6},
    {"出生年份", FQ_CELL_INT, 9},   {"手机号", FQ_CELL_TEXT, 14},   {"住址", FQ_CELL_TEXT, 36},
    {"人员类别", FQ_CELL_TEXT, 20}, {"网格", FQ_CELL_TEXT, 14},	    {"所属单位", FQ_CELL_TEXT, 14},
    {NULL, FQ_CELL_TEXT, 0},
};
const struct fq_table_column fq_house_export_columns[] = {
    {"地址", FQ_CELL_TEXT, 36},	  {"用途", FQ_CELL_TEXT, 8},  {"房主", FQ_CELL_TEXT, 12},
    {"居住人数", FQ_CELL_INT, 9}, {"网格", FQ_CELL_TEXT, 14}, {"所属单位", FQ_CELL_TEXT, 14},
    {"纬度", FQ_CELL_REAL, 11},	  {"经度", FQ_CELL_REAL, 11}, {"备注", FQ_CELL_TEXT, 30},
    {NULL, FQ_CELL_TEXT, 0},
};
const struct fq_table_column fq_org_export_columns[] = {
    {"名称", FQ_CELL_TEXT, 30},	      {"统一社会信用代码", FQ_CELL_TEXT, 20},
    {"类型", FQ_CELL_TEXT, 16},	      {"重点行业", FQ_CELL_TEXT, 9},
    {"地址", FQ_CELL_TEXT, 36},	      {"负责人", FQ_CELL_TEXT, 12},
    {"负责人电话", FQ_CELL_TEXT, 14}, {"从业人员数", FQ_CELL_INT, 10},
    {"网格", FQ_CELL_TEXT, 14},	      {"所属单位", FQ_CELL_TEXT, 14},
    {NULL, FQ_CELL_TEXT, 0},
};

#define MAXCOLS 12

static size_t ncols_of(const struct fq_table_column *cols)
{
	size_t n = 0;
	while (cols[n].header)
		n++;
	return n;
}

static const char *str(json_t *item, const char *key)
{
	return json_string_value(json_object_get(item, key));
}

static void text(struct fq_table_cell *c, const char *s)
{
	c->text = s;
	c->null = s == NULL;
}

static const char *const category_labels[][2] = {
    {"resident", "常住人口"},	  {"floating", "流动人口"}, {"elderly_alone", "独居老人"},
    {"needs_care", "需关爱人员"}, {"concern", "重点人员"},
};

static const char *const use_labels[][2] = {
    {"self_occupied", "自住"},
    {"rented", "出租"},
    {"vacant", "空置"},
    {"commercial", "经营"},
};

static const char *label_of(const char *const (*table)[2], size_t n, const char *code)
{
	for (size_t i = 0; code && i < n; i++)
		if (strcmp(table[i][0], code) == 0)
			return table[i][1];
	return code;
}

enum kind { PEOPLE, HOUSES, ORGS };

/* The cells of one list item; scratch holds joined text (categories). */
static void cells_of(enum kind k, json_t *it, struct fq_buf *scratch, struct fq_table_cell *c)
{
	json_t *x;
	size_t i;

	memset(c, 0, sizeof(*c) * MAXCOLS);
	switch (k) {
	case PEOPLE:
		text(&c[0], str(it, "name"));
		text(&c[1], str(it, "id_number"));
		text(&c[2],
		     str(it, "sex") ? (strcmp(str(it, "sex"), "M") == 0 ? "男" : "女") : NULL);
		c[3].integer = json_integer_value(json_object_get(it, "birth_year"));
		c[3].null = !json_is_integer(json_object_get(it, "birth_year"));
		text(&c[4], str(it, "phone"));
		text(&c[5], str(it, "address"));
		fq_buf_reset(scratch);
		json_array_foreach(json_object_get(it, "categories"), i, x)
		{
			if (i && fq_buf_adds(scratch, "、"))
				break;
			if (fq_buf_adds(scratch, label_of(category_labels,
							  sizeof(category_labels) /
							      sizeof(category_labels[0]),
							  json_string_value(x))))
				break;
		}
		text(&c[6], scratch->len ? scratch->buf : NULL);
		text(&c[7], str(it, "grid"));
		text(&c[8], str(it, "unit"));
		break;
	case HOUSES:
		text(&c[0], str(it, "address"));
		text(&c[1], label_of(use_labels, sizeof(use_labels) / sizeof(use_labels[0]),
				     str(it, "use")));
		text(&c[2], str(it, "owner_name"));
		c[3].integer = json_integer_value(json_object_get(it, "occupant_count"));
		text(&c[4], str(it, "grid"));
		text(&c[5], str(it, "unit"));
		x = json_object_get(it, "location");
		c[6].null = c[7].null = !json_is_object(x);
		c[6].real = json_number_value(json_object_get(x, "lat"));
		c[7].real = json_number_value(json_object_get(x, "lon"));
		text(&c[8], str(it, "notes"));
		break;
	case ORGS:
		text(&c[0], str(it, "name"));
		text(&c[1], str(it, "uscc"));
		text(&c[2], str(it, "type_label"));
		text(&c[3], json_is_true(json_object_get(it, "regulated")) ? "是" : "否");
		text(&c[4], str(it, "address"));
		text(&c[5], str(it, "responsible_name"));
		text(&c[6], str(it, "responsible_phone"));
		c[7].integer = json_integer_value(json_object_get(it, "employees"));
		text(&c[8], str(it, "grid"));
		text(&c[9], str(it, "unit"));
		break;
	}
}

/* One page of the list of kind k (the query copied with its page and sink set). */
static int list_page(enum kind k, struct fq_dbc *c, const void *q, int64_t page, int64_t per_page,
		     const struct fq_list_sink *sink, const struct fq_registry_view *v,
		     json_t **out, struct fq_err *err)
{
	switch (k) {
	case PEOPLE: {
		struct fq_person_query p = *(const struct fq_person_query *)q;
		p.page = page;
		p.per_page = per_page;
		p.sink = sink;
		return fq_person_list(c, &p, v, out, err);
	}
	case HOUSES: {
		struct fq_house_query h = *(const struct fq_house_query *)q;
		h.page = page;
		h.per_page = per_page;
		h.sink = sink;
		return fq_house_list(c, &h, v, out, err);
	}
	default: {
		struct fq_org_query o = *(const struct fq_org_query *)q;
		o.page = page;
		o.per_page = per_page;
		o.sink = sink;
		return fq_org_list(c, &o, v, out, err);
	}
	}
}

struct export
{
	enum kind k;
	struct fq_table_writer w;
	struct fq_buf scratch;
	size_t n, max_rows;
	struct fq_err *err;
};

/* One list item into the table; FQ_EUNPROC past max_rows. */
static int export_row(json_t *item, void *arg)
{
	struct export *x = arg;
	struct fq_table_cell cells[MAXCOLS];
	int rc;

	if (x->n >= x->max_rows)
		return fq_err_set(x->err, FQ_EUNPROC, "too_many_rows", "q",
				  "符合条件的记录超过一次导出的上限 %zu 条；请用查询条件缩小范围",
				  x->max_rows);
	cells_of(x->k, item, &x->scratch, cells);
	if (!(rc = fq_table_row(&x->w, cells, x->err)))
		x->n++;
	return rc;
}

static int export(enum kind k, struct fq_dbc *c, const void *q, const struct fq_registry_view *v,
		  enum fq_export_format f, size_t max_rows, char **data, size_t *len, size_t *rows,
		  struct fq_err *err)
{
	static const char *const sheets[] = {"人口信息", "房屋信息", "单位场所"};
	const struct fq_table_column *cols = k == PEOPLE   ? fq_person_export_columns
					     : k == HOUSES ? fq_house_export_columns
							   : fq_org_export_columns;
	struct export x = {.k = k, .max_rows = max_rows, .err = err};
	struct fq_list_sink sink = {export_row, &x};
	int64_t per_page = (int64_t)max_rows + 1, page = 1;
	int rc;

	*data = NULL;
	*len = 0;
	*rows = 0;
	if ((rc = fq_table_open(&x.w, f, sheets[k], cols, ncols_of(cols), err)))
		return rc;
	fq_buf_init(&x.scratch, 4096);
	for (;;) {
		json_t *out = NULL, *items, *it;
		int64_t total;
		size_t i, got;
		if ((rc = list_page(k, c, q, page, per_page, &sink, v, &out, err)))
			break;
		/* Items left in the answer come from the index alone, a page at a time. */
		items = json_object_get(out, "items");
		got = json_array_size(items);
		total = json_integer_value(json_object_get(out, "total"));
		json_array_foreach(items, i, it) if (!rc) rc = export_row(it, &x);
		json_decref(out);
		if (rc || got == 0 || (int64_t)x.n >= total)
			break;
		if (page == 1 && (int64_t)got <= EXPORT_INDEX_PAGE)
			per_page = EXPORT_INDEX_PAGE; /* page 2 starts after the first 200 */
		page++;
	}
	fq_buf_release(&x.scratch);
	if (!(rc = fq_table_close(&x.w, rc, data, len, err)))
		*rows = x.n;
	return rc;
}
int fq_person_export(struct fq_dbc *c, const struct fq_person_query *q,
		     const struct fq_registry_view *v, enum fq_export_format f, size_t max_rows,
		     char **data, size_t *len, size_t *rows, struct fq_err *err)
{
	return export(PEOPLE, c, q, v, f, max_rows, data, len, rows, err);
}

int fq_house_export(struct fq_dbc *c, const struct fq_house_query *q,
		    const struct fq_registry_view *v, enum fq_export_format f, size_t max_rows,
		    char **data, size_t *len, size_t *rows, struct fq_err *err)
{
	return export(HOUSES, c, q, v, f, max_rows, data, len, rows, err);
}

int fq_org_export(struct fq_dbc *c, const struct fq_org_query *q, const struct fq_registry_view *v,
		  enum fq_export_format f, size_t max_rows, char **data, size_t *len, size_t *rows,
		  struct fq_err *err)
{
	return export(ORGS, c, q, v, f, max_rows, data, len, rows, err);
}
