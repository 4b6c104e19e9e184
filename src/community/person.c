/*
 * The people registry (人口信息): validation, duplicates, residence and
 * scope, masking, search. See community/registry.h.
 */
#include "community/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/mask.h"
#include "community/search.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/uuid.h"
#include "org/rights.h"
#include "db/row_json.h"
#include "core/banned.h"

static const struct {
	const char *code, *label;
} categories[FQ_CAT_COUNT] = {
    [FQ_CAT_RESIDENT] = {"resident", "常住人口"},
    [FQ_CAT_FLOATING] = {"floating", "流动人口"},
    [FQ_CAT_ELDERLY_ALONE] = {"elderly_alone", "独居老人"},
    [FQ_CAT_NEEDS_CARE] = {"needs_care", "需关爱人员"},
    [FQ_CAT_CONCERN] = {"concern", "重点人员"},
};

const char *fq_person_category_code(enum fq_person_category c)
{
	return (unsigned)c < FQ_CAT_COUNT ? categories[c].code : NULL;
}

const char *fq_person_category_label(enum fq_person_category c)
{
	return (unsigned)c < FQ_CAT_COUNT ? categories[c].label : NULL;
}

int fq_person_category_from(const char *s)
{
	for (int i = 0; s && i < FQ_CAT_COUNT; i++)
		if (strcmp(s, categories[i].code) == 0 || strcmp(s, categories[i].label) == 0)
			return i;
	return -1;
}

/* ",resident,floating," as stored. */
static void categories_text(uint32_t bits, char out[128])
{
	size_t n = 0;
	out[n++] = ',';
	out[n] = '\0';
	for (int i = 0; i < FQ_CAT_COUNT; i++)
		if (bits & FQ_CAT_BIT(i))
			n += (size_t)snprintf(out + n, 128 - n, "%s,", categories[i].code);
}

static uint32_t categories_bits(const char *text)
{
	uint32_t bits = 0;
	char needle[40];

	for (int i = 0; text && i < FQ_CAT_COUNT; i++) {
		snprintf(needle, sizeof(needle), ",%s,", categories[i].code);
		if (strstr(text, needle))
			bits |= FQ_CAT_BIT(i);
	}
	return bits;
}

static json_t *categories_json(uint32_t bits, int see_concern)
{
	json_t *a = json_array();
	for (int i = 0; i < FQ_CAT_COUNT; i++)
		if ((bits & FQ_CAT_BIT(i)) && (i != FQ_CAT_CONCERN || see_concern))
			json_array_append_new(a, json_string(categories[i].code));
	return a;
}

/* ---- input ---- */

static const char *const person_keys[] = {"name",   "id_number", "sex",	  "birth_date", "phone",
					  "phone2", "house_id",	 "hukou", "categories", "notes",
					  "unit",   "version",	 NULL};

static int phone_arg(json_t *body, const char *key, char out[FQ_PHONE_MAX + 1], unsigned bit,
		     unsigned *set, struct fq_err *err)
{
	const char *s;
	struct fq_phone p;
	int rc;

	out[0] = '\0';
	if (!json_object_get(body, key))
		return 0;
	*set |= bit;
	if ((rc = fq_json_get_str(body, key, FQ_JSON_OPTIONAL, FQ_PHONE_INPUT_MAX, &s, err)))
		return rc;
	if (!s || !*s)
		return 0;
	if ((rc = fq_phone_normalize(s, &p, err))) {
		snprintf(err->field, sizeof(err->field), "%s", key);
		return rc;
	}
	snprintf(out, FQ_PHONE_MAX + 1, "%s", p.number);
	return 0;
}

static int categories_arg(json_t *body, uint32_t *out, unsigned *set, struct fq_err *err)
{
	json_t *arr, *v;
	size_t i;
	int rc;

	*out = 0;
	if (!json_object_get(body, "categories"))
		return 0;
	*set |= FQ_PF_CATEGORIES;
	if ((rc = fq_json_get_str_array(body, "categories", FQ_JSON_OPTIONAL, FQ_CAT_COUNT * 2,
					&arr, err)))
		return rc;
	json_array_foreach(arr, i, v)
	{
		int cat = fq_person_category_from(json_string_value(v));
		if (cat < 0)
			return fq_err_set(err, FQ_EINVAL, "invalid_value", "categories",
					  "未知的人员类别：%s", json_string_value(v));
		*out |= FQ_CAT_BIT(cat);
	}
	return 0;
}

static int opt_str(json_t *body, const char *key, size_t max, unsigned bit, unsigned *set,
		   const char **out, struct fq_err *err)
{
	if (json_object_get(body, key))
		*set |= bit;
	return fq_json_get_str(body, key, FQ_JSON_OPTIONAL, max, out, err);
}

/* The ID number, with sex and birth date cross-checked when given. */
static int id_arg(json_t *body, int create, int64_t now_ms, struct fq_person_in *in,
		  struct fq_err *err)
{
	const char *s = NULL, *sex = NULL, *birth = NULL;
	char id18[FQ_IDNUM_LEN + 1], date[16];
	int rc;

	if ((rc = fq_json_get_str(body, "id_number", create ? FQ_JSON_REQUIRED : FQ_JSON_OPTIONAL,
				  32, &s, err)) ||
	    (rc = fq_json_get_str(body, "sex", FQ_JSON_OPTIONAL, 4, &sex, err)) ||
	    (rc = fq_json_get_str(body, "birth_date", FQ_JSON_OPTIONAL, 10, &birth, err)))
		return rc;
	if (!s) {
		if (sex || birth)
			return fq_err_set(err, FQ_EINVAL, "derived_field",
					  sex ? "sex" : "birth_date",
					  "性别和出生日期由身份证号推导，请同时给出身份证号");
		return 0;
	}
	in->set |= FQ_PF_ID;
	{
		size_t n = strlen(s);
		while (n && (s[n - 1] == ' '))
			n--;
		if (n == FQ_IDNUM_OLD_LEN) {
			if ((rc = fq_idnum_from15(s, "id_number", id18, err)))
				return rc;
			s = id18;
		}
	}
	if ((rc = fq_idnum_parse(s, "id_number", now_ms, &in->id, err)))
		return rc;
	if (sex && *sex) {
		char want = strcmp(sex, "M") == 0 || strcmp(sex, "男") == 0   ? 'M'
			    : strcmp(sex, "F") == 0 || strcmp(sex, "女") == 0 ? 'F'
									      : 0;
		if (!want)
			return fq_err_set(err, FQ_EINVAL, "invalid_value", "sex",
					  "性别应为 M/F（男/女）");
		if (want != in->id.sex)
			return fq_err_set(err, FQ_EINVAL, "id_mismatch", "sex",
					  "性别与身份证号不符（身份证号为%s性）",
					  in->id.sex == 'M' ? "男" : "女");
	}
	snprintf(date, sizeof(date), "%04d-%02d-%02d", in->id.birth_year, in->id.birth_month,
		 in->id.birth_day);
	if (birth && *birth && strcmp(birth, date) != 0)
		return fq_err_set(err, FQ_EINVAL, "id_mismatch", "birth_date",
				  "出生日期与身份证号不符（身份证号为 %s）", date);
	return 0;
}

int fq_person_parse(json_t *body, int create, int64_t now_ms, struct fq_person_in *in,
		    struct fq_err *err)
{
	int64_t version = 0;
	int present = 0, rc;

	memset(in, 0, sizeof(*in));
	if ((rc = fq_json_only_keys(body, person_keys, err)))
		return rc;
	if (json_object_get(body, "name"))
		in->set |= FQ_PF_NAME;
	if ((rc = fq_json_get_str(body, "name",
				  create || json_object_get(body, "name") ? FQ_JSON_REQUIRED
									  : FQ_JSON_OPTIONAL,
				  FQ_PERSON_NAME_MAX, &in->name, err)) ||
	    (rc = id_arg(body, create, now_ms, in, err)) ||
	    (rc = phone_arg(body, "phone", in->phone, FQ_PF_PHONE, &in->set, err)) ||
	    (rc = phone_arg(body, "phone2", in->phone2, FQ_PF_PHONE2, &in->set, err)) ||
	    (rc = opt_str(body, "house_id", 36, FQ_PF_HOUSE, &in->set, &in->house_id, err)) ||
	    (rc = opt_str(body, "hukou", FQ_REGISTRY_ADDR_MAX, FQ_PF_HUKOU, &in->set, &in->hukou,
			  err)) ||
	    (rc = opt_str(body, "notes", FQ_REGISTRY_NOTES_MAX, FQ_PF_NOTES, &in->set, &in->notes,
			  err)) ||
	    (rc = opt_str(body, "unit", FQ_UNIT_CODE_MAX - 1, FQ_PF_UNIT, &in->set, &in->unit,
			  err)) ||
	    (rc = categories_arg(body, &in->categories, &in->set, err)) ||
	    (rc = fq_json_get_int(body, "version", create ? FQ_JSON_OPTIONAL : FQ_JSON_REQUIRED, 1,
				  INT64_MAX, &version, &present, err)))
		return rc;
	if (in->house_id && !*in->house_id)
		in->house_id = NULL;
	if (in->house_id && !fq_uuid_valid(in->house_id))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "house_id",
				  "house_id 不是有效的编号");
	in->version = version;
	return 0;
}

/* ---- store ---- */

int fq_person_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			struct fq_err *err)
{
	return fq_dbc_lookup_text(c, "SELECT unit_path FROM person WHERE id = ?", id, path,
				  FQ_UNIT_PATH_MAX, "人员不存在", err);
}

/* Rebuild the search entry of person id from the store. */
static int index_person(struct fq_dbc *c, const char *id, struct fq_err *err)
{
	struct fq_search_doc d;
	struct fq_stmt *st;
	int64_t rowid = 0;
	int rc;

	rc = fq_dbc_query(c, err, &st,
			  "SELECT p.rowid, p.name_norm, h.address_norm, p.hukou, p.id_number,"
			  " p.phone, p.phone2, p.unit_path FROM person p LEFT JOIN house h"
			  " ON h.id = p.house_id"
			  " WHERE p.id = ?",
			  "t", id);
	if (rc)
		return rc;
	fq_search_doc_init(&d);
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		rowid = fq_stmt_int(st, 0);
		rc = fq_search_doc_norm(&d, fq_stmt_text(st, 1));
		if (!rc)
			rc = fq_search_doc_norm(&d, fq_stmt_text(st, 2));
		if (!rc)
			rc = fq_search_doc_text(&d, fq_stmt_text(st, 3), err);
		if (!rc)
			rc = fq_search_doc_number(&d, fq_stmt_text(st, 4));
		if (!rc)
			rc = fq_search_doc_number(&d, fq_stmt_text(st, 5));
		if (!rc)
			rc = fq_search_doc_number(&d, fq_stmt_text(st, 6));
		if (!rc)
			rc = fq_search_doc_scope(&d, fq_stmt_text(st, 7));
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "人员不存在");
	}
	fq_stmt_done(st);
	if (!rc)
		rc = fq_search_put(c, FQ_SEARCH_PERSON, rowid, &d, err);
	fq_search_doc_release(&d);
	return rc;
}

int fq__person_reindex(struct fq_dbc *c, const char *id, struct fq_err *err)
{
	return index_person(c, id, err);
}

/* The unit of a house in the actor's scope; FQ_EINVAL (house_id) otherwise. */
static int house_unit(struct fq_dbc *c, const char *house_id, const struct fq_actor *a,
		      char unit[FQ_UNIT_CODE_MAX], char path[FQ_UNIT_PATH_MAX], struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, "SELECT unit, unit_path FROM house WHERE id = ?", "t",
			      house_id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW && fq_scope_covers(a->scope_path, fq_stmt_text(st, 1))) {
		snprintf(unit, FQ_UNIT_CODE_MAX, "%s", fq_stmt_text(st, 0));
		snprintf(path, FQ_UNIT_PATH_MAX, "%s", fq_stmt_text(st, 1));
		rc = 0;
	} else if (rc >= 0) {
		rc = fq_err_set(err, FQ_EINVAL, "unknown_house", "house_id", "房屋不存在");
	}
	fq_stmt_done(st);
	return rc;
}

static int id_taken(struct fq_dbc *c, const char *id_number, const char *self, struct fq_err *err)
{
	char other[40];
	int rc = fq_dbc_lookup_text(c, "SELECT id FROM person WHERE id_number = ?", id_number,
				    other, sizeof(other), "", err);
	if (rc == FQ_ENOTFOUND) {
		fq_err_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	if (self && strcmp(self, other) == 0)
		return 0;
	return fq_err_set(err, FQ_ECONFLICT, "duplicate_id_number", "id_number",
			  "该身份证号已登记：人员 %s", other);
}

/* Warnings for people of the same name, birth date and house. */
static int duplicates(struct fq_dbc *c, const char *self, json_t **warnings, struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	json_t *w = json_array();
	int rc;

	rc =
	    fq_dbc_query(c, err, &st,
			 "SELECT o.id FROM person p JOIN person o ON o.name_norm = p.name_norm"
			 " AND o.birth_date = p.birth_date"
			 " AND COALESCE(o.house_id, '') = COALESCE(p.house_id, '') AND o.id <> p.id"
			 " WHERE p.id = ? ORDER BY o.id LIMIT 20",
			 "t", self);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		rc = 0;
		json_array_append_new(w, json_pack("{s:s, s:s, s:s}", "code", "possible_duplicate",
						   "person_id", fq_stmt_text(st, 0), "message",
						   "同名、同出生日期、同住址的人员已登记"));
	}
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(w);
		return rc;
	}
	if (warnings)
		*warnings = w;
	else
		json_decref(w);
	return 0;
}

int fq_person_create(struct fq_dbc *c, const struct fq_person_in *in, const struct fq_actor *a,
		     char id[37], json_t **warnings, struct fq_err *err)
{
	char unit[FQ_UNIT_CODE_MAX], path[FQ_UNIT_PATH_MAX], station[FQ_UNIT_CODE_MAX];
	char cats[128], birth[16], sex[2] = {in->id.sex, 0};
	char *name_norm = NULL;
	int rc;

	if (warnings)
		*warnings = NULL;
	if ((in->categories & FQ_CAT_BIT(FQ_CAT_CONCERN)) && !a->see_concern)
		return fq_err_set(err, FQ_EFORBIDDEN, "forbidden", "categories",
				  "您的角色无权设置重点人员类别");
	if ((rc = id_taken(c, in->id.number, NULL, err)))
		return rc;
	if (in->house_id)
		rc = house_unit(c, in->house_id, a, unit, path, err);
	else
		rc = fq__registry_unit(c, in->unit, a, "unit", unit, path, station, err);
	if (rc || (rc = fq__registry_norm(in->name, "name", &name_norm, err)))
		return rc;
	fq_uuid7_str(id);
	categories_text(in->categories, cats);
	snprintf(birth, sizeof(birth), "%04d-%02d-%02d", in->id.birth_year, in->id.birth_month,
		 in->id.birth_day);
	rc = fq_dbc_run(c, err, NULL,
			"INSERT INTO person (id, unit, unit_path, name, name_norm, id_number, sex,"
			" birth_date, phone, phone2, house_id, hukou, categories, notes, version,"
			" created_at, created_by, updated_at, updated_by)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
			"ttttttttttttttitit", id, unit, path, in->name, name_norm, in->id.number,
			sex, birth, in->phone[0] ? in->phone : NULL,
			in->phone2[0] ? in->phone2 : NULL, in->house_id, in->hukou, cats, in->notes,
			a->now_ms, a->user_id, a->now_ms, a->user_id);
	free(name_norm);
	if (rc == FQ_ECONFLICT) {
		int taken = id_taken(c, in->id.number, NULL, err);
		return taken ? taken : rc;
	}
	if (!rc)
		rc = index_person(c, id, err);
	if (!rc)
		rc = duplicates(c, id, warnings, err);
	return rc;
}

int fq_person_update(struct fq_dbc *c, const char *id, const struct fq_person_in *in,
		     const struct fq_actor *a, json_t **warnings, struct fq_err *err)
{
	char unit[FQ_UNIT_CODE_MAX], path[FQ_UNIT_PATH_MAX], station[FQ_UNIT_CODE_MAX];
	char old_unit[FQ_UNIT_CODE_MAX], cats[128];
	char *name_norm = NULL, *house = NULL;
	uint32_t old_cats = 0, new_cats;
	int64_t version = 0, changes = 0;
	struct fq_stmt *st;
	int rc;

	if (warnings)
		*warnings = NULL;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT unit_path, version, categories, house_id, unit FROM person"
			  " WHERE id = ?",
			  "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW && fq_scope_covers(a->scope_path, fq_stmt_text(st, 0))) {
		version = fq_stmt_int(st, 1);
		old_cats = categories_bits(fq_stmt_text(st, 2));
		house = fq_stmt_text(st, 3) ? fq_xstrdup(fq_stmt_text(st, 3)) : NULL;
		snprintf(old_unit, sizeof(old_unit), "%s", fq_stmt_text(st, 4));
		snprintf(path, sizeof(path), "%s", fq_stmt_text(st, 0));
		rc = 0;
	} else if (rc >= 0) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "人员不存在");
	}
	fq_stmt_done(st);
	if (rc)
		goto out;
	if (version != in->version) {
		rc = fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				"记录已被他人修改（当前版本 %lld），请刷新后重试",
				(long long)version);
		goto out;
	}
	new_cats = old_cats;
	if (in->set & FQ_PF_CATEGORIES) {
		if (!a->see_concern) {
			if (in->categories & FQ_CAT_BIT(FQ_CAT_CONCERN)) {
				rc = fq_err_set(err, FQ_EFORBIDDEN, "forbidden", "categories",
						"您的角色无权设置重点人员类别");
				goto out;
			}
			new_cats = in->categories | (old_cats & FQ_CAT_BIT(FQ_CAT_CONCERN));
		} else {
			new_cats = in->categories;
		}
	}
	categories_text(new_cats, cats);
	if ((in->set & FQ_PF_ID) && (rc = id_taken(c, in->id.number, id, err)))
		goto out;
	snprintf(unit, sizeof(unit), "%s", old_unit);
	if (in->set & FQ_PF_HOUSE) {
		free(house);
		house = in->house_id ? fq_xstrdup(in->house_id) : NULL;
		if (house)
			rc = house_unit(c, house, a, unit, path, err);
		else
			rc = fq__registry_unit(c, (in->set & FQ_PF_UNIT) ? in->unit : old_unit, a,
					       "unit", unit, path, station, err);
	} else if ((in->set & FQ_PF_UNIT) && !house) {
		rc = fq__registry_unit(c, in->unit, a, "unit", unit, path, station, err);
	}
	if (rc)
		goto out;
	if ((in->set & FQ_PF_NAME) && (rc = fq__registry_norm(in->name, "name", &name_norm, err)))
		goto out;
	{
		char birth[16], sex[2] = {in->id.sex, 0};
		snprintf(birth, sizeof(birth), "%04d-%02d-%02d", in->id.birth_year,
			 in->id.birth_month, in->id.birth_day);
		rc = fq_dbc_run(
		    c, err, &changes,
		    "UPDATE person SET"
		    " name = CASE WHEN ? THEN ? ELSE name END,"
		    " name_norm = CASE WHEN ? THEN ? ELSE name_norm END,"
		    " id_number = CASE WHEN ? THEN ? ELSE id_number END,"
		    " sex = CASE WHEN ? THEN ? ELSE sex END,"
		    " birth_date = CASE WHEN ? THEN ? ELSE birth_date END,"
		    " phone = CASE WHEN ? THEN ? ELSE phone END,"
		    " phone2 = CASE WHEN ? THEN ? ELSE phone2 END,"
		    " hukou = CASE WHEN ? THEN ? ELSE hukou END,"
		    " notes = CASE WHEN ? THEN ? ELSE notes END,"
		    " house_id = ?, unit = ?, unit_path = ?, categories = ?,"
		    " version = version + 1, updated_at = ?, updated_by = ?"
		    " WHERE id = ? AND version = ?",
		    "itititititititititttttitti", (int64_t) !!(in->set & FQ_PF_NAME), in->name,
		    (int64_t) !!(in->set & FQ_PF_NAME), name_norm, (int64_t) !!(in->set & FQ_PF_ID),
		    in->id.number, (int64_t) !!(in->set & FQ_PF_ID), sex,
		    (int64_t) !!(in->set & FQ_PF_ID), birth, (int64_t) !!(in->set & FQ_PF_PHONE),
		    in->phone[0] ? in->phone : NULL, (int64_t) !!(in->set & FQ_PF_PHONE2),
		    in->phone2[0] ? in->phone2 : NULL, (int64_t) !!(in->set & FQ_PF_HUKOU),
		    in->hukou, (int64_t) !!(in->set & FQ_PF_NOTES), in->notes, house, unit, path,
		    cats, a->now_ms, a->user_id, id, version);
	}
	if (!rc && changes != 1)
		rc = fq_err_set(err, FQ_ECONFLICT, "stale_version", "version", "记录已被他人修改");
	if (!rc)
		rc = index_person(c, id, err);
	if (!rc)
		rc = duplicates(c, id, warnings, err);
out:
	free(name_norm);
	free(house);
	return rc;
}

/* ---- answers ---- */

#define PERSON_COLS                                                                                \
	"p.id, p.name, p.id_number, p.sex, p.birth_date, p.phone, p.phone2, p.house_id,"           \
	" h.address, p.hukou, p.categories, p.notes, p.unit, p.version, p.created_at,"             \
	" p.updated_at, h.grid"

static json_t *person_row(struct fq_stmt *st, const struct fq_registry_view *v, int detail)
{
	char id_masked[FQ_IDNUM_LEN + 1], phone[FQ_PHONE_MAX + 1], phone2[FQ_PHONE_MAX + 1];
	const char *idn = fq_stmt_text(st, 2), *birth = fq_stmt_text(st, 4);
	json_t *o;

	if (v->reveal) {
		snprintf(id_masked, sizeof(id_masked), "%s", idn ? idn : "");
		snprintf(phone, sizeof(phone), "%s",
			 fq_stmt_text(st, 5) ? fq_stmt_text(st, 5) : "");
		snprintf(phone2, sizeof(phone2), "%s",
			 fq_stmt_text(st, 6) ? fq_stmt_text(st, 6) : "");
	} else {
		fq_mask_id_number(idn, id_masked);
		fq_mask_phone(fq_stmt_text(st, 5), phone);
		fq_mask_phone(fq_stmt_text(st, 6), phone2);
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:I}", "id",
		      fq_stmt_text(st, 0), "name", fq_stmt_text(st, 1), "id_number", id_masked,
		      "sex", fq_stmt_text(st, 3), "phone",
		      fq_stmt_is_null(st, 5) ? json_null() : json_string(phone), "house_id",
		      fq_json_str_or_null(fq_stmt_text(st, 7)), "address",
		      fq__registry_address(fq_stmt_text(st, 8), v), "grid",
		      fq_json_str_or_null(fq_stmt_text(st, 16)), "categories",
		      categories_json(categories_bits(fq_stmt_text(st, 10)), v->see_concern),
		      "unit", fq_stmt_text(st, 12), "version", (json_int_t)fq_stmt_int(st, 13));
	if (v->reveal)
		json_object_set_new(o, "birth_date", json_string(birth));
	else
		json_object_set_new(o, "birth_year",
				    json_integer(birth ? strtol(birth, NULL, 10) : 0));
	if (detail) {
		json_object_set_new(o, "phone2",
				    fq_stmt_is_null(st, 6) ? json_null() : json_string(phone2));
		json_object_set_new(o, "hukou", fq__registry_address(fq_stmt_text(st, 9), v));
		json_object_set_new(o, "notes", fq_json_str_or_null(fq_stmt_text(st, 11)));
		json_object_set_new(o, "created_at", fq__json_time(fq_stmt_int(st, 14)));
		json_object_set_new(o, "updated_at", fq__json_time(fq_stmt_int(st, 15)));
		json_object_set_new(o, "masked", json_boolean(!v->reveal));
	}
	return o;
}

int fq_person_json(struct fq_dbc *c, const char *id, const struct fq_registry_view *v, json_t **out,
		   struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT " PERSON_COLS " FROM person p LEFT JOIN house h"
			      " ON h.id = p.house_id WHERE p.id = ?",
			      "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = person_row(st, v, 1);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "人员不存在");
	}
	fq_stmt_done(st);
	return rc;
}

/* The exclusive upper bound of paths under prefix ("/a/b/" -> "/a/b0"). */
void fq__path_upper(const char *prefix, char out[FQ_UNIT_PATH_MAX])
{
	size_t n;
	snprintf(out, FQ_UNIT_PATH_MAX, "%s", prefix);
	n = strlen(out);
	if (n)
		out[n - 1] = (char)(out[n - 1] + 1);
}

/* The path under which to list: the unit's (when in scope) or the scope itself. */
int fq__list_path(struct fq_dbc *c, const char *scope, const char *unit, char out[FQ_UNIT_PATH_MAX],
		  struct fq_err *err)
{
	int rc;

	if (!unit) {
		snprintf(out, FQ_UNIT_PATH_MAX, "%s", scope);
		return 0;
	}
	rc = fq_dbc_lookup_text(c, "SELECT path FROM unit WHERE code = ?", unit, out,
				FQ_UNIT_PATH_MAX, "单位不存在", err);
	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(scope, out)))
		return fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit",
				  "单位 %s 不存在或不在您的辖区内", unit);
	return rc;
}

/* A page of search results from the index alone, then each record by its rowid. */
static int page_from_index(struct fq_dbc *c, const char *expr, const struct fq_person_query *q,
			   const struct fq_registry_view *v, json_t **out, struct fq_err *err)
{
	int64_t rowids[200], total;
	size_t n;
	json_t *items;
	int rc =
	    fq_search_page(c, FQ_SEARCH_PERSON, expr, !fq_search_expr_single_units(expr), q->page,
			   q->per_page > 200 ? 200 : q->per_page, &total, rowids, &n, err);
	if (rc)
		return rc;
	items = json_array();
	for (size_t i = 0; i < n && !rc; i++) {
		struct fq_stmt *st;
		rc = fq_dbc_query(c, err, &st,
				  "SELECT " PERSON_COLS " FROM person p LEFT JOIN house h"
				  " ON h.id = p.house_id WHERE p.rowid = ?",
				  "i", rowids[i]);
		if (rc)
			break;
		if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
			json_array_append_new(items, person_row(st, v, 0));
			rc = 0;
		}
		fq_stmt_done(st);
		rc = rc < 0 ? rc : 0;
	}
	if (rc) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, q->page, q->per_page);
	return 0;
}

static const char *const person_sorts[] = {"name",	 "-name",	"created_at", "-created_at",
					   "updated_at", "-updated_at", NULL};
static const char *const person_orders[] = {"p.name_norm, p.id",  "p.name_norm DESC, p.id DESC",
					    "p.created_at, p.id", "p.created_at DESC, p.id DESC",
					    "p.updated_at, p.id", "p.updated_at DESC, p.id DESC"};

int fq_person_list(struct fq_dbc *c, const struct fq_person_query *q,
		   const struct fq_registry_view *v, json_t **out, struct fq_err *err)
{
	char lo[FQ_UNIT_PATH_MAX], hi[FQ_UNIT_PATH_MAX], cat[40];
	const char *order, *cat_arg = NULL;
	struct fq_buf match, sql, count_sql;
	struct fq_stmt *st = NULL;
	json_t *items = NULL;
	int64_t total = 0;
	int rc;

	if ((rc = fq__registry_sort(q->sort, person_sorts, person_orders,
				    q->q ? "f.rank, p.id" : "p.name_norm, p.id", &order, err)))
		return rc;
	if (q->category) {
		int k = fq_person_category_from(q->category);
		if (k < 0)
			return fq_err_set(err, FQ_EINVAL, "invalid_query", "category",
					  "未知的人员类别：%s", q->category);
		if (k == FQ_CAT_CONCERN && !v->see_concern)
			return fq_err_set(err, FQ_EFORBIDDEN, "forbidden", "category",
					  "您的角色无权查看重点人员");
		snprintf(cat, sizeof(cat), ",%s,", fq_person_category_code(k));
		cat_arg = cat;
	}
	if ((rc = fq__list_path(c, q->scope_path, q->unit, lo, err)))
		return rc;
	fq__path_upper(lo, hi);
	fq_buf_init(&match, 4096);
	fq_buf_init(&sql, 4096);
	fq_buf_init(&count_sql, 4096);
	if (q->q && (rc = fq_search_match_expr(q->q, &match, err)))
		goto out;
	if (q->q && !q->sort && !cat_arg && !q->house_id &&
	    fq_search_expr_single_units(match.buf)) {
		/*
		 * One-unit terms match thousands: scope joins the match and the page
		 * comes from the index alone. Longer terms match few records, which the
		 * join below checks against the scope more cheaply than a scope term.
		 */
		if ((rc = fq_search_scope_expr(lo, &match)))
			goto out;
		rc = page_from_index(c, match.buf, q, v, out, err);
		goto out;
	}
	/* Fixed SQL text: only the FROM clause and the ORDER BY (from a table) vary. */
	rc = fq_buf_addf(&count_sql,
			 "SELECT COUNT(*) FROM %s WHERE %s p.unit_path >= ? AND p.unit_path < ?"
			 " AND (? IS NULL OR instr(p.categories, ?) > 0)"
			 " AND (? IS NULL OR p.house_id = ?)",
			 q->q ? "person_fts f JOIN person p ON p.rowid = f.rowid" : "person p",
			 q->q ? "person_fts MATCH ? AND" : "");
	if (!rc)
		rc = fq_buf_addf(
		    &sql,
		    "SELECT " PERSON_COLS " FROM %s LEFT JOIN house h ON h.id = p.house_id"
		    " WHERE %s p.unit_path >= ? AND p.unit_path < ?"
		    " AND (? IS NULL OR instr(p.categories, ?) > 0)"
		    " AND (? IS NULL OR p.house_id = ?) ORDER BY %s LIMIT ? OFFSET ?",
		    q->q ? "person_fts f JOIN person p ON p.rowid = f.rowid" : "person p",
		    q->q ? "person_fts MATCH ? AND" : "", order);
	if (rc)
		goto out;
	if (q->q)
		rc = fq_dbc_query(c, err, &st, count_sql.buf, "ttttttt", match.buf, lo, hi, cat_arg,
				  cat_arg, q->house_id, q->house_id);
	else
		rc = fq_dbc_query(c, err, &st, count_sql.buf, "tttttt", lo, hi, cat_arg, cat_arg,
				  q->house_id, q->house_id);
	if (rc)
		goto out;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		total = fq_stmt_int(st, 0);
		rc = 0;
	}
	fq_stmt_done(st);
	if (rc)
		goto out;
	if (q->q)
		rc = fq_dbc_query(c, err, &st, sql.buf, "tttttttii", match.buf, lo, hi, cat_arg,
				  cat_arg, q->house_id, q->house_id, q->per_page,
				  (q->page - 1) * q->per_page);
	else
		rc = fq_dbc_query(c, err, &st, sql.buf, "ttttttii", lo, hi, cat_arg, cat_arg,
				  q->house_id, q->house_id, q->per_page,
				  (q->page - 1) * q->per_page);
	if (rc)
		goto out;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		if ((rc = fq__list_emit(q->sink, items, person_row(st, v, 0))))
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
