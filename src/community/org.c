/*
 * Organisations and venues (单位 / 行业场所 / 九小场所). See
 * community/registry.h.
 */
#include "community/registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/mask.h"
#include "community/search.h"
#include "core/json.h"
#include "core/uuid.h"
#include "org/rights.h"
#include "db/row_json.h"
#include "core/banned.h"

static const struct {
	const char *code, *label;
	int regulated;
} types[] = {
    {"hotel", "旅馆业", 1},
    {"internet_cafe", "网吧", 1},
    {"entertainment", "娱乐场所", 1},
    {"small_shop", "小商店", 0},
    {"small_restaurant", "小餐饮", 0},
    {"small_hotel", "小旅馆", 0},
    {"small_entertainment", "小歌舞娱乐场所", 0},
    {"small_internet_cafe", "小网吧", 0},
    {"small_beauty_bath", "小美容洗浴场所", 0},
    {"small_workshop", "小生产加工企业", 0},
    {"small_school", "小学校（幼儿园）", 0},
    {"small_clinic", "小医院（诊所）", 0},
    {"school", "学校", 0},
    {"enterprise", "企业", 0},
    {"other", "其他单位", 0},
};

#define TYPE_COUNT ((int)(sizeof(types) / sizeof(types[0])))

const char *fq_org_type_code(int type)
{
	return type >= 0 && type < TYPE_COUNT ? types[type].code : NULL;
}

const char *fq_org_type_label(int type)
{
	return type >= 0 && type < TYPE_COUNT ? types[type].label : NULL;
}

int fq_org_type_regulated(int type)
{
	return type >= 0 && type < TYPE_COUNT && types[type].regulated;
}

int fq_org_type_from(const char *s)
{
	for (int i = 0; s && i < TYPE_COUNT; i++)
		if (strcmp(s, types[i].code) == 0 || strcmp(s, types[i].label) == 0)
			return i;
	return -1;
}

static const char *const org_keys[] = {"name",
				       "uscc",
				       "type",
				       "address",
				       "location",
				       "responsible_name",
				       "responsible_phone",
				       "responsible_person_id",
				       "employees",
				       "notes",
				       "unit",
				       "version",
				       NULL};

int fq_org_parse(json_t *body, int create, struct fq_org_in *in, struct fq_err *err)
{
	const char *type = NULL, *uscc = NULL, *phone = NULL;
	int present = 0, rc;

	memset(in, 0, sizeof(*in));
	in->type = -1;
	if ((rc = fq_json_only_keys(body, org_keys, err)))
		return rc;
#define SET_IF(key, bit)                                                                           \
	if (json_object_get(body, key))                                                            \
	in->set |= bit
	SET_IF("name", FQ_OF_NAME);
	SET_IF("uscc", FQ_OF_USCC);
	SET_IF("type", FQ_OF_TYPE);
	SET_IF("address", FQ_OF_ADDRESS);
	SET_IF("location", FQ_OF_LOCATION);
	SET_IF("responsible_name", FQ_OF_RESP_NAME);
	SET_IF("responsible_phone", FQ_OF_RESP_PHONE);
	SET_IF("responsible_person_id", FQ_OF_RESP_PERSON);
	SET_IF("employees", FQ_OF_EMPLOYEES);
	SET_IF("notes", FQ_OF_NOTES);
	SET_IF("unit", FQ_OF_UNIT);
#undef SET_IF
	if ((rc = fq_json_get_str(body, "name",
				  create || (in->set & FQ_OF_NAME) ? FQ_JSON_REQUIRED
								   : FQ_JSON_OPTIONAL,
				  FQ_ORG_NAME_MAX, &in->name, err)) ||
	    (rc = fq_json_get_str(body, "uscc", FQ_JSON_OPTIONAL, 32, &uscc, err)) ||
	    (rc = fq_json_get_str(body, "type",
				  create || (in->set & FQ_OF_TYPE) ? FQ_JSON_REQUIRED
								   : FQ_JSON_OPTIONAL,
				  32, &type, err)) ||
	    (rc = fq_json_get_str(body, "address",
				  create || (in->set & FQ_OF_ADDRESS) ? FQ_JSON_REQUIRED
								      : FQ_JSON_OPTIONAL,
				  FQ_REGISTRY_ADDR_MAX, &in->address, err)) ||
	    (rc = fq__location_arg(body, &in->has_location, &in->lat, &in->lon, err)) ||
	    (rc = fq_json_get_str(body, "responsible_name", FQ_JSON_OPTIONAL, FQ_PERSON_NAME_MAX,
				  &in->responsible_name, err)) ||
	    (rc = fq_json_get_str(body, "responsible_phone", FQ_JSON_OPTIONAL, FQ_PHONE_INPUT_MAX,
				  &phone, err)) ||
	    (rc = fq_json_get_str(body, "responsible_person_id", FQ_JSON_OPTIONAL, 36,
				  &in->responsible_person_id, err)) ||
	    (rc = fq_json_get_int(body, "employees", FQ_JSON_OPTIONAL, 0, 1000000, &in->employees,
				  &present, err)) ||
	    (rc = fq_json_get_str(body, "notes", FQ_JSON_OPTIONAL, FQ_REGISTRY_NOTES_MAX,
				  &in->notes, err)) ||
	    (rc = fq_json_get_str(body, "unit", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1, &in->unit,
				  err)) ||
	    (rc = fq_json_get_int(body, "version", create ? FQ_JSON_OPTIONAL : FQ_JSON_REQUIRED, 1,
				  INT64_MAX, &in->version, &present, err)))
		return rc;
	if (type && (in->type = fq_org_type_from(type)) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "type", "未知的单位类型：%s",
				  type);
	if (uscc && *uscc && (rc = fq_uscc_parse(uscc, "uscc", &in->uscc, err)))
		return rc;
	if (phone && *phone) {
		struct fq_phone p;
		if ((rc = fq_phone_normalize(phone, &p, err))) {
			snprintf(err->field, sizeof(err->field), "responsible_phone");
			return rc;
		}
		snprintf(in->responsible_phone, sizeof(in->responsible_phone), "%s", p.number);
	}
	if (in->responsible_person_id && *in->responsible_person_id &&
	    !fq_uuid_valid(in->responsible_person_id))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "responsible_person_id",
				  "responsible_person_id 不是有效的编号");
	if (in->responsible_person_id && !*in->responsible_person_id)
		in->responsible_person_id = NULL;
	return 0;
}

int fq_org_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		     struct fq_err *err)
{
	return fq_dbc_lookup_text(c, "SELECT unit_path FROM organisation WHERE id = ?", id, path,
				  FQ_UNIT_PATH_MAX, "单位不存在", err);
}

static int index_org(struct fq_dbc *c, const char *id, struct fq_err *err)
{
	struct fq_search_doc d;
	struct fq_stmt *st;
	int64_t rowid = 0;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT rowid, name_norm, address_norm, responsible_name, uscc,"
			      " unit_path FROM organisation WHERE id = ?",
			      "t", id);
	if (rc)
		return rc;
	fq_search_doc_init(&d);
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		rowid = fq_stmt_int(st, 0);
		rc = fq_search_doc_norm(&d, fq_stmt_text(st, 1));
		if (!rc)
			rc = fq_search_doc_norm(&d, fq_stmt_text(st, 2));
		if (!rc)
			rc = fq_search_doc_text(&d, fq_stmt_text(st, 3), err);
		if (!rc && fq_stmt_text(st, 4)) {
			/* The code is searched lower case, as normalised queries are. */
			char code[FQ_USCC_LEN + 1];
			snprintf(code, sizeof(code), "%s", fq_stmt_text(st, 4));
			for (char *p = code; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p + 32);
			rc = fq_search_doc_number(&d, code);
		}
		if (!rc)
			rc = fq_search_doc_scope(&d, fq_stmt_text(st, 5));
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "单位不存在");
	}
	fq_stmt_done(st);
	if (!rc)
		rc = fq_search_put(c, FQ_SEARCH_ORGANISATION, rowid, &d, err);
	fq_search_doc_release(&d);
	return rc;
}

int fq__org_uscc_taken(struct fq_dbc *c, const char *code, const char *self, struct fq_err *err)
{
	char other[40];
	int rc;

	if (!code || !*code)
		return 0;
	rc = fq_dbc_lookup_text(c, "SELECT id FROM organisation WHERE uscc = ?", code, other,
				sizeof(other), "", err);
	if (rc == FQ_ENOTFOUND) {
		fq_err_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	if (self && strcmp(self, other) == 0)
		return 0;
	return fq_err_set(err, FQ_ECONFLICT, "duplicate_uscc", "uscc",
			  "该统一社会信用代码已登记：单位 %s", other);
}

static int person_in_scope(struct fq_dbc *c, const char *pid, const struct fq_actor *a,
			   struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc;

	if (!pid)
		return 0;
	rc = fq_dbc_lookup_text(c, "SELECT unit_path FROM person WHERE id = ?", pid, path,
				sizeof(path), "", err);
	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(a->scope_path, path)))
		return fq_err_set(err, FQ_EINVAL, "unknown_person", "responsible_person_id",
				  "负责人不存在");
	return rc;
}

int fq_org_create(struct fq_dbc *c, const struct fq_org_in *in, const struct fq_actor *a,
		  char id[37], struct fq_err *err)
{
	char unit[FQ_UNIT_CODE_MAX], path[FQ_UNIT_PATH_MAX], station[FQ_UNIT_CODE_MAX],
	    grid[FQ_UNIT_CODE_MAX];
	char *name_norm = NULL, *addr_norm = NULL;
	int rc;

	if ((rc = fq__org_uscc_taken(c, in->uscc.code, NULL, err)) ||
	    (rc = person_in_scope(c, in->responsible_person_id, a, err)) ||
	    (rc = fq__registry_place(c, in->has_location, in->lat, in->lon, in->unit, a, unit, path,
				     station, grid, err)) ||
	    (rc = fq__registry_norm(in->name, "name", &name_norm, err)) ||
	    (rc = fq__registry_address_key(in->address, "address", &addr_norm, err)))
		goto out;
	fq_uuid7_str(id);
	rc = fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO organisation (id, unit, unit_path, station, grid, name, name_norm,"
	    " uscc, type, regulated, address, address_norm, lat, lon, responsible_name,"
	    " responsible_phone, responsible_person_id, employees, notes, version,"
	    " created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
	    "tttttttttittDDtttititit", id, unit, path, station, grid[0] ? grid : NULL, in->name,
	    name_norm, in->uscc.code[0] ? in->uscc.code : NULL, fq_org_type_code(in->type),
	    (int64_t)fq_org_type_regulated(in->type), in->address, addr_norm,
	    in->has_location ? in->lat : NAN, in->has_location ? in->lon : NAN,
	    in->responsible_name, in->responsible_phone[0] ? in->responsible_phone : NULL,
	    in->responsible_person_id, in->employees, in->notes, a->now_ms, a->user_id, a->now_ms,
	    a->user_id);
	if (rc == FQ_ECONFLICT && fq__org_uscc_taken(c, in->uscc.code, NULL, err))
		goto out;
	if (!rc)
		rc = index_org(c, id, err);
out:
	free(name_norm);
	free(addr_norm);
	return rc;
}

int fq_org_update(struct fq_dbc *c, const char *id, const struct fq_org_in *in,
		  const struct fq_actor *a, struct fq_err *err)
{
	char unit[FQ_UNIT_CODE_MAX], path[FQ_UNIT_PATH_MAX], station[FQ_UNIT_CODE_MAX],
	    grid[FQ_UNIT_CODE_MAX], old_unit[FQ_UNIT_CODE_MAX];
	char *name_norm = NULL, *addr_norm = NULL;
	struct fq_stmt *st;
	int64_t version = 0, changes = 0;
	double lat = 0, lon = 0;
	int has_loc = 0, rc;

	rc = fq_dbc_query(
	    c, err, &st, "SELECT unit_path, version, unit, lat, lon FROM organisation WHERE id = ?",
	    "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW && fq_scope_covers(a->scope_path, fq_stmt_text(st, 0))) {
		version = fq_stmt_int(st, 1);
		snprintf(old_unit, sizeof(old_unit), "%s", fq_stmt_text(st, 2));
		has_loc = !fq_stmt_is_null(st, 3);
		lat = fq_stmt_double(st, 3);
		lon = fq_stmt_double(st, 4);
		rc = 0;
	} else if (rc >= 0) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "单位不存在");
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	if (version != in->version)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "记录已被他人修改（当前版本 %lld），请刷新后重试",
				  (long long)version);
	if (in->set & FQ_OF_LOCATION) {
		has_loc = in->has_location;
		lat = in->lat;
		lon = in->lon;
	}
	if (((in->set & FQ_OF_USCC) && (rc = fq__org_uscc_taken(c, in->uscc.code, id, err))) ||
	    ((in->set & FQ_OF_RESP_PERSON) &&
	     (rc = person_in_scope(c, in->responsible_person_id, a, err))) ||
	    (rc = fq__registry_place(c, has_loc, lat, lon,
				     (in->set & FQ_OF_UNIT) ? in->unit : old_unit, a, unit, path,
				     station, grid, err)) ||
	    ((in->set & FQ_OF_NAME) &&
	     (rc = fq__registry_norm(in->name, "name", &name_norm, err))) ||
	    ((in->set & FQ_OF_ADDRESS) &&
	     (rc = fq__registry_address_key(in->address, "address", &addr_norm, err))))
		goto out;
	rc = fq_dbc_run(
	    c, err, &changes,
	    "UPDATE organisation SET unit = ?, unit_path = ?, station = ?, grid = ?, lat = ?,"
	    " lon = ?,"
	    " name = CASE WHEN ? THEN ? ELSE name END,"
	    " name_norm = CASE WHEN ? THEN ? ELSE name_norm END,"
	    " uscc = CASE WHEN ? THEN ? ELSE uscc END,"
	    " type = CASE WHEN ? THEN ? ELSE type END,"
	    " regulated = CASE WHEN ? THEN ? ELSE regulated END,"
	    " address = CASE WHEN ? THEN ? ELSE address END,"
	    " address_norm = CASE WHEN ? THEN ? ELSE address_norm END,"
	    " responsible_name = CASE WHEN ? THEN ? ELSE responsible_name END,"
	    " responsible_phone = CASE WHEN ? THEN ? ELSE responsible_phone END,"
	    " responsible_person_id = CASE WHEN ? THEN ? ELSE responsible_person_id END,"
	    " employees = CASE WHEN ? THEN ? ELSE employees END,"
	    " notes = CASE WHEN ? THEN ? ELSE notes END,"
	    " version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?",
	    "ttttDDititititiiitititititiiititti", unit, path, station, grid[0] ? grid : NULL,
	    has_loc ? lat : NAN, has_loc ? lon : NAN, (int64_t) !!(in->set & FQ_OF_NAME), in->name,
	    (int64_t) !!(in->set & FQ_OF_NAME), name_norm, (int64_t) !!(in->set & FQ_OF_USCC),
	    in->uscc.code[0] ? in->uscc.code : NULL, (int64_t) !!(in->set & FQ_OF_TYPE),
	    fq_org_type_code(in->type), (int64_t) !!(in->set & FQ_OF_TYPE),
	    (int64_t)fq_org_type_regulated(in->type), (int64_t) !!(in->set & FQ_OF_ADDRESS),
	    in->address, (int64_t) !!(in->set & FQ_OF_ADDRESS), addr_norm,
	    (int64_t) !!(in->set & FQ_OF_RESP_NAME), in->responsible_name,
	    (int64_t) !!(in->set & FQ_OF_RESP_PHONE),
	    in->responsible_phone[0] ? in->responsible_phone : NULL,
	    (int64_t) !!(in->set & FQ_OF_RESP_PERSON), in->responsible_person_id,
	    (int64_t) !!(in->set & FQ_OF_EMPLOYEES), in->employees,
	    (int64_t) !!(in->set & FQ_OF_NOTES), in->notes, a->now_ms, a->user_id, id, version);
	if (!rc && changes != 1)
		rc = fq_err_set(err, FQ_ECONFLICT, "stale_version", "version", "记录已被他人修改");
	if (!rc)
		rc = index_org(c, id, err);
out:
	free(name_norm);
	free(addr_norm);
	return rc;
}

#define ORG_COLS                                                                                   \
	"o.id, o.name, o.uscc, o.type, o.regulated, o.address, o.lat, o.lon, o.grid, o.station,"   \
	" o.unit, o.responsible_name, o.responsible_phone, o.responsible_person_id, o.employees,"  \
	" o.notes, o.version, o.created_at, o.updated_at"

static json_t *org_row(struct fq_stmt *st, const struct fq_registry_view *v)
{
	char phone[FQ_PHONE_MAX + 1];
	int type = fq_org_type_from(fq_stmt_text(st, 3));

	if (v->reveal)
		snprintf(phone, sizeof(phone), "%s",
			 fq_stmt_text(st, 12) ? fq_stmt_text(st, 12) : "");
	else
		fq_mask_phone(fq_stmt_text(st, 12), phone);
	/* Venues are public premises: their address and code are not masked. */
	return json_pack(
	    "{s:s, s:s, s:o, s:s, s:s, s:b, s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:I, s:o,"
	    " s:I, s:o, s:o}",
	    "id", fq_stmt_text(st, 0), "name", fq_stmt_text(st, 1), "uscc",
	    fq_json_str_or_null(fq_stmt_text(st, 2)), "type", fq_stmt_text(st, 3), "type_label",
	    type >= 0 ? fq_org_type_label(type) : "", "regulated", (int)fq_stmt_int(st, 4),
	    "address", fq_stmt_text(st, 5), "location",
	    fq_stmt_is_null(st, 6) ? json_null()
				   : json_pack("{s:f, s:f}", "lat", fq_stmt_double(st, 6), "lon",
					       fq_stmt_double(st, 7)),
	    "grid", fq_json_str_or_null(fq_stmt_text(st, 8)), "station", fq_stmt_text(st, 9),
	    "unit", fq_stmt_text(st, 10), "responsible_name",
	    fq_json_str_or_null(fq_stmt_text(st, 11)), "responsible_phone",
	    fq_stmt_is_null(st, 12) ? json_null() : json_string(phone), "responsible_person_id",
	    fq_json_str_or_null(fq_stmt_text(st, 13)), "employees", (json_int_t)fq_stmt_int(st, 14),
	    "notes", fq_json_str_or_null(fq_stmt_text(st, 15)), "version",
	    (json_int_t)fq_stmt_int(st, 16), "created_at", fq__json_time(fq_stmt_int(st, 17)),
	    "updated_at", fq__json_time(fq_stmt_int(st, 18)));
}

int fq_org_json(struct fq_dbc *c, const char *id, const struct fq_registry_view *v, json_t **out,
		struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, "SELECT " ORG_COLS " FROM organisation o WHERE o.id = ?",
			      "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = org_row(st, v);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "单位不存在");
	}
	fq_stmt_done(st);
	return rc;
}

static const char *const org_sorts[] = {"name", "-name", "created_at", "-created_at", NULL};
static const char *const org_orders[] = {"o.name_norm, o.id", "o.name_norm DESC, o.id DESC",
					 "o.created_at, o.id", "o.created_at DESC, o.id DESC"};

int fq_org_list(struct fq_dbc *c, const struct fq_org_query *q, const struct fq_registry_view *v,
		json_t **out, struct fq_err *err)
{
	char lo[FQ_UNIT_PATH_MAX], hi[FQ_UNIT_PATH_MAX];
	struct fq_buf match, sql, count_sql;
	const char *order, *from, *cond, *m;
	struct fq_stmt *st = NULL;
	json_t *items;
	int64_t total = 0, regulated = q->regulated;
	int rc;

	if ((rc = fq__registry_sort(q->sort, org_sorts, org_orders,
				    q->q ? "f.rank, o.id" : "o.name_norm, o.id", &order, err)))
		return rc;
	if (q->type && fq_org_type_from(q->type) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "type", "未知的单位类型：%s",
				  q->type);
	if ((rc = fq__list_path(c, q->scope_path, q->unit, lo, err)))
		return rc;
	fq__path_upper(lo, hi);
	fq_buf_init(&match, 4096);
	fq_buf_init(&sql, 4096);
	fq_buf_init(&count_sql, 4096);
	if (q->q && (rc = fq_search_match_expr(q->q, &match, err)))
		goto out;
	from =
	    q->q ? "organisation_fts f JOIN organisation o ON o.rowid = f.rowid" : "organisation o";
	cond = q->q ? "organisation_fts MATCH ? AND ? IS NOT NULL" : "(? IS NULL OR ? IS NULL)";
	rc = fq_buf_addf(&count_sql,
			 "SELECT COUNT(*) FROM %s WHERE %s AND o.unit_path >= ? AND o.unit_path < ?"
			 " AND (? IS NULL OR o.type = ?) AND (? < 0 OR o.regulated = ?)"
			 " AND (? = 0 OR o.type LIKE 'small!_%%' ESCAPE '!')",
			 from, cond);
	if (!rc)
		rc = fq_buf_addf(&sql,
				 "SELECT " ORG_COLS " FROM %s WHERE %s AND o.unit_path >= ?"
				 " AND o.unit_path < ? AND (? IS NULL OR o.type = ?)"
				 " AND (? < 0 OR o.regulated = ?)"
				 " AND (? = 0 OR o.type LIKE 'small!_%%' ESCAPE '!')"
				 " ORDER BY %s LIMIT ? OFFSET ?",
				 from, cond, order);
	if (rc)
		goto out;
	m = q->q ? match.buf : NULL;
	rc = fq_dbc_count(c, err, &total, count_sql.buf, "ttttttiii", m, m, lo, hi, q->type,
			  q->type, regulated, regulated, (int64_t)q->small);
	if (rc)
		goto out;
	rc = fq_dbc_query(c, err, &st, sql.buf, "ttttttiiiii", m, m, lo, hi, q->type, q->type,
			  regulated, regulated, (int64_t)q->small, q->per_page,
			  (q->page - 1) * q->per_page);
	if (rc)
		goto out;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		if ((rc = fq__list_emit(q->sink, items, org_row(st, v))))
			break;
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		goto out;
	}
	rc = 0;
	*out = fq_page_json(items, total, q->page, q->per_page);
out:
	fq_buf_release(&match);
	fq_buf_release(&sql);
	fq_buf_release(&count_sql);
	return rc;
}
