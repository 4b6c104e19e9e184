/*
 * Field work store: contact cards, resident messages, service requests and
 * clues. See field.h.
 */
#include "community/field.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/phone.h"
#include "core/uuid.h"
#include "db/row_json.h"
#include "org/numbers.h"
#include "org/rights.h"
#include "org/users.h"
#include "core/banned.h"

static const struct {
	const char *code, *label;
} service_kinds[] = {
    {"id_card_delivery", "身份证送证上门"},
    {"home_registration", "上门采集登记"},
    {"residence_permit", "居住证办理"},
    {"certificate", "证明开具"},
    {"other", "其他服务"},
};
#define N_SERVICE_KINDS (sizeof(service_kinds) / sizeof(service_kinds[0]))

const char *fq_service_kind_code(int i)
{
	return i >= 0 && (size_t)i < N_SERVICE_KINDS ? service_kinds[i].code : NULL;
}

const char *fq_service_kind_label(int i)
{
	return i >= 0 && (size_t)i < N_SERVICE_KINDS ? service_kinds[i].label : NULL;
}

int fq_service_kind_valid(const char *code)
{
	for (size_t i = 0; code && i < N_SERVICE_KINDS; i++)
		if (strcmp(service_kinds[i].code, code) == 0)
			return 1;
	return 0;
}

static const char *service_label(const char *code)
{
	for (size_t i = 0; code && i < N_SERVICE_KINDS; i++)
		if (strcmp(service_kinds[i].code, code) == 0)
			return service_kinds[i].label;
	return NULL;
}

/* ---- shared checks ---- */

/* A phone as entered → normalised, with the error naming field. NULL/"" → "". */
static int phone_norm(const char *in, const char *field, char out[FQ_PHONE_MAX + 1],
		      struct fq_err *err)
{
	struct fq_phone p;

	out[0] = '\0';
	if (!in || !*in)
		return 0;
	if (fq_phone_normalize(in, &p, err) != 0) {
		snprintf(err->field, sizeof(err->field), "%s", field);
		return FQ_EINVAL;
	}
	snprintf(out, FQ_PHONE_MAX + 1, "%s", p.number);
	return 0;
}

/* The phone for the API: masked unless mask is 0; the stored form when it was never normalised. */
static json_t *phone_json(struct fq_stmt *st, int raw_col, int norm_col, int mask)
{
	char masked[FQ_PHONE_MAX + 1];

	if (fq_stmt_is_null(st, raw_col) || !*fq_stmt_text(st, raw_col))
		return json_null();
	if (!mask)
		return json_string(fq_stmt_text(st, raw_col));
	if (!fq_stmt_is_null(st, norm_col) &&
	    fq_phone_mask(fq_stmt_text(st, norm_col), masked) == 0)
		return json_string(masked);
	return json_string("****");
}

static const char *nullable(const char *s)
{
	return s && *s ? s : NULL;
}

/* Unit kind of code ("grid", "station", ...); FQ_EINVAL naming field when unknown. */
static int unit_kind(struct fq_dbc *c, const char *code, const char *field, char kind[16],
		     struct fq_err *err)
{
	int rc = fq_dbc_lookup_text(c, "SELECT kind FROM unit WHERE code = ?", code, kind, 16,
				    "单位不存在", err);
	if (rc == FQ_ENOTFOUND)
		return fq_err_set(err, FQ_EINVAL, "unknown_unit", field, "单位不存在：%s", code);
	return rc;
}

static int version_check(struct fq_dbc *c, const char *table, const char *id, int64_t expected,
			 const char *notfound, char state[24], struct fq_err *err)
{
	char sql[96];
	struct fq_stmt *st;
	int64_t version = 0;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT version, %s FROM %s WHERE id = ?",
		 strcmp(table, "contact_card") == 0 ? "active" : "state", table);
	if ((rc = fq_dbc_query(c, err, &st, sql, "t", id)))
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		version = fq_stmt_int(st, 0);
		snprintf(state, 24, "%s", fq_stmt_text(st, 1) ? fq_stmt_text(st, 1) : "");
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "%s", notfound);
	}
	fq_stmt_done(st);
	if (!rc && expected && expected != version)
		rc = fq_err_set(err, FQ_ECONFLICT, "version_mismatch", "version",
				"记录已被他人修改（当前版本 %lld），请刷新后重试",
				(long long)version);
	return rc;
}

static int invalid_state(struct fq_err *err, const char *state, const char *what)
{
	return fq_err_set(err, FQ_ECONFLICT, "invalid_state", "state", "当前状态（%s）不能%s",
			  state, what);
}

static int unit_path_of(struct fq_dbc *c, const char *sql, const char *id,
			char path[FQ_UNIT_PATH_MAX], const char *notfound, struct fq_err *err)
{
	return fq_dbc_lookup_text(c, sql, id, path, FQ_UNIT_PATH_MAX, notfound, err);
}

/* ---- contact cards ---- */

int fq_card_create(struct fq_dbc *c, const struct fq_card_new *in, char id[37],
		   char token[FQ_CARD_TOKEN_CHARS + 1], struct fq_err *err)
{
	char kind[16], user_path[FQ_UNIT_PATH_MAX], unit_path[FQ_UNIT_PATH_MAX];
	char norm[FQ_PHONE_MAX + 1];
	unsigned char raw[16];
	struct fq_user u;
	int64_t n = 0;
	int rc;

	if ((rc = fq_user_load(c, in->user_id, &u, err)))
		return rc == FQ_ENOTFOUND
			   ? fq_err_set(err, FQ_EINVAL, "unknown_user", "user_id", "用户不存在")
			   : rc;
	if (u.disabled)
		return fq_err_set(err, FQ_EINVAL, "user_disabled", "user_id", "该用户已停用");
	if (!(u.roles & (FQ_ROLE_BIT(FQ_ROLE_COMMUNITY_OFFICER) | FQ_ROLE_BIT(FQ_ROLE_AUXILIARY) |
			 FQ_ROLE_BIT(FQ_ROLE_CHIEF))))
		return fq_err_set(err, FQ_EINVAL, "not_an_officer", "user_id",
				  "联系卡只能为社区民警、辅警或所长制作");
	if ((rc = unit_kind(c, in->unit_code, "unit", kind, err)))
		return rc;
	if (strcmp(kind, "grid") != 0 && strcmp(kind, "post") != 0 && strcmp(kind, "station") != 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_unit_kind", "unit",
				  "联系卡应对应网格、警务室或派出所");
	/* The officer must work for the unit: their home unit covers it. */
	snprintf(user_path, sizeof(user_path), "%s", u.unit_path);
	if ((rc = fq_unit_path(c, in->unit_code, unit_path, err)))
		return rc;
	if (!fq_scope_covers(user_path, unit_path))
		return fq_err_set(err, FQ_EINVAL, "unit_mismatch", "unit", "该民警不负责此单位");
	if ((rc = phone_norm(in->work_phone, "work_phone", norm, err)))
		return rc;
	if ((rc = fq_dbc_count(
		 c, err, &n,
		 "SELECT count(*) FROM contact_card WHERE user_id = ? AND unit_code = ?", "tt",
		 in->user_id, in->unit_code)))
		return rc;
	if (n)
		return fq_err_set(err, FQ_ECONFLICT, "duplicate", "unit",
				  "该民警在此单位已有联系卡");
	fq_uuid7_str(id);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(token, FQ_CARD_TOKEN_CHARS + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO contact_card (id, token, user_id, unit_code, work_phone, motto,"
	    " created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "ttttttiti", id, token, in->user_id, in->unit_code, nullable(in->work_phone),
	    nullable(in->motto), in->now_ms, in->actor_id, in->now_ms);
}

int fq_card_update(struct fq_dbc *c, const char *id, int64_t expected_version,
		   const char *work_phone, const char *motto, int active, int64_t now_ms,
		   struct fq_err *err)
{
	char state[24], norm[FQ_PHONE_MAX + 1];
	int rc;

	if ((rc = version_check(c, "contact_card", id, expected_version, "联系卡不存在", state,
				err)) ||
	    (rc = phone_norm(work_phone, "work_phone", norm, err)))
		return rc;
	return fq_dbc_run(
	    c, err, NULL,
	    "UPDATE contact_card SET work_phone = CASE WHEN ? THEN ? ELSE work_phone END,"
	    " motto = CASE WHEN ? THEN ? ELSE motto END,"
	    " active = CASE WHEN ? >= 0 THEN ? ELSE active END,"
	    " version = version + 1, updated_at = ? WHERE id = ?",
	    "ititiiit", (int64_t)(work_phone != NULL), nullable(work_phone),
	    (int64_t)(motto != NULL), nullable(motto), (int64_t)active, (int64_t)active, now_ms,
	    id);
}

int fq_card_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		      struct fq_err *err)
{
	return unit_path_of(c,
			    "SELECT u.path FROM contact_card k JOIN unit u ON u.code = k.unit_code"
			    " WHERE k.id = ?",
			    id, path, "联系卡不存在", err);
}

/* What the card calls its officer. */
static const char *officer_role(uint32_t roles)
{
	if (roles & FQ_ROLE_BIT(FQ_ROLE_COMMUNITY_OFFICER))
		return "社区民警";
	if (roles & FQ_ROLE_BIT(FQ_ROLE_CHIEF))
		return "派出所所长";
	if (roles & FQ_ROLE_BIT(FQ_ROLE_AUXILIARY))
		return "辅警";
	return "民警";
}

#define CARD_COLS                                                                                  \
	"k.id, k.token, k.user_id, p.display_name, k.unit_code, u.name, u.kind,"                   \
	" (SELECT s.name FROM unit s WHERE u.path LIKE s.path || '%' AND s.kind = 'station'),"     \
	" coalesce(k.work_phone, p.phone), k.motto, k.active, k.version, k.created_at"
#define CARD_FROM                                                                                  \
	" FROM contact_card k JOIN app_user p ON p.id = k.user_id JOIN unit u ON u.code ="         \
	" k.unit_code"

static json_t *card_row(struct fq_stmt *st)
{
	json_t *j = json_object();
	char page[64];

	snprintf(page, sizeof(page), "/c/%s", fq_stmt_text(st, 1));
	json_object_set_new(j, "id", fq_row_text(st, 0));
	json_object_set_new(j, "token", fq_row_text(st, 1));
	json_object_set_new(j, "page_path", json_string(page));
	json_object_set_new(j, "user_id", fq_row_text(st, 2));
	json_object_set_new(j, "officer_name", fq_row_text(st, 3));
	json_object_set_new(j, "unit", fq_row_text(st, 4));
	json_object_set_new(j, "unit_name", fq_row_text(st, 5));
	json_object_set_new(j, "unit_kind", fq_row_text(st, 6));
	json_object_set_new(j, "station_name", fq_row_text(st, 7));
	json_object_set_new(j, "work_phone", fq_row_text(st, 8));
	json_object_set_new(j, "motto", fq_row_text(st, 9));
	json_object_set_new(j, "active", fq_row_bool(st, 10));
	json_object_set_new(j, "version", fq_row_int(st, 11));
	json_object_set_new(j, "created_at", fq_row_time(st, 12));
	return j;
}

int fq_card_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc =
	    fq_dbc_query(c, err, &st, "SELECT " CARD_COLS CARD_FROM " WHERE k.id = ?", "t", id);

	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = card_row(st);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "联系卡不存在");
	}
	fq_stmt_done(st);
	if (!rc) {
		struct fq_user u;
		const char *user_id = json_string_value(json_object_get(*out, "user_id"));
		if ((rc = fq_user_load(c, user_id, &u, err)) != 0) {
			json_decref(*out);
			*out = NULL;
			return rc;
		}
		json_object_set_new(*out, "officer_role_label", json_string(officer_role(u.roles)));
	}
	return rc;
}

int fq_card_list(struct fq_dbc *c, const char *scope_path, const char *unit, int64_t page,
		 int64_t per_page, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *items = json_array();
	int64_t total = 0;
	int rc;

	rc = fq_dbc_count(
	    c, err, &total,
	    "SELECT count(*) FROM contact_card k JOIN unit u ON u.code = k.unit_code"
	    " WHERE substr(u.path, 1, length(?)) = ? AND (? IS NULL OR k.unit_code = ?)",
	    "tttt", scope_path, scope_path, unit, unit);
	if (!rc)
		rc = fq_dbc_query(
		    c, err, &st,
		    "SELECT " CARD_COLS CARD_FROM
		    " WHERE substr(u.path, 1, length(?)) = ? AND (? IS NULL OR"
		    " k.unit_code = ?) ORDER BY u.code, p.display_name LIMIT ? OFFSET ?",
		    "ttttii", scope_path, scope_path, unit, unit, per_page, (page - 1) * per_page);
	if (rc) {
		json_decref(items);
		return rc;
	}
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, card_row(st));
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, page, per_page);
	return 0;
}

int fq_card_public_json(struct fq_dbc *c, const char *token, char id[37], json_t **out,
			struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *kinds;
	int rc;

	if (!token || strlen(token) != FQ_CARD_TOKEN_CHARS)
		return fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "联系卡不存在或已停用");
	rc = fq_dbc_query(c, err, &st,
			  "SELECT " CARD_COLS CARD_FROM " WHERE k.token = ? AND k.active = 1", "t",
			  token);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(id, 37, "%s", fq_stmt_text(st, 0));
		*out = json_object();
		json_object_set_new(*out, "officer_name", fq_row_text(st, 3));
		json_object_set_new(*out, "unit_name", fq_row_text(st, 5));
		json_object_set_new(*out, "station_name", fq_row_text(st, 7));
		json_object_set_new(*out, "work_phone", fq_row_text(st, 8));
		json_object_set_new(*out, "motto", fq_row_text(st, 9));
		kinds = json_array();
		for (size_t i = 0; i < N_SERVICE_KINDS; i++)
			json_array_append_new(kinds,
					      json_pack("{s:s, s:s}", "code", service_kinds[i].code,
							"label", service_kinds[i].label));
		json_object_set_new(*out, "service_kinds", kinds);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "联系卡不存在或已停用");
	}
	fq_stmt_done(st);
	return rc;
}

/* ---- resident messages ---- */

int fq_message_check(const struct fq_message_new *in, char phone_norm_out[FQ_PHONE_MAX + 1],
		     struct fq_err *err)
{
	int booking;

	if (!in->kind || (strcmp(in->kind, "message") != 0 && strcmp(in->kind, "booking") != 0))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "kind",
				  "kind 应为 message（留言）或 booking（预约服务）");
	booking = strcmp(in->kind, "booking") == 0;
	if (booking) {
		if (!fq_service_kind_valid(in->service_kind))
			return fq_err_set(err, FQ_EINVAL,
					  in->service_kind ? "invalid_value" : "missing_field",
					  "service_kind", "请选择要预约的服务");
		if (!in->name || !*in->name)
			return fq_err_set(err, FQ_EINVAL, "missing_field", "name",
					  "预约服务请填写姓名");
		if (!in->phone || !*in->phone)
			return fq_err_set(err, FQ_EINVAL, "missing_field", "phone",
					  "预约服务请填写联系电话");
		if (!in->address || !*in->address)
			return fq_err_set(err, FQ_EINVAL, "missing_field", "address",
					  "预约上门服务请填写地址");
	} else if (in->service_kind) {
		return fq_err_set(err, FQ_EINVAL, "unexpected_field", "service_kind",
				  "留言不需要 service_kind");
	}
	if (!in->text || !*in->text)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "text", "请填写内容");
	return phone_norm(in->phone, "phone", phone_norm_out, err);
}

int fq_message_create(struct fq_dbc *c, const struct fq_message_new *in, char id[37],
		      char number[64], struct fq_err *err)
{
	char card_id[37], unit[FQ_UNIT_CODE_MAX], officer[37], norm[FQ_PHONE_MAX + 1];
	struct fq_stmt *st;
	int rc;

	if ((rc = fq_message_check(in, norm, err)))
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT id, unit_code, user_id FROM contact_card WHERE token = ? AND"
			  " active = 1",
			  "t", in->card_token);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(card_id, sizeof(card_id), "%s", fq_stmt_text(st, 0));
		snprintf(unit, sizeof(unit), "%s", fq_stmt_text(st, 1));
		snprintf(officer, sizeof(officer), "%s", fq_stmt_text(st, 2));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "联系卡不存在或已停用");
	}
	fq_stmt_done(st);
	if (rc || (rc = fq_number_next(c, "LY", unit, in->now_ms, number, err)))
		return rc;
	fq_uuid7_str(id);
	return fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO resident_message (id, number, card_id, unit_code, officer_id, kind,"
	    " service_kind, name, phone, phone_norm, address, text, preferred_at, client,"
	    " received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "ttttttttttttIti", id, number, card_id, unit, officer, in->kind,
	    nullable(in->service_kind), nullable(in->name), nullable(in->phone), nullable(norm),
	    nullable(in->address), in->text, in->preferred_at ? in->preferred_at : INT64_MIN,
	    in->client, in->now_ms);
}

int fq_message_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			 struct fq_err *err)
{
	return unit_path_of(c,
			    "SELECT u.path FROM resident_message m JOIN unit u ON u.code ="
			    " m.unit_code WHERE m.id = ?",
			    id, path, "留言不存在", err);
}

#define MESSAGE_COLS                                                                               \
	"m.id, m.number, m.card_id, m.unit_code, m.officer_id, p.display_name, m.kind,"            \
	" m.service_kind, m.name, m.phone, m.phone_norm, m.address, m.text, m.preferred_at,"       \
	" m.received_at, m.state, m.handled_at, m.handled_by, m.handling_note,"                    \
	" m.service_request_id, m.clue_id, m.version"
#define MESSAGE_FROM " FROM resident_message m JOIN app_user p ON p.id = m.officer_id"

static json_t *message_row(struct fq_stmt *st, int mask)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", fq_row_text(st, 0));
	json_object_set_new(j, "number", fq_row_text(st, 1));
	json_object_set_new(j, "card_id", fq_row_text(st, 2));
	json_object_set_new(j, "unit", fq_row_text(st, 3));
	json_object_set_new(j, "officer_id", fq_row_text(st, 4));
	json_object_set_new(j, "officer_name", fq_row_text(st, 5));
	json_object_set_new(j, "kind", fq_row_text(st, 6));
	json_object_set_new(j, "service_kind", fq_row_text(st, 7));
	json_object_set_new(
	    j, "service_kind_label",
	    fq_stmt_is_null(st, 7) ? json_null() : json_string(service_label(fq_stmt_text(st, 7))));
	json_object_set_new(j, "name", fq_row_text(st, 8));
	json_object_set_new(j, "phone", phone_json(st, 9, 10, mask));
	json_object_set_new(j, "address", fq_row_text(st, 11));
	json_object_set_new(j, "text", fq_row_text(st, 12));
	json_object_set_new(j, "preferred_at", fq_row_time(st, 13));
	json_object_set_new(j, "received_at", fq_row_time(st, 14));
	json_object_set_new(j, "state", fq_row_text(st, 15));
	json_object_set_new(j, "handled_at", fq_row_time(st, 16));
	json_object_set_new(j, "handled_by", fq_row_text(st, 17));
	json_object_set_new(j, "handling_note", fq_row_text(st, 18));
	json_object_set_new(j, "service_request_id", fq_row_text(st, 19));
	json_object_set_new(j, "clue_id", fq_row_text(st, 20));
	json_object_set_new(j, "version", fq_row_int(st, 21));
	return j;
}

int fq_message_json(struct fq_dbc *c, const char *id, int mask_phones, json_t **out,
		    struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, "SELECT " MESSAGE_COLS MESSAGE_FROM " WHERE m.id = ?",
			      "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = message_row(st, mask_phones);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "留言不存在");
	}
	fq_stmt_done(st);
	return rc;
}

int fq_message_list(struct fq_dbc *c, const char *scope_path, const char *state,
		    const char *officer_id, int mask_phones, int64_t page, int64_t per_page,
		    json_t **out, struct fq_err *err)
{
	static const char where[] =
	    " JOIN unit u ON u.code = m.unit_code WHERE substr(u.path, 1, length(?1)) = ?1"
	    " AND (?2 IS NULL OR m.state = ?2) AND (?3 IS NULL OR m.officer_id = ?3)";
	char sql[1024];
	struct fq_stmt *st;
	json_t *items = json_array();
	int64_t total = 0;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM resident_message m%s", where);
	rc = fq_dbc_count(c, err, &total, sql, "ttt", scope_path, state, officer_id);
	if (!rc) {
		snprintf(sql, sizeof(sql),
			 "SELECT " MESSAGE_COLS MESSAGE_FROM
			 "%s ORDER BY m.state = 'handled', m.received_at DESC LIMIT ?4 OFFSET ?5",
			 where);
		rc = fq_dbc_query(c, err, &st, sql, "tttii", scope_path, state, officer_id,
				  per_page, (page - 1) * per_page);
	}
	if (rc) {
		json_decref(items);
		return rc;
	}
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, message_row(st, mask_phones));
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, page, per_page);
	return 0;
}

int fq_message_handle(struct fq_dbc *c, const char *id, int64_t expected_version, const char *note,
		      const char *convert_to, const char *actor_id, int64_t now_ms,
		      char made_id[37], struct fq_err *err)
{
	char state[24], unit[FQ_UNIT_CODE_MAX] = "", kind[24] = "", skind[24] = "";
	char name[256] = "", phone[80] = "", address[640] = "", text[FQ_FIELD_TEXT_MAX * 4 + 1];
	int64_t preferred = 0;
	struct fq_stmt *st;
	int rc;

	made_id[0] = '\0';
	if (!note || !*note)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "note", "请填写处理情况");
	if (convert_to && strcmp(convert_to, "service_request") != 0 &&
	    strcmp(convert_to, "clue") != 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "convert_to",
				  "convert_to 应为 service_request 或 clue");
	if ((rc = version_check(c, "resident_message", id, expected_version, "留言不存在", state,
				err)))
		return rc;
	if (strcmp(state, "new") != 0)
		return invalid_state(err, "已处理", "再次处理");
	rc = fq_dbc_query(c, err, &st,
			  "SELECT unit_code, kind, coalesce(service_kind, ''), coalesce(name, ''),"
			  " coalesce(phone, ''), coalesce(address, ''), text,"
			  " coalesce(preferred_at, 0) FROM resident_message WHERE id = ?",
			  "t", id);
	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		snprintf(unit, sizeof(unit), "%s", fq_stmt_text(st, 0));
		snprintf(kind, sizeof(kind), "%s", fq_stmt_text(st, 1));
		snprintf(skind, sizeof(skind), "%s", fq_stmt_text(st, 2));
		snprintf(name, sizeof(name), "%s", fq_stmt_text(st, 3));
		snprintf(phone, sizeof(phone), "%s", fq_stmt_text(st, 4));
		snprintf(address, sizeof(address), "%s", fq_stmt_text(st, 5));
		snprintf(text, sizeof(text), "%s", fq_stmt_text(st, 6));
		preferred = fq_stmt_int(st, 7);
		rc = 0;
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	if (convert_to && strcmp(convert_to, "service_request") == 0) {
		struct fq_service_new s = {
		    .unit_code = unit,
		    .kind = *skind ? skind : "other",
		    .person_name = name,
		    .phone = phone,
		    .address = address,
		    .lat = NAN,
		    .lon = NAN,
		    .details = text,
		    .source = "resident_message",
		    .message_id = id,
		    .preferred_at = preferred,
		    .actor_id = actor_id,
		    .now_ms = now_ms,
		};
		if (!*name || !*address)
			return fq_err_set(err, FQ_EUNPROC, "incomplete_message", "convert_to",
					  "留言缺少姓名或地址，不能转为上门服务");
		rc = fq_service_create(c, &s, made_id, err);
	} else if (convert_to) {
		struct fq_clue_new k = {
		    .unit_code = unit,
		    .source = "resident_message",
		    .message_id = id,
		    .text = text,
		    .address = *address ? address : NULL,
		    .lat = NAN,
		    .lon = NAN,
		    .actor_id = actor_id,
		    .now_ms = now_ms,
		};
		rc = fq_clue_create(c, &k, made_id, err);
	}
	if (rc)
		return rc;
	return fq_dbc_run(c, err, NULL,
			  "UPDATE resident_message SET state = 'handled', handled_at = ?,"
			  " handled_by = ?, handling_note = ?, service_request_id = ?, clue_id = ?,"
			  " version = version + 1 WHERE id = ?",
			  "ittttt", now_ms, actor_id, note,
			  convert_to && strcmp(convert_to, "service_request") == 0 ? made_id : NULL,
			  convert_to && strcmp(convert_to, "clue") == 0 ? made_id : NULL, id);
}

/* ---- service requests ---- */

int fq_service_create(struct fq_dbc *c, const struct fq_service_new *in, char id[37],
		      struct fq_err *err)
{
	static const char *const sources[] = {"walk_in", "phone", "resident_message",
					      "visit",	 "other", NULL};
	char kind[16], number[FQ_NUMBER_MAX], norm[FQ_PHONE_MAX + 1];
	int ok = 0, rc;

	if (!fq_service_kind_valid(in->kind))
		return fq_err_set(err, FQ_EINVAL, in->kind ? "invalid_value" : "missing_field",
				  "kind",
				  "服务类别应为 id_card_delivery、home_registration、"
				  "residence_permit、certificate 或 other");
	for (int i = 0; sources[i]; i++)
		ok |= in->source && strcmp(in->source, sources[i]) == 0;
	if (!ok)
		return fq_err_set(err, FQ_EINVAL, in->source ? "invalid_value" : "missing_field",
				  "source",
				  "来源应为 walk_in、phone、resident_message、visit 或 other");
	if (!in->person_name || !*in->person_name)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "person_name",
				  "请填写服务对象姓名");
	if (!in->address || !*in->address)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "address", "请填写上门地址");
	if ((rc = phone_norm(in->phone, "phone", norm, err)) ||
	    (rc = unit_kind(c, in->unit_code, "unit", kind, err)))
		return rc;
	if (strcmp(kind, "grid") != 0 && strcmp(kind, "post") != 0 && strcmp(kind, "station") != 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_unit_kind", "unit",
				  "服务应属于网格、警务室或派出所");
	if ((rc = fq_number_next(c, "FW", in->unit_code, in->now_ms, number, err)))
		return rc;
	fq_uuid7_str(id);
	return fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO service_request (id, number, unit_code, kind, person_name, phone,"
	    " phone_norm, address, lat, lon, reason, details, source, message_id, state,"
	    " preferred_at, created_at, created_by, updated_at) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'requested', ?, ?, ?, ?)",
	    "ttttttttDDttttIiti", id, number, in->unit_code, in->kind, in->person_name,
	    nullable(in->phone), nullable(norm), in->address, in->lat, in->lon,
	    nullable(in->reason), nullable(in->details), in->source, in->message_id,
	    in->preferred_at ? in->preferred_at : INT64_MIN, in->now_ms, in->actor_id, in->now_ms);
}

int fq_service_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			 struct fq_err *err)
{
	return unit_path_of(c,
			    "SELECT u.path FROM service_request s JOIN unit u ON u.code ="
			    " s.unit_code WHERE s.id = ?",
			    id, path, "服务申请不存在", err);
}

#define SERVICE_COLS                                                                               \
	"s.id, s.number, s.unit_code, s.kind, s.person_name, s.phone, s.phone_norm, s.address,"    \
	" s.lat, s.lon, s.reason, s.details, s.source, s.message_id, s.state, s.preferred_at,"     \
	" s.assigned_to, a.display_name, s.scheduled_at, s.completed_at, s.completed_by,"          \
	" s.proof, s.cancel_reason, s.version, s.created_at"
#define SERVICE_FROM " FROM service_request s LEFT JOIN app_user a ON a.id = s.assigned_to"

static json_t *service_row(struct fq_stmt *st, int mask)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", fq_row_text(st, 0));
	json_object_set_new(j, "number", fq_row_text(st, 1));
	json_object_set_new(j, "unit", fq_row_text(st, 2));
	json_object_set_new(j, "kind", fq_row_text(st, 3));
	json_object_set_new(j, "kind_label", json_string(service_label(fq_stmt_text(st, 3))));
	json_object_set_new(j, "person_name", fq_row_text(st, 4));
	json_object_set_new(j, "phone", phone_json(st, 5, 6, mask));
	json_object_set_new(j, "address", fq_row_text(st, 7));
	json_object_set_new(j, "location",
			    fq_stmt_is_null(st, 8)
				? json_null()
				: json_pack("{s:f, s:f}", "lat", fq_stmt_double(st, 8), "lon",
					    fq_stmt_double(st, 9)));
	json_object_set_new(j, "reason", fq_row_text(st, 10));
	json_object_set_new(j, "details", fq_row_text(st, 11));
	json_object_set_new(j, "source", fq_row_text(st, 12));
	json_object_set_new(j, "message_id", fq_row_text(st, 13));
	json_object_set_new(j, "state", fq_row_text(st, 14));
	json_object_set_new(j, "preferred_at", fq_row_time(st, 15));
	json_object_set_new(j, "assigned_to", fq_row_text(st, 16));
	json_object_set_new(j, "assigned_name", fq_row_text(st, 17));
	json_object_set_new(j, "scheduled_at", fq_row_time(st, 18));
	json_object_set_new(j, "completed_at", fq_row_time(st, 19));
	json_object_set_new(j, "completed_by", fq_row_text(st, 20));
	json_object_set_new(j, "proof", fq_row_text(st, 21));
	json_object_set_new(j, "cancel_reason", fq_row_text(st, 22));
	json_object_set_new(j, "version", fq_row_int(st, 23));
	json_object_set_new(j, "created_at", fq_row_time(st, 24));
	return j;
}

int fq_service_json(struct fq_dbc *c, const char *id, int mask_phones, json_t **out,
		    struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, "SELECT " SERVICE_COLS SERVICE_FROM " WHERE s.id = ?",
			      "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = service_row(st, mask_phones);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "服务申请不存在");
	}
	fq_stmt_done(st);
	return rc;
}

int fq_service_list(struct fq_dbc *c, const char *scope_path, const char *state, const char *kind,
		    int mask_phones, int64_t page, int64_t per_page, json_t **out,
		    struct fq_err *err)
{
	static const char where[] =
	    " JOIN unit u ON u.code = s.unit_code WHERE substr(u.path, 1, length(?1)) = ?1"
	    " AND (?2 IS NULL OR s.state = ?2) AND (?3 IS NULL OR s.kind = ?3)";
	char sql[1200];
	struct fq_stmt *st;
	json_t *items = json_array();
	int64_t total = 0;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM service_request s%s", where);
	rc = fq_dbc_count(c, err, &total, sql, "ttt", scope_path, state, kind);
	if (!rc) {
		snprintf(
		    sql, sizeof(sql),
		    "SELECT " SERVICE_COLS SERVICE_FROM
		    "%s ORDER BY s.state IN ('completed', 'cancelled'),"
		    " coalesce(s.scheduled_at, s.preferred_at, s.created_at) LIMIT ?4 OFFSET ?5",
		    where);
		rc = fq_dbc_query(c, err, &st, sql, "tttii", scope_path, state, kind, per_page,
				  (page - 1) * per_page);
	}
	if (rc) {
		json_decref(items);
		return rc;
	}
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, service_row(st, mask_phones));
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, page, per_page);
	return 0;
}

int fq_service_schedule(struct fq_dbc *c, const char *id, int64_t expected_version,
			const char *assignee_id, int64_t scheduled_at, const char *scope_path,
			int64_t now_ms, struct fq_err *err)
{
	char state[24];
	struct fq_user u;
	int rc;

	if ((rc = version_check(c, "service_request", id, expected_version, "服务申请不存在", state,
				err)))
		return rc;
	if (strcmp(state, "requested") != 0 && strcmp(state, "scheduled") != 0)
		return invalid_state(err, state, "安排上门");
	if (!assignee_id || !*assignee_id)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "assigned_to", "请指定上门民警");
	rc = fq_user_load(c, assignee_id, &u, err);
	if (rc == FQ_ENOTFOUND ||
	    (!rc && (u.disabled || !fq_scope_covers(scope_path, u.unit_path))))
		return fq_err_set(err, FQ_EINVAL, "unknown_user", "assigned_to",
				  "上门民警不存在或不在本单位");
	if (rc)
		return rc;
	if (!fq_roles_can(u.roles, FQ_ACT_SERVICE_MANAGE))
		return fq_err_set(err, FQ_EINVAL, "not_an_officer", "assigned_to",
				  "该用户不能承担上门服务");
	if (scheduled_at <= 0)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "scheduled_at",
				  "请填写上门时间");
	return fq_dbc_run(c, err, NULL,
			  "UPDATE service_request SET state = 'scheduled', assigned_to = ?,"
			  " scheduled_at = ?, version = version + 1, updated_at = ? WHERE id = ?",
			  "tiit", assignee_id, scheduled_at, now_ms, id);
}

int fq_service_complete(struct fq_dbc *c, const char *id, int64_t expected_version,
			const char *proof, const char *actor_id, int64_t now_ms, struct fq_err *err)
{
	char state[24];
	int rc;

	if ((rc = version_check(c, "service_request", id, expected_version, "服务申请不存在", state,
				err)))
		return rc;
	if (strcmp(state, "scheduled") != 0)
		return invalid_state(err, state, "办结（须先安排上门）");
	if (!proof || !*proof)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "proof",
				  "请填写办结凭证（如回执编号、签收情况）");
	return fq_dbc_run(c, err, NULL,
			  "UPDATE service_request SET state = 'completed', completed_at = ?,"
			  " completed_by = ?, proof = ?, version = version + 1, updated_at = ?"
			  " WHERE id = ?",
			  "ittit", now_ms, actor_id, proof, now_ms, id);
}

int fq_service_cancel(struct fq_dbc *c, const char *id, int64_t expected_version,
		      const char *reason, int64_t now_ms, struct fq_err *err)
{
	char state[24];
	int rc;

	if ((rc = version_check(c, "service_request", id, expected_version, "服务申请不存在", state,
				err)))
		return rc;
	if (strcmp(state, "completed") == 0 || strcmp(state, "cancelled") == 0)
		return invalid_state(err, state, "取消");
	if (!reason || !*reason)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "reason", "请填写取消原因");
	return fq_dbc_run(c, err, NULL,
			  "UPDATE service_request SET state = 'cancelled', cancel_reason = ?,"
			  " version = version + 1, updated_at = ? WHERE id = ?",
			  "tit", reason, now_ms, id);
}

int fq_service_kpi_json(struct fq_dbc *c, const char *scope_path, int64_t from_ms, int64_t to_ms,
			json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *kinds = json_object();
	int64_t req = 0, sched = 0, done = 0, cancelled = 0, done_ms = 0;
	int rc;

	for (size_t i = 0; i < N_SERVICE_KINDS; i++)
		json_object_set_new(kinds, service_kinds[i].code,
				    json_pack("{s:s, s:i, s:i}", "label", service_kinds[i].label,
					      "requested", 0, "completed", 0));
	rc = fq_dbc_query(c, err, &st,
			  "SELECT s.kind, s.state, count(*),"
			  " sum(CASE WHEN s.state = 'completed' THEN s.completed_at - s.created_at"
			  " ELSE 0 END) FROM service_request s JOIN unit u ON u.code = s.unit_code"
			  " WHERE substr(u.path, 1, length(?1)) = ?1 AND s.created_at >= ?2 AND"
			  " s.created_at < ?3 GROUP BY s.kind, s.state",
			  "tii", scope_path, from_ms, to_ms);
	if (rc) {
		json_decref(kinds);
		return rc;
	}
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		const char *state = fq_stmt_text(st, 1);
		int64_t n = fq_stmt_int(st, 2);
		json_t *k = json_object_get(kinds, fq_stmt_text(st, 0));
		req += n;
		if (k)
			json_object_set_new(
			    k, "requested",
			    json_integer(json_integer_value(json_object_get(k, "requested")) + n));
		if (strcmp(state, "scheduled") == 0)
			sched += n;
		else if (strcmp(state, "cancelled") == 0)
			cancelled += n;
		else if (strcmp(state, "completed") == 0) {
			done += n;
			done_ms += fq_stmt_int(st, 3);
			if (k)
				json_object_set_new(
				    k, "completed",
				    json_integer(
					json_integer_value(json_object_get(k, "completed")) + n));
		}
	}
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(kinds);
		return rc;
	}
	*out =
	    json_pack("{s:I, s:I, s:I, s:I, s:o, s:o}", "requested", (json_int_t)req, "scheduled",
		      (json_int_t)sched, "completed", (json_int_t)done, "cancelled",
		      (json_int_t)cancelled, "mean_days_to_complete",
		      done ? json_real((double)done_ms / (double)done / 86400000.0) : json_null(),
		      "by_kind", kinds);
	return 0;
}

/* ---- clues ---- */

int fq_clue_create(struct fq_dbc *c, const struct fq_clue_new *in, char id[37], struct fq_err *err)
{
	static const char *const sources[] = {
	    "visit", "volunteer", "grid_worker", "resident_message", "patrol", "other", NULL};
	char kind[16], number[FQ_NUMBER_MAX];
	int ok = 0, rc;

	for (int i = 0; sources[i]; i++)
		ok |= in->source && strcmp(in->source, sources[i]) == 0;
	if (!ok)
		return fq_err_set(err, FQ_EINVAL, in->source ? "invalid_value" : "missing_field",
				  "source",
				  "来源应为 visit、volunteer、grid_worker、resident_message、patrol"
				  " 或 other");
	if (!in->text || !*in->text)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "text", "请填写线索内容");
	if ((rc = unit_kind(c, in->unit_code, "unit", kind, err)))
		return rc;
	if (strcmp(kind, "grid") != 0 && strcmp(kind, "post") != 0 && strcmp(kind, "station") != 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_unit_kind", "unit",
				  "线索应属于网格、警务室或派出所");
	if ((rc = fq_number_next(c, "XS", in->unit_code, in->now_ms, number, err)))
		return rc;
	fq_uuid7_str(id);
	return fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO clue (id, number, unit_code, source, message_id, text, address,"
	    " lat, lon, reported_by, reported_at, state, created_at, updated_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?)",
	    "tttttttDDtiii", id, number, in->unit_code, in->source, in->message_id, in->text,
	    nullable(in->address), in->lat, in->lon, in->actor_id, in->now_ms, in->now_ms,
	    in->now_ms);
}

int fq_clue_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		      struct fq_err *err)
{
	return unit_path_of(c,
			    "SELECT u.path FROM clue k JOIN unit u ON u.code = k.unit_code WHERE"
			    " k.id = ?",
			    id, path, "线索不存在", err);
}

#define CLUE_COLS                                                                                  \
	"k.id, k.number, k.unit_code, k.source, k.message_id, k.text, k.address, k.lat, k.lon,"    \
	" k.reported_by, r.display_name, k.reported_at, k.state, k.routed_to, k.routed_at,"        \
	" k.accepted_at, k.closed_at, k.result, k.version"
#define CLUE_FROM " FROM clue k LEFT JOIN app_user r ON r.id = k.reported_by"

static json_t *clue_row(struct fq_stmt *st)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", fq_row_text(st, 0));
	json_object_set_new(j, "number", fq_row_text(st, 1));
	json_object_set_new(j, "unit", fq_row_text(st, 2));
	json_object_set_new(j, "source", fq_row_text(st, 3));
	json_object_set_new(j, "message_id", fq_row_text(st, 4));
	json_object_set_new(j, "text", fq_row_text(st, 5));
	json_object_set_new(j, "address", fq_row_text(st, 6));
	json_object_set_new(j, "location",
			    fq_stmt_is_null(st, 7)
				? json_null()
				: json_pack("{s:f, s:f}", "lat", fq_stmt_double(st, 7), "lon",
					    fq_stmt_double(st, 8)));
	json_object_set_new(j, "reported_by", fq_row_text(st, 9));
	json_object_set_new(j, "reporter_name", fq_row_text(st, 10));
	json_object_set_new(j, "reported_at", fq_row_time(st, 11));
	json_object_set_new(j, "state", fq_row_text(st, 12));
	json_object_set_new(j, "routed_to", fq_row_text(st, 13));
	json_object_set_new(j, "routed_at", fq_row_time(st, 14));
	json_object_set_new(j, "accepted_at", fq_row_time(st, 15));
	json_object_set_new(j, "closed_at", fq_row_time(st, 16));
	json_object_set_new(j, "result", fq_row_text(st, 17));
	json_object_set_new(j, "version", fq_row_int(st, 18));
	return j;
}

int fq_clue_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc =
	    fq_dbc_query(c, err, &st, "SELECT " CLUE_COLS CLUE_FROM " WHERE k.id = ?", "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*out = clue_row(st);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "线索不存在");
	}
	fq_stmt_done(st);
	return rc;
}

int fq_clue_list(struct fq_dbc *c, const char *scope_path, const char *state, const char *routed_to,
		 int64_t page, int64_t per_page, json_t **out, struct fq_err *err)
{
	static const char where[] =
	    " JOIN unit u ON u.code = k.unit_code WHERE substr(u.path, 1, length(?1)) = ?1"
	    " AND (?2 IS NULL OR k.state = ?2) AND (?3 IS NULL OR k.routed_to = ?3)";
	char sql[1200];
	struct fq_stmt *st;
	json_t *items = json_array();
	int64_t total = 0;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM clue k%s", where);
	rc = fq_dbc_count(c, err, &total, sql, "ttt", scope_path, state, routed_to);
	if (!rc) {
		snprintf(sql, sizeof(sql),
			 "SELECT " CLUE_COLS CLUE_FROM
			 "%s ORDER BY k.state = 'closed', k.reported_at DESC LIMIT ?4 OFFSET ?5",
			 where);
		rc = fq_dbc_query(c, err, &st, sql, "tttii", scope_path, state, routed_to, per_page,
				  (page - 1) * per_page);
	}
	if (rc) {
		json_decref(items);
		return rc;
	}
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, clue_row(st));
	fq_stmt_done(st);
	if (rc != FQ_DB_DONE) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, page, per_page);
	return 0;
}

int fq_clue_route(struct fq_dbc *c, const char *id, int64_t expected_version, const char *to,
		  const char *actor_id, int64_t now_ms, struct fq_err *err)
{
	char state[24];
	int rc;

	if (!to || (strcmp(to, "case_team") != 0 && strcmp(to, "command_room") != 0))
		return fq_err_set(err, FQ_EINVAL, to ? "invalid_value" : "missing_field", "to",
				  "to 应为 case_team（案件办理队）或 command_room（综合指挥室）");
	if ((rc = version_check(c, "clue", id, expected_version, "线索不存在", state, err)))
		return rc;
	if (strcmp(state, "new") != 0 && strcmp(state, "routed") != 0)
		return invalid_state(err, state, "移送");
	return fq_dbc_run(c, err, NULL,
			  "UPDATE clue SET state = 'routed', routed_to = ?, routed_at = ?,"
			  " routed_by = ?, version = version + 1, updated_at = ? WHERE id = ?",
			  "titit", to, now_ms, actor_id, now_ms, id);
}

int fq_clue_accept(struct fq_dbc *c, const char *id, int64_t expected_version, const char *actor_id,
		   int64_t now_ms, struct fq_err *err)
{
	char state[24];
	int rc;

	if ((rc = version_check(c, "clue", id, expected_version, "线索不存在", state, err)))
		return rc;
	if (strcmp(state, "routed") != 0)
		return invalid_state(err, state, "接收（须先移送）");
	return fq_dbc_run(c, err, NULL,
			  "UPDATE clue SET state = 'accepted', accepted_at = ?, accepted_by = ?,"
			  " version = version + 1, updated_at = ? WHERE id = ?",
			  "itit", now_ms, actor_id, now_ms, id);
}

int fq_clue_close(struct fq_dbc *c, const char *id, int64_t expected_version, const char *result,
		  const char *actor_id, int64_t now_ms, struct fq_err *err)
{
	char state[24];
	int rc;

	if (!result || !*result)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "result", "请填写核查结果");
	if ((rc = version_check(c, "clue", id, expected_version, "线索不存在", state, err)))
		return rc;
	if (strcmp(state, "closed") == 0)
		return invalid_state(err, state, "再次办结");
	return fq_dbc_run(
	    c, err, NULL,
	    "UPDATE clue SET state = 'closed', closed_at = ?, closed_by = ?, result = ?,"
	    " version = version + 1, updated_at = ? WHERE id = ?",
	    "ittit", now_ms, actor_id, result, now_ms, id);
}
