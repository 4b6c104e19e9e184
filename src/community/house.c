/*
 * The houses registry (房屋信息) and rentals (出租房屋). See
 * community/registry.h.
 */
#include "community/registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/mask.h"
#include "community/search.h"
#include "core/alloc.h"
#include "core/geo.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "org/rights.h"
#include "db/row_json.h"
#include "core/banned.h"

static const struct {
	const char *code, *label;
} uses[] = {
    [FQ_HOUSE_SELF] = {"self_occupied", "自住"},
    [FQ_HOUSE_RENTED] = {"rented", "出租"},
    [FQ_HOUSE_VACANT] = {"vacant", "空置"},
    [FQ_HOUSE_COMMERCIAL] = {"commercial", "经营"},
};

const char *fq_house_use_code(int use)
{
	return use >= 0 && use <= FQ_HOUSE_COMMERCIAL ? uses[use].code : NULL;
}

int fq_house_use_from(const char *s)
{
	for (int i = 0; s && i <= FQ_HOUSE_COMMERCIAL; i++)
		if (strcmp(s, uses[i].code) == 0 || strcmp(s, uses[i].label) == 0)
			return i;
	return -1;
}

/* {"lat","lon"} of body's "location" (both required); *present when given. */
int fq__location_arg(json_t *body, int *present, double *lat, double *lon, struct fq_err *err)
{
	json_t *loc = json_object_get(body, "location");
	int p = 0, rc;

	*present = 0;
	if (!loc || json_is_null(loc))
		return 0;
	if (!json_is_object(loc))
		return fq_err_set(err, FQ_EINVAL, "invalid_type", "location",
				  "location 应为 {\"lat\",\"lon\"}");
	if ((rc = fq_json_get_real(loc, "lat", FQ_JSON_REQUIRED, -90, 90, lat, &p, err)) ||
	    (rc = fq_json_get_real(loc, "lon", FQ_JSON_REQUIRED, -180, 180, lon, &p, err))) {
		snprintf(err->field, sizeof(err->field), "location");
		return rc;
	}
	*present = 1;
	return 0;
}

static const char *const house_keys[] = {"address", "location", "use",	   "owner_id", "owner_name",
					 "notes",   "unit",	"version", NULL};

int fq_house_parse(json_t *body, int create, struct fq_house_in *in, struct fq_err *err)
{
	const char *use = NULL;
	int present = 0, rc;

	memset(in, 0, sizeof(*in));
	in->use = FQ_HOUSE_SELF;
	if ((rc = fq_json_only_keys(body, house_keys, err)))
		return rc;
#define SET_IF(key, bit)                                                                           \
	if (json_object_get(body, key))                                                            \
	in->set |= bit
	SET_IF("address", FQ_HF_ADDRESS);
	SET_IF("location", FQ_HF_LOCATION);
	SET_IF("use", FQ_HF_USE);
	SET_IF("owner_id", FQ_HF_OWNER);
	SET_IF("owner_name", FQ_HF_OWNER_NAME);
	SET_IF("notes", FQ_HF_NOTES);
	SET_IF("unit", FQ_HF_UNIT);
#undef SET_IF
	if ((rc = fq_json_get_str(body, "address",
				  create || (in->set & FQ_HF_ADDRESS) ? FQ_JSON_REQUIRED
								      : FQ_JSON_OPTIONAL,
				  FQ_REGISTRY_ADDR_MAX, &in->address, err)) ||
	    (rc = fq__location_arg(body, &in->has_location, &in->lat, &in->lon, err)) ||
	    (rc = fq_json_get_str(body, "use", FQ_JSON_OPTIONAL, 32, &use, err)) ||
	    (rc = fq_json_get_str(body, "owner_id", FQ_JSON_OPTIONAL, 36, &in->owner_id, err)) ||
	    (rc = fq_json_get_str(body, "owner_name", FQ_JSON_OPTIONAL, FQ_PERSON_NAME_MAX,
				  &in->owner_name, err)) ||
	    (rc = fq_json_get_str(body, "notes", FQ_JSON_OPTIONAL, FQ_REGISTRY_NOTES_MAX,
				  &in->notes, err)) ||
	    (rc = fq_json_get_str(body, "unit", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1, &in->unit,
				  err)) ||
	    (rc = fq_json_get_int(body, "version", create ? FQ_JSON_OPTIONAL : FQ_JSON_REQUIRED, 1,
				  INT64_MAX, &in->version, &present, err)))
		return rc;
	if (use && (in->use = fq_house_use_from(use)) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "use",
				  "房屋用途应为 self_occupied、rented、vacant 或 commercial");
	if (in->owner_id && *in->owner_id && !fq_uuid_valid(in->owner_id))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "owner_id",
				  "owner_id 不是有效的编号");
	if (in->owner_id && !*in->owner_id)
		in->owner_id = NULL;
	return 0;
}

int fq_house_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		       struct fq_err *err)
{
	return fq_dbc_lookup_text(c, "SELECT unit_path FROM house WHERE id = ?", id, path,
				  FQ_UNIT_PATH_MAX, "房屋不存在", err);
}

static int index_house(struct fq_dbc *c, const char *id, struct fq_err *err)
{
	struct fq_search_doc d;
	struct fq_stmt *st;
	int64_t rowid = 0;
	int rc = fq_dbc_query(
	    c, err, &st,
	    "SELECT h.rowid, h.address_norm, COALESCE(o.name_norm, h.owner_name),"
	    " h.unit_path FROM house h LEFT JOIN person o ON o.id = h.owner_id WHERE h.id = ?",
	    "t", id);
	if (rc)
		return rc;
	fq_search_doc_init(&d);
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		rowid = fq_stmt_int(st, 0);
		rc = fq_search_doc_norm(&d, fq_stmt_text(st, 1));
		if (!rc)
			rc = fq_search_doc_text(&d, fq_stmt_text(st, 2), err);
		if (!rc)
			rc = fq_search_doc_scope(&d, fq_stmt_text(st, 3));
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "房屋不存在");
	}
	fq_stmt_done(st);
	if (!rc)
		rc = fq_search_put(c, FQ_SEARCH_HOUSE, rowid, &d, err);
	fq_search_doc_release(&d);
	return rc;
}

static int address_taken(struct fq_dbc *c, const char *station, const char *norm, const char *self,
			 struct fq_err *err)
{
	struct fq_stmt *st;
	int rc =
	    fq_dbc_query(c, err, &st, "SELECT id FROM house WHERE station = ? AND address_norm = ?",
			 "tt", station, norm);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		rc = self && strcmp(self, fq_stmt_text(st, 0)) == 0
			 ? 0
			 : fq_err_set(err, FQ_ECONFLICT, "duplicate_address", "address",
				      "该地址的房屋已登记：房屋 %s", fq_stmt_text(st, 0));
	fq_stmt_done(st);
	return rc == FQ_DB_DONE ? 0 : rc;
}

static int owner_ok(struct fq_dbc *c, const char *owner, const struct fq_actor *a,
		    struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX];
	int rc;

	if (!owner)
		return 0;
	rc = fq_dbc_lookup_text(c, "SELECT unit_path FROM person WHERE id = ?", owner, path,
				sizeof(path), "", err);
	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(a->scope_path, path)))
		return fq_err_set(err, FQ_EINVAL, "unknown_person", "owner_id", "房主不存在");
	return rc;
}

int fq_house_create(struct fq_dbc *c, const struct fq_house_in *in, const struct fq_actor *a,
		    char id[37], struct fq_err *err)
{
	char unit[FQ_UNIT_CODE_MAX], path[FQ_UNIT_PATH_MAX], station[FQ_UNIT_CODE_MAX],
	    grid[FQ_UNIT_CODE_MAX];
	char *norm = NULL;
	int rc;

	if ((rc = fq__registry_place(c, in->has_location, in->lat, in->lon, in->unit, a, unit, path,
				     station, grid, err)) ||
	    (rc = owner_ok(c, in->owner_id, a, err)) ||
	    (rc = fq__registry_address_key(in->address, "address", &norm, err)))
		return rc;
	if (!*norm) {
		rc = fq_err_set(err, FQ_EINVAL, "invalid_value", "address", "地址不能为空");
		goto out;
	}
	if ((rc = address_taken(c, station, norm, NULL, err)))
		goto out;
	fq_uuid7_str(id);
	rc = fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO house (id, unit, unit_path, station, grid, address, address_norm,"
	    " lat, lon, use, owner_id, owner_name, notes, version, created_at,"
	    " created_by, updated_at, updated_by)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
	    "tttttttDDttttitit", id, unit, path, station, grid[0] ? grid : NULL, in->address, norm,
	    in->has_location ? in->lat : NAN, in->has_location ? in->lon : NAN,
	    fq_house_use_code(in->use), in->owner_id, in->owner_name, in->notes, a->now_ms,
	    a->user_id, a->now_ms, a->user_id);
	if (!rc)
		rc = index_house(c, id, err);
out:
	free(norm);
	return rc;
}

int fq_house_find_or_create(struct fq_dbc *c, const char *unit, const char *address,
			    const struct fq_actor *a, char id[37], int *created, struct fq_err *err)
{
	char code[FQ_UNIT_CODE_MAX], path[FQ_UNIT_PATH_MAX], station[FQ_UNIT_CODE_MAX];
	struct fq_house_in in;
	struct fq_stmt *st;
	char *norm = NULL;
	int rc;

	*created = 0;
	if ((rc = fq__registry_unit(c, unit, a, "unit", code, path, station, err)) ||
	    (rc = fq__registry_address_key(address, "address", &norm, err)))
		return rc;
	rc =
	    fq_dbc_query(c, err, &st, "SELECT id FROM house WHERE station = ? AND address_norm = ?",
			 "tt", station, norm);
	free(norm);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		snprintf(id, 37, "%s", fq_stmt_text(st, 0));
	fq_stmt_done(st);
	if (rc == FQ_DB_ROW)
		return 0;
	if (rc < 0)
		return rc;
	memset(&in, 0, sizeof(in));
	in.address = address;
	in.use = FQ_HOUSE_SELF;
	in.unit = code;
	*created = 1;
	return fq_house_create(c, &in, a, id, err);
}

int fq_house_update(struct fq_dbc *c, const char *id, const struct fq_house_in *in,
		    const struct fq_actor *a, struct fq_err *err)
{
	char unit[FQ_UNIT_CODE_MAX], path[FQ_UNIT_PATH_MAX], station[FQ_UNIT_CODE_MAX],
	    grid[FQ_UNIT_CODE_MAX], old_unit[FQ_UNIT_CODE_MAX];
	char *norm = NULL, *address = NULL;
	struct fq_stmt *st;
	int64_t version = 0, changes = 0;
	int has_loc = 0, rc;
	double lat = 0, lon = 0;

	rc = fq_dbc_query(
	    c, err, &st,
	    "SELECT unit_path, version, unit, lat, lon, address FROM house WHERE id = ?", "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW && fq_scope_covers(a->scope_path, fq_stmt_text(st, 0))) {
		version = fq_stmt_int(st, 1);
		snprintf(old_unit, sizeof(old_unit), "%s", fq_stmt_text(st, 2));
		has_loc = !fq_stmt_is_null(st, 3);
		lat = fq_stmt_double(st, 3);
		lon = fq_stmt_double(st, 4);
		address = fq_xstrdup(fq_stmt_text(st, 5));
		rc = 0;
	} else if (rc >= 0) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "房屋不存在");
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
	if (in->set & FQ_HF_LOCATION) {
		has_loc = in->has_location;
		lat = in->lat;
		lon = in->lon;
	}
	if (in->set & FQ_HF_ADDRESS) {
		free(address);
		address = fq_xstrdup(in->address);
	}
	if ((rc = fq__registry_place(c, has_loc, lat, lon,
				     (in->set & FQ_HF_UNIT) ? in->unit : old_unit, a, unit, path,
				     station, grid, err)) ||
	    ((in->set & FQ_HF_OWNER) && (rc = owner_ok(c, in->owner_id, a, err))) ||
	    (rc = fq__registry_address_key(address, "address", &norm, err)) ||
	    (rc = address_taken(c, station, norm, id, err)))
		goto out;
	rc = fq_dbc_run(
	    c, err, &changes,
	    "UPDATE house SET unit = ?, unit_path = ?, station = ?, grid = ?,"
	    " address = ?, address_norm = ?, lat = ?, lon = ?,"
	    " use = CASE WHEN ? THEN ? ELSE use END,"
	    " owner_id = CASE WHEN ? THEN ? ELSE owner_id END,"
	    " owner_name = CASE WHEN ? THEN ? ELSE owner_name END,"
	    " notes = CASE WHEN ? THEN ? ELSE notes END,"
	    " version = version + 1, updated_at = ?, updated_by = ?"
	    " WHERE id = ? AND version = ?",
	    "ttttttDDitititititti", unit, path, station, grid[0] ? grid : NULL, address, norm,
	    has_loc ? lat : NAN, has_loc ? lon : NAN, (int64_t) !!(in->set & FQ_HF_USE),
	    fq_house_use_code(in->use), (int64_t) !!(in->set & FQ_HF_OWNER), in->owner_id,
	    (int64_t) !!(in->set & FQ_HF_OWNER_NAME), in->owner_name,
	    (int64_t) !!(in->set & FQ_HF_NOTES), in->notes, a->now_ms, a->user_id, id, version);
	if (!rc && changes != 1)
		rc = fq_err_set(err, FQ_ECONFLICT, "stale_version", "version", "记录已被他人修改");
	/* The occupants follow their house: unit, scope and searchable address. */
	if (!rc)
		rc = fq_dbc_run(c, err, NULL,
				"UPDATE person SET unit = ?, unit_path = ? WHERE house_id = ?",
				"ttt", unit, path, id);
	if (!rc)
		rc = index_house(c, id, err);
	/* Occupants are indexed with their house's address and scope. */
	if (!rc) {
		struct fq_stmt *ps = NULL;
		json_t *ids = json_array(), *v;
		size_t i;
		rc = fq_dbc_query(c, err, &ps, "SELECT id FROM person WHERE house_id = ?", "t", id);
		while (!rc && (rc = fq_stmt_step(ps, err)) == FQ_DB_ROW) {
			rc = 0;
			json_array_append_new(ids, json_string(fq_stmt_text(ps, 0)));
		}
		fq_stmt_done(ps);
		if (rc > 0)
			rc = 0;
		json_array_foreach(ids, i, v) if (!rc) rc =
		    fq__person_reindex(c, json_string_value(v), err);
		json_decref(ids);
	}
out:
	free(norm);
	free(address);
	return rc;
}

void fq__cst_date(int64_t ms, int add_days, char out[11])
{
	int64_t s = (ms >= 0 ? ms / 1000 : (ms - 999) / 1000) + FQ_CST_OFFSET_S;
	int64_t days = (s >= 0 ? s / 86400 : (s - 86399) / 86400) + add_days, y;
	unsigned m, d;

	fq_civil_from_days(days, &y, &m, &d);
	snprintf(out, 11, "%04d-%02u-%02u", (int)y, m, d);
}

/*
 * People of a house or rental (key; tenants set for a rental's): id, name,
 * sex, birth year, and ID number and phone masked (a house's page lists them
 * for every role that reads houses; the full record is the person's own page,
 * audited). Rental tenants also get their registration's expiry and its state
 * at today's China date. FQ_EDB when the store fails.
 */
static int people_of(struct fq_dbc *c, const char *sql, const char *key, int tenants, json_t **out,
		     struct fq_err *err)
{
	char today[11], soon[11];
	struct fq_stmt *st;
	json_t *a;
	int rc;

	*out = NULL;
	fq__cst_date(fq_now_ms(), 0, today);
	fq__cst_date(fq_now_ms(), FQ_REGISTRATION_REMIND_DAYS, soon);
	if ((rc = fq_dbc_query(c, err, &st, sql, "t", key)))
		return rc;
	a = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		char idm[FQ_IDNUM_LEN + 1], phone[FQ_PHONE_MAX + 1];
		const char *birth = fq_stmt_text(st, 3),
			   *exp = tenants ? fq_stmt_text(st, 6) : NULL;
		json_t *o;
		fq_mask_id_number(fq_stmt_text(st, 2), idm);
		fq_mask_phone(fq_stmt_text(st, 4), phone);
		o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "id", fq_stmt_text(st, 0), "name",
			      fq_stmt_text(st, 1), "id_number", idm, "birth_year",
			      birth ? json_integer(strtol(birth, NULL, 10)) : json_null(), "phone",
			      fq_stmt_is_null(st, 4) ? json_null() : json_string(phone), "sex",
			      fq_json_str_or_null(fq_stmt_text(st, 5)));
		if (tenants) {
			json_object_set_new(o, "registration_expires", fq_json_str_or_null(exp));
			json_object_set_new(o, "registration_state",
					    !exp		     ? json_null()
					    : strcmp(exp, today) < 0 ? json_string("expired")
					    : strcmp(exp, soon) <= 0 ? json_string("expiring")
								     : json_string("valid"));
		}
		json_array_append_new(a, o);
	}
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return 0;
}

/* The house's rentals, newest first, each with its tenants. */
static int rentals_of(struct fq_dbc *c, const char *house, json_t **out, struct fq_err *err)
{
	char today[11];
	struct fq_stmt *st;
	json_t *a;
	int rc;

	*out = NULL;
	if ((rc = fq_dbc_query(
		 c, err, &st,
		 "SELECT id, start_date, end_date, notes FROM rental WHERE house_id = ?"
		 " ORDER BY start_date DESC, id",
		 "t", house)))
		return rc;
	fq__cst_date(fq_now_ms(), 0, today);
	a = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(
		    a, json_pack("{s:s, s:s, s:o, s:o, s:b}", "id", fq_stmt_text(st, 0),
				 "start_date", fq_stmt_text(st, 1), "end_date",
				 fq_json_str_or_null(fq_stmt_text(st, 2)), "notes",
				 fq_json_str_or_null(fq_stmt_text(st, 3)), "active",
				 !fq_stmt_text(st, 2) || strcmp(fq_stmt_text(st, 2), today) >= 0));
	fq_stmt_done(st);
	rc = rc < 0 ? rc : 0;
	for (size_t i = 0; !rc && i < json_array_size(a); i++) {
		json_t *r = json_array_get(a, i), *tenants;
		rc = people_of(c,
			       "SELECT p.id, p.name, p.id_number, p.birth_date, p.phone, p.sex,"
			       " t.registration_expires FROM rental_tenant t JOIN person p ON"
			       " p.id = t.person_id WHERE t.rental_id = ? ORDER BY p.name_norm",
			       json_string_value(json_object_get(r, "id")), 1, &tenants, err);
		if (!rc)
			json_object_set_new(r, "tenants", tenants);
	}
	if (rc) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return 0;
}

#define HOUSE_COLS                                                                                 \
	"h.id, h.address, h.lat, h.lon, h.grid, h.station, h.unit, h.use, h.owner_id,"             \
	" COALESCE(o.name, h.owner_name), h.notes, h.version, h.created_at, h.updated_at,"         \
	" (SELECT COUNT(*) FROM person x WHERE x.house_id = h.id)"

static json_t *house_row(struct fq_stmt *st, const struct fq_registry_view *v)
{
	json_t *o = json_pack(
	    "{s:s, s:o, s:o, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:o, s:o, s:I}", "id",
	    fq_stmt_text(st, 0), "address", fq__registry_address(fq_stmt_text(st, 1), v),
	    "location",
	    fq_stmt_is_null(st, 2) || !v->full_address
		? json_null()
		: json_pack("{s:f, s:f}", "lat", fq_stmt_double(st, 2), "lon",
			    fq_stmt_double(st, 3)),
	    "grid", fq_json_str_or_null(fq_stmt_text(st, 4)), "station", fq_stmt_text(st, 5),
	    "unit", fq_stmt_text(st, 6), "use", fq_stmt_text(st, 7), "owner_id",
	    fq_json_str_or_null(fq_stmt_text(st, 8)), "owner_name",
	    fq_json_str_or_null(fq_stmt_text(st, 9)), "notes",
	    fq_json_str_or_null(fq_stmt_text(st, 10)), "version", (json_int_t)fq_stmt_int(st, 11),
	    "created_at", fq__json_time(fq_stmt_int(st, 12)), "updated_at",
	    fq__json_time(fq_stmt_int(st, 13)), "occupant_count", (json_int_t)fq_stmt_int(st, 14));
	return o;
}

int fq_house_json(struct fq_dbc *c, const char *id, const struct fq_registry_view *v, json_t **out,
		  struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT " HOUSE_COLS " FROM house h LEFT JOIN person o"
			      " ON o.id = h.owner_id WHERE h.id = ?",
			      "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = house_row(st, v);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "房屋不存在");
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	{
		json_t *occupants = NULL, *rentals = NULL;
		rc = people_of(c,
			       "SELECT id, name, id_number, birth_date, phone, sex FROM person"
			       " WHERE house_id = ? ORDER BY name_norm, id",
			       id, 0, &occupants, err);
		if (!rc)
			rc = rentals_of(c, id, &rentals, err);
		if (rc) {
			/* A page without its occupants would read as an empty house. */
			json_decref(occupants);
			json_decref(*out);
			*out = NULL;
			return rc;
		}
		json_object_set_new(*out, "occupants", occupants);
		json_object_set_new(*out, "rentals", rentals);
	}
	return 0;
}

/* A page of search results from the index alone, then each house by its rowid. */
static int page_from_index(struct fq_dbc *c, const char *expr, const struct fq_house_query *q,
			   const struct fq_registry_view *v, json_t **out, struct fq_err *err)
{
	int64_t rowids[200], total;
	size_t n;
	json_t *items;
	int rc =
	    fq_search_page(c, FQ_SEARCH_HOUSE, expr, !fq_search_expr_single_units(expr), q->page,
			   q->per_page > 200 ? 200 : q->per_page, &total, rowids, &n, err);
	if (rc)
		return rc;
	items = json_array();
	for (size_t i = 0; i < n && !rc; i++) {
		struct fq_stmt *st;
		rc = fq_dbc_query(c, err, &st,
				  "SELECT " HOUSE_COLS " FROM house h LEFT JOIN person o"
				  " ON o.id = h.owner_id WHERE h.rowid = ?",
				  "i", rowids[i]);
		if (rc)
			break;
		if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
			json_array_append_new(items, house_row(st, v));
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

/*
 * Houses with a current rental (no end, or ending today or later) whose
 * tenant's registration has expired or expires within the reminder window:
 * binds the flag, today and today + FQ_REGISTRATION_REMIND_DAYS.
 */
#define EXPIRING_SQL                                                                               \
	"(? = 0 OR EXISTS (SELECT 1 FROM rental r JOIN rental_tenant t ON t.rental_id = r.id"      \
	"  WHERE r.house_id = h.id AND (r.end_date IS NULL OR r.end_date >= ?)"                    \
	" AND t.registration_expires <= ?))"

static const char *const house_sorts[] = {"address", "-address", "created_at", "-created_at", NULL};
static const char *const house_orders[] = {"h.address_norm, h.id", "h.address_norm DESC, h.id DESC",
					   "h.created_at, h.id", "h.created_at DESC, h.id DESC"};

int fq_house_list(struct fq_dbc *c, const struct fq_house_query *q,
		  const struct fq_registry_view *v, json_t **out, struct fq_err *err)
{
	char lo[FQ_UNIT_PATH_MAX], hi[FQ_UNIT_PATH_MAX], today[11], soon[11];
	struct fq_buf match, sql, count_sql;
	const char *order, *from, *cond, *m;
	struct fq_stmt *st = NULL;
	json_t *items;
	int64_t total = 0;
	int rc;

	if ((rc = fq__registry_sort(q->sort, house_sorts, house_orders,
				    q->q ? "f.rank, h.id" : "h.address_norm, h.id", &order, err)))
		return rc;
	if (q->use && fq_house_use_from(q->use) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "use", "未知的房屋用途：%s",
				  q->use);
	if ((rc = fq__list_path(c, q->scope_path, q->unit, lo, err)))
		return rc;
	fq__path_upper(lo, hi);
	fq_buf_init(&match, 4096);
	fq_buf_init(&sql, 4096);
	fq_buf_init(&count_sql, 4096);
	if (q->q && (rc = fq_search_match_expr(q->q, &match, err)))
		goto out;
	if (q->q && !q->sort && !q->use && !q->expiring && fq_search_expr_single_units(match.buf)) {
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
	from = q->q ? "house_fts f JOIN house h ON h.rowid = f.rowid" : "house h";
	/* Fixed SQL text; the MATCH term only where the FTS table is joined. */
	cond = q->q ? "house_fts MATCH ? AND ? IS NOT NULL" : "(? IS NULL OR ? IS NULL)";
	fq__cst_date(fq_now_ms(), 0, today);
	fq__cst_date(fq_now_ms(), FQ_REGISTRATION_REMIND_DAYS, soon);
	rc = fq_buf_addf(&count_sql,
			 "SELECT COUNT(*) FROM %s WHERE %s AND h.unit_path >= ? AND h.unit_path < ?"
			 " AND (? IS NULL OR h.use = ?) AND " EXPIRING_SQL,
			 from, cond);
	if (!rc)
		rc = fq_buf_addf(&sql,
				 "SELECT " HOUSE_COLS
				 " FROM %s LEFT JOIN person o ON o.id = h.owner_id"
				 " WHERE %s AND h.unit_path >= ? AND h.unit_path < ?"
				 " AND (? IS NULL OR h.use = ?) AND " EXPIRING_SQL
				 " ORDER BY %s LIMIT ? OFFSET ?",
				 from, cond, order);
	if (rc)
		goto out;
	m = q->q ? match.buf : NULL;
	rc = fq_dbc_count(c, err, &total, count_sql.buf, "ttttttitt", m, m, lo, hi, q->use, q->use,
			  (int64_t)q->expiring, today, soon);
	if (rc)
		goto out;
	rc = fq_dbc_query(c, err, &st, sql.buf, "ttttttittii", m, m, lo, hi, q->use, q->use,
			  (int64_t)q->expiring, today, soon, q->per_page,
			  (q->page - 1) * q->per_page);
	if (rc)
		goto out;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		if ((rc = fq__list_emit(q->sink, items, house_row(st, v))))
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

/* ---- rentals ---- */

static int date_arg(json_t *body, const char *key, enum fq_json_need need, const char **out,
		    struct fq_err *err)
{
	int y, m, d, rc = fq_json_get_str(body, key, need, 10, out, err);
	char tail;

	if (rc || !*out)
		return rc;
	if (sscanf(*out, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen(*out) != 10 || m < 1 ||
	    m > 12 || d < 1 || d > 31 || y < 1900)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", key,
				  "%s 应为 YYYY-MM-DD 格式的日期", key);
	return 0;
}

int fq_rental_create(struct fq_dbc *c, const char *house_id, json_t *body, const struct fq_actor *a,
		     char id[37], struct fq_err *err)
{
	static const char *const keys[] = {
	    "start_date", "end_date", "tenant_ids", "notes", "registration_expires", NULL};
	char hpath[FQ_UNIT_PATH_MAX], hunit[FQ_UNIT_CODE_MAX];
	const char *start = NULL, *end = NULL, *notes = NULL, *expires = NULL;
	json_t *tenants = NULL, *t;
	size_t i;
	int rc;

	if ((rc = fq_json_only_keys(body, keys, err)) ||
	    (rc = date_arg(body, "start_date", FQ_JSON_REQUIRED, &start, err)) ||
	    (rc = date_arg(body, "end_date", FQ_JSON_OPTIONAL, &end, err)) ||
	    (rc = date_arg(body, "registration_expires", FQ_JSON_OPTIONAL, &expires, err)) ||
	    (rc = fq_json_get_str(body, "notes", FQ_JSON_OPTIONAL, FQ_REGISTRY_NOTES_MAX, &notes,
				  err)) ||
	    (rc = fq_json_get_str_array(body, "tenant_ids", FQ_JSON_REQUIRED, 50, &tenants, err)))
		return rc;
	if (json_array_size(tenants) == 0)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "tenant_ids",
				  "请至少给出一名承租人");
	if (end && strcmp(end, start) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "end_date",
				  "结束日期早于开始日期");
	if (expires && strcmp(expires, start) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "registration_expires",
				  "居住登记有效期早于租住开始日期");
	if ((rc = fq_house_unit_path(c, house_id, hpath, err)))
		return rc;
	if (!fq_scope_covers(a->scope_path, hpath))
		return fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "房屋不存在");
	if ((rc = fq_dbc_lookup_text(c, "SELECT unit FROM house WHERE id = ?", house_id, hunit,
				     sizeof(hunit), "房屋不存在", err)))
		return rc;
	json_array_foreach(tenants, i, t)
	{
		char path[FQ_UNIT_PATH_MAX];
		const char *pid = json_string_value(t);
		rc = fq_dbc_lookup_text(c, "SELECT unit_path FROM person WHERE id = ?", pid, path,
					sizeof(path), "", err);
		if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(a->scope_path, path)))
			return fq_err_set(err, FQ_EINVAL, "unknown_person", "tenant_ids",
					  "承租人 %s 不存在", pid);
		if (rc)
			return rc;
	}
	fq_uuid7_str(id);
	rc = fq_dbc_run(c, err, NULL,
			"INSERT INTO rental (id, house_id, start_date, end_date, notes, created_at,"
			" created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
			"tttttit", id, house_id, start, end, notes, a->now_ms, a->user_id);
	json_array_foreach(tenants, i, t)
	{
		if (rc)
			break;
		rc = fq_dbc_run(
		    c, err, NULL,
		    "INSERT INTO rental_tenant (rental_id, person_id, registration_expires)"
		    " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		    "ttt", id, json_string_value(t), expires);
		if (!rc)
			rc = fq_dbc_run(c, err, NULL,
					"UPDATE person SET house_id = ?, unit = ?, unit_path = ?,"
					" version = version + 1, updated_at = ?, updated_by = ?"
					" WHERE id = ?",
					"tttitt", house_id, hunit, hpath, a->now_ms, a->user_id,
					json_string_value(t));
		if (!rc)
			rc = fq__person_reindex(c, json_string_value(t), err);
	}
	if (!rc)
		rc = fq_dbc_run(
		    c, err, NULL,
		    "UPDATE house SET use = 'rented', version = version + 1,"
		    " updated_at = ?, updated_by = ? WHERE id = ? AND use <> 'commercial'",
		    "itt", a->now_ms, a->user_id, house_id);
	return rc;
}
