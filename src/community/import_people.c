#include "community/import_people.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "community/registry.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "io/csv_in.h"
#include "io/xlsx_in.h"
#include "core/json.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "http/audit.h"
#include "core/banned.h"

enum column {
	COL_IGNORED = 0,
	COL_NAME,
	COL_ID,
	COL_PHONE,
	COL_ADDRESS,
	COL_SEX,
	COL_BIRTH,
	COL_PHONE2,
	COL_HUKOU,
	COL_CATEGORIES,
	COL_NOTES,
	COL_UNIT,
	COL_LAT,
	COL_LON,
	COL_USE,
	COL_OWNER,
	COL_ORG_NAME,
	COL_USCC,
	COL_TYPE,
	COL_RESP_NAME,
	COL_RESP_PHONE,
	COL_EMPLOYEES,
	COL_COUNT
};

/* What a file holds: people, houses or organisations (bits for the column table). */
enum { KIND_PEOPLE = 1, KIND_HOUSES = 2, KIND_ORGS = 4 };

static const struct {
	enum column col;
	const char *key; /* the API's member, also the English header */
	const char *zh[4];
	int kinds;    /* KIND_* files that have the column */
	int required; /* KIND_* files that must have it */
} columns[] = {
    {COL_NAME, "name", {"姓名"}, KIND_PEOPLE, KIND_PEOPLE},
    {COL_ID, "id_number", {"身份证号", "身份证号码", "公民身份号码"}, KIND_PEOPLE, KIND_PEOPLE},
    {COL_PHONE, "phone", {"手机号", "手机号码", "联系电话", "电话"}, KIND_PEOPLE, KIND_PEOPLE},
    {COL_ADDRESS,
     "address",
     {"住址", "现住址", "居住地址", "地址"},
     KIND_PEOPLE | KIND_HOUSES | KIND_ORGS,
     KIND_PEOPLE | KIND_HOUSES | KIND_ORGS},
    {COL_SEX, "sex", {"性别"}, KIND_PEOPLE, 0},
    {COL_BIRTH, "birth_date", {"出生日期"}, KIND_PEOPLE, 0},
    {COL_PHONE2, "phone2", {"备用电话"}, KIND_PEOPLE, 0},
    {COL_HUKOU, "hukou", {"户籍地", "户籍地址"}, KIND_PEOPLE, 0},
    {COL_CATEGORIES, "categories", {"人员类别", "类别"}, KIND_PEOPLE, 0},
    {COL_NOTES, "notes", {"备注"}, KIND_PEOPLE | KIND_HOUSES | KIND_ORGS, 0},
    {COL_UNIT, "unit", {"所属单位", "网格"}, KIND_PEOPLE | KIND_HOUSES | KIND_ORGS, 0},
    {COL_LAT, "lat", {"纬度"}, KIND_HOUSES | KIND_ORGS, 0},
    {COL_LON, "lon", {"经度"}, KIND_HOUSES | KIND_ORGS, 0},
    {COL_USE, "use", {"用途", "房屋用途"}, KIND_HOUSES, 0},
    {COL_OWNER, "owner_name", {"房主", "产权人"}, KIND_HOUSES, 0},
    {COL_ORG_NAME, "name", {"单位名称", "名称", "场所名称"}, KIND_ORGS, KIND_ORGS},
    {COL_USCC, "uscc", {"统一社会信用代码", "社会信用代码", "信用代码"}, KIND_ORGS, 0},
    {COL_TYPE, "type", {"单位类型", "类型", "场所类型", "行业类别"}, KIND_ORGS, KIND_ORGS},
    {COL_RESP_NAME, "responsible_name", {"负责人", "法定代表人", "负责人姓名"}, KIND_ORGS, 0},
    {COL_RESP_PHONE,
     "responsible_phone",
     {"负责人电话", "联系电话", "负责人手机", "电话"},
     KIND_ORGS,
     0},
    {COL_EMPLOYEES, "employees", {"从业人员数", "从业人数", "员工人数"}, KIND_ORGS, 0},
};

#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

struct header {
	size_t count;
	enum column col[FQ_CSV_COLUMNS_MAX];
	int index[COL_COUNT]; /* column of each kind, -1 when absent */
	char *name[COL_COUNT];
};

struct import {
	struct fq_db *db;
	struct fq_dbc *c;
	const char *data;
	size_t len;
	const struct fq_people_import_options *opt;
	struct fq_people_import_summary *sum;
	struct header h;
	struct fq_actor actor;
	char unit[FQ_UNIT_CODE_MAX], scope[FQ_UNIT_PATH_MAX];
	FILE *errors;
	int kind;			/* KIND_PEOPLE, KIND_HOUSES or KIND_ORGS */
	const struct fq_xlsx_csv *xlsx; /* an xlsx file read as CSV, or NULL */
};

/* The line of the file a message names: the sheet's row for an xlsx file. */
static unsigned long src_line(const struct import *imp, unsigned long line)
{
	return imp->xlsx ? fq_xlsx_sheet_row(imp->xlsx, line) : line;
}

static int ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* s without leading and trailing ASCII blanks and ideographic spaces (U+3000), in out. */
static const char *trim(const char *s, struct fq_buf *out)
{
	size_t n = strlen(s);

	for (;;) {
		if (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
			s++;
			n--;
		} else if (n >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0) {
			s += 3;
			n -= 3;
		} else {
			break;
		}
	}
	for (;;) {
		if (n &&
		    (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
			n--;
		else if (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
			n -= 3;
		else
			break;
	}
	fq_buf_reset(out);
	if (fq_buf_add(out, s, n))
		fq_buf_reset(out);
	return out->buf;
}

static int ascii_only(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

static void header_release(struct header *h)
{
	for (int i = 0; i < COL_COUNT; i++)
		free(h->name[i]);
	memset(h, 0, sizeof(*h));
}

static int read_header(struct import *imp, struct fq_csv_reader *r, struct fq_err *err)
{
	struct header *h = &imp->h;
	struct fq_buf t;
	int rc = 0;

	for (int i = 0; i < COL_COUNT; i++)
		h->index[i] = -1;
	if (fq_csv_next(r) == 0)
		return fq_err_set(err, FQ_EINVAL, "empty_file", "file", "文件是空的：缺少表头");
	if (r->rec.fields > FQ_CSV_COLUMNS_MAX || r->rec.malformed || r->rec.long_field >= 0 ||
	    r->rec.nul_field >= 0)
		return fq_err_set(err, FQ_EINVAL, "bad_header", "header",
				  "第 %lu 行：表头的格式不对", src_line(imp, r->rec.line));
	fq_buf_init(&t, FQ_CSV_FIELD_MAX + 1);
	h->count = r->rec.fields;
	for (size_t i = 0; i < h->count && !rc; i++) {
		const char *name = trim(fq_csv_field(&r->rec, i), &t);
		h->col[i] = COL_IGNORED;
		for (size_t k = 0; k < NCOLUMNS; k++) {
			int hit =
			    (columns[k].kinds & imp->kind) && ascii_caseeq(name, columns[k].key);
			for (int z = 0;
			     !hit && (columns[k].kinds & imp->kind) && z < 4 && columns[k].zh[z];
			     z++)
				hit = strcmp(name, columns[k].zh[z]) == 0;
			if (!hit)
				continue;
			if (h->index[columns[k].col] >= 0)
				rc = fq_err_set(err, FQ_EINVAL, "duplicate_column", "header",
						"第 %lu 行：列“%s”重复", src_line(imp, r->rec.line),
						name);
			h->col[i] = columns[k].col;
			h->index[columns[k].col] = (int)i;
			h->name[columns[k].col] = fq_xstrdup(name);
		}
	}
	fq_buf_release(&t);
	for (size_t k = 0; k < NCOLUMNS && !rc; k++)
		if ((columns[k].required & imp->kind) && h->index[columns[k].col] < 0)
			rc = fq_err_set(err, FQ_EINVAL, "missing_column", "header",
					"第 %lu 行：表头缺少列 %s（%s）",
					src_line(imp, r->rec.line), columns[k].key,
					/* a house's or a venue's is its 地址, a person's 住址 */
					columns[k].col == COL_ADDRESS && imp->kind != KIND_PEOPLE
					    ? "地址"
					    : columns[k].zh[0]);
	return rc;
}

/* The header's name of the API field (for messages), or the field itself. */
static const char *column_label(const struct import *imp, const char *field)
{
	for (size_t k = 0; k < NCOLUMNS; k++)
		if (strcmp(field, columns[k].key) == 0 && imp->h.name[columns[k].col])
			return imp->h.name[columns[k].col];
	return field;
}

static void report(struct import *imp, unsigned long line, const struct fq_err *e)
{
	fprintf(imp->errors, "line %lu: %s%s%s\n", src_line(imp, line),
		e->field[0] ? column_label(imp, e->field) : "", e->field[0] ? ": " : "",
		e->message);
}

/* Categories "独居老人、需关爱人员" as a JSON array of strings. */
static json_t *split_categories(const char *s)
{
	static const char *const seps[] = {"、", "，", "；", ",", ";", "/", " ", NULL};
	json_t *a = json_array();
	const char *p = s;

	while (*p) {
		size_t best = strlen(p), seplen = 0;
		for (int i = 0; seps[i]; i++) {
			const char *q = strstr(p, seps[i]);
			if (q && (size_t)(q - p) < best) {
				best = (size_t)(q - p);
				seplen = strlen(seps[i]);
			}
		}
		if (best)
			json_array_append_new(a, json_stringn(p, best));
		p += best + seplen;
		if (!seplen)
			break;
	}
	return a;
}

/* A row: the API body of the person, its address and unit; FQ_EINVAL naming the field. */
struct row {
	json_t *body;
	const char *address;
	const char *unit;
	struct fq_person_in in;
	struct fq_house_in hin;
	struct fq_org_in oin;
	struct fq_buf vals[COL_COUNT];
};

static void row_init(struct row *w)
{
	memset(w, 0, sizeof(*w));
	for (int i = 0; i < COL_COUNT; i++)
		fq_buf_init(&w->vals[i], FQ_CSV_FIELD_MAX + 1);
}

static void row_release(struct row *w)
{
	json_decref(w->body);
	for (int i = 0; i < COL_COUNT; i++)
		fq_buf_release(&w->vals[i]);
}

static int house_body(struct import *imp, const char **v, struct row *w, struct fq_err *err);
static int org_body(const char **v, struct row *w, struct fq_err *err);
static int location_body(const char **v, json_t *body, struct fq_err *err);

/* v with full-width digits and letters folded to ASCII (NFKC), as a JSON string. */
static json_t *folded(const char *v)
{
	struct fq_buf b;
	json_t *out;

	if (ascii_only(v))
		return json_string(v);
	fq_buf_init(&b, 256);
	out = fq_text_normalize(v, strlen(v), &b, NULL) == 0 ? json_string(b.buf) : json_string(v);
	fq_buf_release(&b);
	return out;
}

static int load_row(struct import *imp, const struct fq_csv_record *rec, struct row *w,
		    struct fq_err *err)
{
	const struct header *h = &imp->h;
	const char *v[COL_COUNT] = {0};

	json_decref(w->body);
	w->body = NULL;
	if (rec->malformed)
		return fq_err_set(err, FQ_EINVAL, "malformed_row", NULL, "引号位置不对或未闭合");
	if (rec->fields != h->count)
		return fq_err_set(err, FQ_EINVAL, "column_count", NULL,
				  "该行有 %zu 列，表头有 %zu 列", rec->fields, h->count);
	if (rec->long_field >= 0 || rec->nul_field >= 0)
		return fq_err_set(err, FQ_EINVAL, "bad_field", NULL, "第 %ld 列过长或含有空字符",
				  (rec->long_field >= 0 ? rec->long_field : rec->nul_field) + 1);
	for (int k = 1; k < COL_COUNT; k++)
		if (h->index[k] >= 0)
			v[k] = trim(fq_csv_field(rec, (size_t)h->index[k]), &w->vals[k]);
	w->body = json_object();
	w->address = v[COL_ADDRESS];
	w->unit = v[COL_UNIT] && *v[COL_UNIT] ? v[COL_UNIT] : imp->unit;
	if (imp->kind == KIND_HOUSES)
		return house_body(imp, v, w, err);
	if (imp->kind == KIND_ORGS)
		return org_body(v, w, err);
	json_object_set_new(w->body, "name", json_string(v[COL_NAME]));
	/* Full-width digits and letters fold to ASCII. */
	if (v[COL_ID])
		json_object_set_new(w->body, "id_number", folded(v[COL_ID]));
#define OPTIONAL_STR(col, key)                                                                     \
	if (v[col] && *v[col])                                                                     \
	json_object_set_new(w->body, key, json_string(v[col]))
	OPTIONAL_STR(COL_PHONE, "phone");
	OPTIONAL_STR(COL_SEX, "sex");
	OPTIONAL_STR(COL_BIRTH, "birth_date");
	OPTIONAL_STR(COL_PHONE2, "phone2");
	OPTIONAL_STR(COL_HUKOU, "hukou");
	OPTIONAL_STR(COL_NOTES, "notes");
#undef OPTIONAL_STR
	if (v[COL_CATEGORIES] && *v[COL_CATEGORIES])
		json_object_set_new(w->body, "categories", split_categories(v[COL_CATEGORIES]));
	if (fq_person_parse(w->body, 1, imp->actor.now_ms, &w->in, err))
		return FQ_EINVAL;
	if (!w->address || !*w->address)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "address", "住址不能为空");
	if (fq_utf8_chars(w->address) > FQ_REGISTRY_ADDR_MAX)
		return fq_err_set(err, FQ_EINVAL, "too_long", "address", "住址超过 %d 个字",
				  FQ_REGISTRY_ADDR_MAX);
	return 0;
}

/* A number of a house row ("29.71"), or FQ_EINVAL naming field. */
static int number(const char *s, const char *field, json_t **out, struct fq_err *err)
{
	char *end;
	double d = strtod(s, &end);

	if (!*s || *end)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", field, "%s 应为数字", field);
	*out = json_real(d);
	return 0;
}

static int house_body(struct import *imp, const char **v, struct row *w, struct fq_err *err)
{
	(void)imp;
	json_object_set_new(w->body, "address", json_string(v[COL_ADDRESS] ? v[COL_ADDRESS] : ""));
	if (location_body(v, w->body, err))
		return FQ_EINVAL;
	if (v[COL_USE] && *v[COL_USE])
		json_object_set_new(w->body, "use", json_string(v[COL_USE]));
	if (v[COL_OWNER] && *v[COL_OWNER])
		json_object_set_new(w->body, "owner_name", json_string(v[COL_OWNER]));
	if (v[COL_NOTES] && *v[COL_NOTES])
		json_object_set_new(w->body, "notes", json_string(v[COL_NOTES]));
	if (fq_house_parse(w->body, 1, &w->hin, err))
		return FQ_EINVAL;
	w->hin.unit = w->unit;
	return 0;
}

/* Location columns of a house or organisation row into body. */
static int location_body(const char **v, json_t *body, struct fq_err *err)
{
	json_t *lat = NULL, *lon = NULL;
	int has_lat = v[COL_LAT] && *v[COL_LAT], has_lon = v[COL_LON] && *v[COL_LON];

	if (has_lat != has_lon)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "location",
				  "纬度和经度须同时给出");
	if (!has_lat)
		return 0;
	if (number(v[COL_LAT], "lat", &lat, err) || number(v[COL_LON], "lon", &lon, err)) {
		json_decref(lat);
		return FQ_EINVAL;
	}
	json_object_set_new(body, "location", json_pack("{s:o, s:o}", "lat", lat, "lon", lon));
	return 0;
}

static int org_body(const char **v, struct row *w, struct fq_err *err)
{
	json_object_set_new(w->body, "name", json_string(v[COL_ORG_NAME] ? v[COL_ORG_NAME] : ""));
	json_object_set_new(w->body, "type", json_string(v[COL_TYPE] ? v[COL_TYPE] : ""));
	json_object_set_new(w->body, "address", json_string(v[COL_ADDRESS] ? v[COL_ADDRESS] : ""));
	if (v[COL_USCC] && *v[COL_USCC])
		json_object_set_new(w->body, "uscc", folded(v[COL_USCC]));
	if (v[COL_RESP_NAME] && *v[COL_RESP_NAME])
		json_object_set_new(w->body, "responsible_name", json_string(v[COL_RESP_NAME]));
	if (v[COL_RESP_PHONE] && *v[COL_RESP_PHONE])
		json_object_set_new(w->body, "responsible_phone", folded(v[COL_RESP_PHONE]));
	if (v[COL_NOTES] && *v[COL_NOTES])
		json_object_set_new(w->body, "notes", json_string(v[COL_NOTES]));
	if (v[COL_EMPLOYEES] && *v[COL_EMPLOYEES]) {
		json_t *n = folded(v[COL_EMPLOYEES]);
		const char *s = json_string_value(n);
		char *end;
		long long k = strtoll(s, &end, 10);
		int ok = *s && !*end && k >= 0;
		json_decref(n);
		if (!ok)
			return fq_err_set(err, FQ_EINVAL, "invalid_value", "employees",
					  "从业人员数应为非负整数");
		json_object_set_new(w->body, "employees", json_integer(k));
	}
	if (location_body(v, w->body, err))
		return FQ_EINVAL;
	if (v[COL_ORG_NAME] && !*v[COL_ORG_NAME])
		return fq_err_set(err, FQ_EINVAL, "missing_field", "name", "单位名称不能为空");
	if (v[COL_ADDRESS] && !*v[COL_ADDRESS])
		return fq_err_set(err, FQ_EINVAL, "missing_field", "address", "地址不能为空");
	if (fq_org_parse(w->body, 1, &w->oin, err))
		return FQ_EINVAL;
	w->oin.unit = w->unit;
	return 0;
}

/* A row's key that must be unique in the file: the ID number, or a house's address key. */
struct seen_id {
	char *id;
	unsigned long line;
};

static int by_id(const void *a, const void *b)
{
	const struct seen_id *x = a, *y = b;
	int d = strcmp(x->id, y->id);
	return d ? d : (x->line > y->line) - (x->line < y->line);
}

/* Pass 1: every row checked; bad ones reported. */
static int validate(struct import *imp, struct fq_err *err)
{
	struct fq_csv_reader r;
	struct seen_id *ids = NULL;
	size_t nids = 0, cap = 0;
	char last_unit[FQ_UNIT_CODE_MAX] = "";
	struct row w;
	int rc = 0;

	fq_csv_reader_init(&r, imp->data, imp->len, 1);
	row_init(&w);
	if ((rc = read_header(imp, &r, err)))
		goto out;
	while (fq_csv_next(&r) == 1) {
		struct fq_err e = FQ_ERR_INIT;
		char unit[FQ_UNIT_CODE_MAX], path[FQ_UNIT_PATH_MAX], station[FQ_UNIT_CODE_MAX];
		char other[40];
		int bad;

		if (++imp->sum->rows > FQ_PEOPLE_IMPORT_ROWS_MAX) {
			rc = fq_err_set(err, FQ_ETOOBIG, "too_many_rows", "file", "文件超过 %u 行",
					FQ_PEOPLE_IMPORT_ROWS_MAX);
			goto out;
		}
		bad = load_row(imp, &r.rec, &w, &e) != 0;
		/* Rows name few units: each is checked once. */
		if (!bad && strcmp(w.unit, last_unit) != 0) {
			bad = fq__registry_unit(imp->c, w.unit, &imp->actor, "unit", unit, path,
						station, &e) != 0;
			if (!bad)
				snprintf(last_unit, sizeof(last_unit), "%s", w.unit);
		}
		if (!bad && imp->kind == KIND_PEOPLE) {
			int k =
			    fq_dbc_lookup_text(imp->c, "SELECT id FROM person WHERE id_number = ?",
					       w.in.id.number, other, sizeof(other), "", &e);
			if (k == 0)
				bad =
				    fq_err_set(&e, FQ_ECONFLICT, "duplicate_id_number", "id_number",
					       "该身份证号已登记：人员 %s", other) != 0;
			else if (k != FQ_ENOTFOUND)
				bad = 1;
		}
		if (!bad && imp->kind == KIND_ORGS && w.oin.uscc.code[0]) {
			bad = fq__org_uscc_taken(imp->c, w.oin.uscc.code, NULL, &e) != 0;
		}
		if (bad) {
			imp->sum->bad_rows++;
			report(imp, r.rec.line, &e);
			continue;
		}
		if (nids == cap) {
			cap = cap ? cap * 2 : 1024;
			ids = fq_xrealloc(ids, cap * sizeof(*ids));
		}
		if (imp->kind == KIND_PEOPLE) {
			ids[nids].id = fq_xstrdup(w.in.id.number);
		} else if (imp->kind == KIND_ORGS) {
			if (!w.oin.uscc.code[0])
				continue; /* premises without their own code */
			ids[nids].id = fq_xstrdup(w.oin.uscc.code);
		} else if (fq__registry_address_key(w.address, "address", &ids[nids].id, &e)) {
			imp->sum->bad_rows++;
			report(imp, r.rec.line, &e);
			continue;
		}
		ids[nids++].line = r.rec.line;
	}
	/* The same ID number twice in the file: every later row is bad. */
	qsort(ids, nids, sizeof(*ids), by_id);
	for (size_t i = 1; i < nids; i++)
		if (strcmp(ids[i].id, ids[i - 1].id) == 0) {
			struct fq_err e = FQ_ERR_INIT;
			size_t first = i - 1;
			while (first > 0 && strcmp(ids[first - 1].id, ids[i].id) == 0)
				first--;
			if (imp->kind == KIND_PEOPLE)
				fq_err_set(&e, FQ_EINVAL, "duplicate_id_number", "id_number",
					   "身份证号与第 %lu 行重复",
					   src_line(imp, ids[first].line));
			else if (imp->kind == KIND_ORGS)
				fq_err_set(&e, FQ_EINVAL, "duplicate_uscc", "uscc",
					   "统一社会信用代码与第 %lu 行重复",
					   src_line(imp, ids[first].line));
			else
				fq_err_set(&e, FQ_EINVAL, "duplicate_address", "address",
					   "地址与第 %lu 行重复", src_line(imp, ids[first].line));
			imp->sum->bad_rows++;
			report(imp, ids[i].line, &e);
		}
	if (imp->sum->bad_rows)
		rc = fq_err_set(err, FQ_EINVAL, "bad_rows", "file", "%zu 行有错误，未导入任何数据",
				imp->sum->bad_rows);
out:
	for (size_t i = 0; i < nids; i++)
		free(ids[i].id);
	free(ids);
	row_release(&w);
	fq_csv_reader_release(&r);
	return rc;
}

/* Pass 2: houses found or created, people created, in the open transaction. */
static int write_rows(struct import *imp, struct fq_err *err)
{
	struct fq_csv_reader r;
	struct row w;
	int rc = 0;

	fq_csv_reader_init(&r, imp->data, imp->len, 1);
	row_init(&w);
	fq_assert(fq_csv_next(&r) == 1); /* the header, read before */
	while (!rc && fq_csv_next(&r) == 1) {
		char house[37], id[37];
		json_t *warnings = NULL, *x;
		size_t i;
		int created = 0;

		if (imp->kind == KIND_ORGS) {
			if ((rc = load_row(imp, &r.rec, &w, err)) ||
			    (rc = fq_org_create(imp->c, &w.oin, &imp->actor, id, err)))
				break;
			imp->sum->organisations++;
			continue;
		}
		if (imp->kind == KIND_HOUSES) {
			if ((rc = load_row(imp, &r.rec, &w, err)) ||
			    (rc = fq_house_create(imp->c, &w.hin, &imp->actor, house, err)))
				break;
			imp->sum->houses_created++;
			continue;
		}
		if ((rc = load_row(imp, &r.rec, &w, err)) ||
		    (rc = fq_house_find_or_create(imp->c, w.unit, w.address, &imp->actor, house,
						  &created, err)))
			break;
		if (created)
			imp->sum->houses_created++;
		else
			imp->sum->houses_matched++;
		w.in.house_id = house;
		if ((rc = fq_person_create(imp->c, &w.in, &imp->actor, id, &warnings, err)))
			break;
		imp->sum->people++;
		json_array_foreach(warnings, i, x)
		{
			fprintf(imp->errors, "line %lu: warning: %s（人员 %s）\n",
				src_line(imp, r.rec.line),
				json_string_value(json_object_get(x, "message")),
				json_string_value(json_object_get(x, "person_id")));
			imp->sum->warnings++;
		}
		json_decref(warnings);
	}
	if (rc) {
		struct fq_err e = *err;
		report(imp, r.rec.line, &e);
	}
	row_release(&w);
	fq_csv_reader_release(&r);
	return rc;
}

static int audit(struct import *imp, struct fq_err *err)
{
	struct fq_audit_entry e = {.username = imp->opt->actor ? imp->opt->actor : "cli",
				   .action = imp->kind == KIND_PEOPLE	? "person.import"
					     : imp->kind == KIND_HOUSES ? "house.import"
									: "organisation.import",
				   .object_type = imp->kind == KIND_PEOPLE   ? "person"
						  : imp->kind == KIND_HOUSES ? "house"
									     : "organisation",
				   .client = "cli",
				   .outcome = "ok"};
	char detail[200];

	snprintf(detail, sizeof(detail),
		 "{\"people\":%zu,\"houses_created\":%zu,\"organisations\":%zu,\"format\":\"%s\"}",
		 imp->sum->people, imp->sum->houses_created, imp->sum->organisations,
		 imp->xlsx ? "xlsx" : "csv");
	e.detail = detail;
	return fq_audit_append(imp->c, &e, fq_now_ms(), NULL, err);
}

/* The default unit (the only station when none is given) and the actor's scope. */
static int actor_init(struct import *imp, struct fq_err *err)
{
	struct fq_stmt *st;
	char path[FQ_UNIT_PATH_MAX];
	int n = 0, rc;

	if (imp->opt->unit) {
		snprintf(imp->unit, sizeof(imp->unit), "%s", imp->opt->unit);
	} else {
		rc = fq_dbc_query(imp->c, err, &st,
				  "SELECT code FROM unit WHERE kind = 'station' ORDER BY code", "");
		if (rc)
			return rc;
		while (fq_stmt_step(st, err) == FQ_DB_ROW)
			if (n++ == 0)
				snprintf(imp->unit, sizeof(imp->unit), "%s", fq_stmt_text(st, 0));
		fq_stmt_done(st);
		if (n == 0)
			return fq_err_set(
			    err, FQ_EINVAL, "unit_required", "unit",
			    "库中没有派出所：请先建立单位（fengqiao unit add 或 demo）");
		if (n > 1)
			fprintf(imp->errors,
				"note: %d stations in the store; rows without a unit go to %s"
				" (choose another with --unit)\n",
				n, imp->unit);
	}
	rc = fq_dbc_lookup_text(imp->c, "SELECT path FROM unit WHERE code = ?", imp->unit, path,
				sizeof(path), "", err);
	if (rc == FQ_ENOTFOUND)
		return fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit", "单位 %s 不存在",
				  imp->unit);
	if (rc)
		return rc;
	/* The command line acts for the whole tree: the scope is the top unit. */
	snprintf(imp->scope, sizeof(imp->scope), "/%.*s/", (int)strcspn(path + 1, "/"), path + 1);
	imp->actor.user_id = NULL;
	imp->actor.unit_code = imp->unit;
	imp->actor.scope_path = imp->scope;
	imp->actor.see_concern = 1;
	imp->actor.now_ms = fq_now_ms();
	return 0;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int import_data(struct import *imp, const char *raw, size_t len, struct fq_err *err)
{
	struct fq_xlsx_csv x = {0};
	char *owned = NULL;
	int rc;

	if (fq_xlsx_looks_like(raw, len)) {
		/* An xlsx workbook: its first sheet as CSV, messages naming its rows. */
		if ((rc = fq_xlsx_to_csv(raw, len, FQ_PEOPLE_IMPORT_FILE_MAX, &x, err)))
			return rc;
		imp->xlsx = &x;
		imp->data = x.csv;
		imp->len = x.len;
		imp->sum->encoding = "xlsx";
	} else if ((rc = fq_csv_decode(raw, len, &imp->data, &imp->len, &owned, &imp->sum->encoding,
				       err))) {
		return rc;
	}
	imp->c = fq_db_acquire(imp->db);
	if ((rc = actor_init(imp, err)) || (rc = validate(imp, err)))
		goto out;
	if ((rc = fq_dbc_begin(imp->c, 1, err)))
		goto out;
	rc = write_rows(imp, err);
	if (!rc)
		rc = audit(imp, err);
	if (!rc && !imp->opt->dry_run)
		rc = fq_dbc_commit(imp->c, err);
	else
		fq_dbc_rollback(imp->c);
	if (rc) {
		imp->sum->people = imp->sum->houses_created = imp->sum->houses_matched = 0;
		imp->sum->organisations = 0;
	}
out:
	fq_db_release(imp->db, imp->c);
	header_release(&imp->h);
	free(owned);
	fq_xlsx_csv_release(&x);
	imp->xlsx = NULL;
	return rc;
}

int fq_people_import_file(struct fq_db *db, const char *path,
			  const struct fq_people_import_options *opt,
			  struct fq_people_import_summary *sum, struct fq_err *err)
{
	struct import imp;
	struct timespec t0;
	FILE *f;
	struct fq_buf b;
	char chunk[65536];
	size_t n;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(sum, 0, sizeof(*sum));
	memset(&imp, 0, sizeof(imp));
	imp.db = db;
	imp.opt = opt;
	imp.sum = sum;
	imp.errors = opt->errors ? opt->errors : stderr;
	imp.kind = opt->organisations ? KIND_ORGS : opt->houses ? KIND_HOUSES : KIND_PEOPLE;
	if (!(f = fopen(path, "rb")))
		return fq_err_set(err, FQ_EIO, "file_open", "file", "无法打开 %s：%s", path,
				  strerror(errno));
	fq_buf_init(&b, FQ_PEOPLE_IMPORT_FILE_MAX);
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (fq_buf_add(&b, chunk, n))
			rc = fq_err_set(err, FQ_ETOOBIG, "file_too_big", "file", "文件超过 %u 字节",
					FQ_PEOPLE_IMPORT_FILE_MAX);
	if (!rc && ferror(f))
		rc = fq_err_set(err, FQ_EIO, "file_read", "file", "读取 %s 失败", path);
	fclose(f);
	if (!rc)
		rc = import_data(&imp, b.buf, b.len, err);
	fq_buf_release(&b);
	sum->seconds = seconds_since(&t0);
	return rc;
}

/* ---- the command line ---- */

static const char usage_text[] =
    "usage: fengqiao import people|houses|organisations --db FILE [--dry-run] [--unit CODE]\n"
    "       FILE.csv|FILE.xlsx\n"
    "  (CSV in UTF-8 or GB18030, or the first sheet of an xlsx workbook)\n"
    "  --unit CODE   unit of rows without a unit column value (default: the station,\n"
    "                the first by code when there are several)\n"
    "  --dry-run     check everything, report every bad row, write nothing\n";

enum { OPT_DB = 1000, OPT_UNIT, OPT_DRY_RUN };

static const struct option people_opts[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {NULL, 0, NULL, 0},
};

int fq_cmd_import_people(int argc, char **argv)
{
	struct fq_people_import_options opt = {0};
	struct fq_people_import_summary sum;
	struct fq_db_options dbo = {0};
	struct fq_err err = FQ_ERR_INIT;
	const char *db_path = NULL, *sudo_user = getenv("SUDO_USER");
	struct passwd *pw = getpwuid(getuid());
	char actor[64];
	struct fq_db *db;
	int c, rc, applied;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", people_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			db_path = optarg;
			break;
		case OPT_UNIT:
			opt.unit = optarg;
			break;
		case OPT_DRY_RUN:
			opt.dry_run = 1;
			break;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind == 2 && strcmp(argv[optind], "houses") == 0)
		opt.houses = 1;
	else if (argc - optind == 2 && strcmp(argv[optind], "organisations") == 0)
		opt.organisations = 1;
	else if (argc - optind != 2 || strcmp(argv[optind], "people") != 0) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (!db_path) {
		fprintf(stderr, "fengqiao: --db FILE is required\n");
		return 2;
	}
	snprintf(actor, sizeof(actor), "cli:%s",
		 sudo_user && *sudo_user ? sudo_user
		 : pw			 ? pw->pw_name
					 : "unknown");
	opt.actor = actor;
	opt.errors = stderr;
	if (fq_db_open(db_path, &dbo, &db, &err) || fq_db_migrate(db, &applied, &err)) {
		fprintf(stderr, "fengqiao: %s\n", err.message);
		return 1;
	}
	rc = fq_people_import_file(db, argv[optind + 1], &opt, &sum, &err);
	fq_db_close(db);
	if (rc) {
		fprintf(stderr, "fengqiao: %s%s%s%s\n", err.message, err.field[0] ? " [" : "",
			err.field, err.field[0] ? "]" : "");
		return 1;
	}
	if (opt.organisations)
		printf("%s (%s): %zu rows, %zu organisations (%.2f s)\n",
		       opt.dry_run ? "dry run, nothing written" : "imported", sum.encoding,
		       sum.rows, sum.organisations, sum.seconds);
	else if (opt.houses)
		printf("%s (%s): %zu rows, %zu houses (%.2f s)\n",
		       opt.dry_run ? "dry run, nothing written" : "imported", sum.encoding,
		       sum.rows, sum.houses_created, sum.seconds);
	else
		printf(
		    "%s (%s): %zu rows, %zu people, %zu houses created, %zu matched, %zu warnings"
		    " (%.2f s)\n",
		    opt.dry_run ? "dry run, nothing written" : "imported", sum.encoding, sum.rows,
		    sum.people, sum.houses_created, sum.houses_matched, sum.warnings, sum.seconds);
	return 0;
}
