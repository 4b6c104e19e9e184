#include "community/registry_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/banned.h"

/* The lists are read a page at a time (the index-only search pages hold 200). */
#define EXPORT_PAGE 200

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

/* One page of the list of kind k (the query copied with its page set). */
static int list_page(enum kind k, struct fq_dbc *c, const void *q, int64_t page,
		     const struct fq_registry_view *v, json_t **out, struct fq_err *err)
{
	switch (k) {
	case PEOPLE: {
		struct fq_person_query p = *(const struct fq_person_query *)q;
		p.page = page;
		p.per_page = EXPORT_PAGE;
		return fq_person_list(c, &p, v, out, err);
	}
	case HOUSES: {
		struct fq_house_query h = *(const struct fq_house_query *)q;
		h.page = page;
		h.per_page = EXPORT_PAGE;
		return fq_house_list(c, &h, v, out, err);
	}
	default: {
		struct fq_org_query o = *(const struct fq_org_query *)q;
		o.page = page;
		o.per_page = EXPORT_PAGE;
		return fq_org_list(c, &o, v, out, err);
	}
	}
}

static int export(enum kind k, struct fq_dbc *c, const void *q, const struct fq_registry_view *v,
		  enum fq_export_format f, size_t max_rows, char **data, size_t *len, size_t *rows,
		  struct fq_err *err)
{
	static const char *const sheets[] = {"人口信息", "房屋信息", "单位场所"};
	const struct fq_table_column *cols = k == PEOPLE   ? fq_person_export_columns
					     : k == HOUSES ? fq_house_export_columns
							   : fq_org_export_columns;
	struct fq_table_cell cells[MAXCOLS];
	struct fq_table_writer w;
	struct fq_buf scratch;
	int64_t total = -1;
	size_t n = 0;
	int rc;

	*data = NULL;
	*len = 0;
	*rows = 0;
	/* The first page checks the filters and tells how many rows match. */
	for (int64_t page = 1;; page++) {
		json_t *out = NULL, *items, *it;
		size_t i, got;
		if ((rc = list_page(k, c, q, page, v, &out, err)))
			break;
		if (total < 0) {
			total = json_integer_value(json_object_get(out, "total"));
			if ((size_t)total > max_rows) {
				json_decref(out);
				return fq_err_set(err, FQ_EUNPROC, "too_many_rows", "q",
						  "符合条件的记录有 %lld 条，超过一次导出的上限 "
						  "%zu 条；请用查询条件缩小范围",
						  (long long)total, max_rows);
			}
			if ((rc = fq_table_open(&w, f, sheets[k], cols, ncols_of(cols), err))) {
				json_decref(out);
				return rc;
			}
			fq_buf_init(&scratch, 4096);
		}
		items = json_object_get(out, "items");
		got = json_array_size(items);
		json_array_foreach(items, i, it)
		{
			if (rc || n >= max_rows)
				break;
			cells_of(k, it, &scratch, cells);
			if (!(rc = fq_table_row(&w, cells, err)))
				n++;
		}
		json_decref(out);
		if (rc || got < EXPORT_PAGE || (int64_t)n >= total || n >= max_rows)
			break;
	}
	if (total < 0)
		return rc;
	fq_buf_release(&scratch);
	if (!(rc = fq_table_close(&w, rc, data, len, err)))
		*rows = n;
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
