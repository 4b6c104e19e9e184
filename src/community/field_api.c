/*
 * Field work API: contact cards and their printable form, the public card
 * page's API (no session), residents' messages, door-to-door service
 * requests and clues. Store functions in community/field.h.
 */
#include "http/api.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/card_render.h"
#include "community/field.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "http/events.h"
#include "http/intake.h"
#include "http/server.h"
#include "core/banned.h"

/* ---- helpers ---- */

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* Commit when rc is 0, else roll back. */
static int finish(struct fq_req *r, struct fq_dbc *c, int rc)
{
	if (!rc)
		return fq_dbc_commit(c, &r->err);
	fq_dbc_rollback(c);
	return rc;
}

/*
 * The unit a new object belongs to: code from the body (field), which must
 * be in the caller's scope, or the caller's own unit. Out of scope or
 * unknown: 400 unknown_unit naming the field.
 */
static int body_unit(struct fq_req *r, struct fq_dbc *c, const char *code, const char *field,
		     char out[FQ_UNIT_CODE_MAX])
{
	char path[FQ_UNIT_PATH_MAX];

	if (!code) {
		snprintf(out, FQ_UNIT_CODE_MAX, "%s", r->user->unit_code);
		return 0;
	}
	if (fq_unit_path(c, code, path, &r->err) != 0 || !fq_scope_covers(r->user->unit_path, path))
		return fq_err_set(&r->err, FQ_EINVAL, "unknown_unit", field,
				  "单位不存在或不在您的辖区：%s", code);
	snprintf(out, FQ_UNIT_CODE_MAX, "%s", code);
	return 0;
}

static int time_field(struct fq_req *r, const char *key, int need, int64_t *out)
{
	const char *s = NULL;
	int rc = fq_json_get_str(r->body, key, need ? FQ_JSON_REQUIRED : FQ_JSON_OPTIONAL, 64, &s,
				 &r->err);
	*out = 0;
	if (!rc && s)
		rc = fq_time_parse(s, out, key, &r->err);
	return rc;
}

static int time_query(struct fq_req *r, const char *name, int64_t *out)
{
	const char *s = nonempty(fq_req_query(r, name));
	return s ? fq_time_parse(s, out, name, &r->err) : 0;
}

static int version_field(struct fq_req *r, int64_t *out)
{
	*out = 0;
	return fq_json_get_int(r->body, "version", FQ_JSON_OPTIONAL, 1, INT64_MAX, out, NULL,
			       &r->err);
}

/* A state query argument from a closed list; NULL when absent. */
static int enum_query(struct fq_req *r, const char *name, const char *const *allowed,
		      const char **out)
{
	const char *v = nonempty(fq_req_query(r, name));

	*out = NULL;
	if (!v)
		return 0;
	for (int i = 0; allowed[i]; i++)
		if (strcmp(v, allowed[i]) == 0) {
			*out = allowed[i];
			return 0;
		}
	return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", name, "%s 的取值无效：%s", name, v);
}

/* ---- contact cards ---- */

static const char *const card_keys[] = {"user_id", "unit", "work_phone", "motto", NULL};

static int post_card(struct fq_req *r)
{
	struct fq_card_new in = {0};
	char unit[FQ_UNIT_CODE_MAX], id[37], token[FQ_CARD_TOKEN_CHARS + 1];
	char upath[FQ_UNIT_PATH_MAX], uunit[FQ_UNIT_CODE_MAX];
	const char *code = NULL;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CARD_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, card_keys, &r->err)) ||
	    (rc =
		 fq_json_get_str(r->body, "user_id", FQ_JSON_OPTIONAL, 36, &in.user_id, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_REQUIRED, FQ_UNIT_CODE_MAX - 1, &code,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "work_phone", FQ_JSON_OPTIONAL, 32, &in.work_phone,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "motto", FQ_JSON_OPTIONAL, FQ_FIELD_MOTTO_MAX, &in.motto,
				  &r->err)))
		return rc;
	if (!in.user_id)
		in.user_id = r->user->user_id;
	in.actor_id = r->user->user_id;
	in.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = body_unit(r, c, code, "unit", unit);
	/* The officer must be in the caller's scope too. */
	if (!rc &&
	    fq_dbc_lookup_text(c, "SELECT unit_code FROM app_user WHERE id = ?", in.user_id, uunit,
			       sizeof(uunit), "用户不存在", &r->err) == 0 &&
	    (fq_unit_path(c, uunit, upath, &r->err) != 0 ||
	     !fq_scope_covers(r->user->unit_path, upath)))
		rc = fq_err_set(&r->err, FQ_EINVAL, "unknown_user", "user_id",
				"用户不存在或不在您的辖区");
	in.unit_code = unit;
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_card_create(c, &in, id, token, &r->err);
		if (!rc)
			rc = fq_req_audit(
			    r, c, FQ_ACT_CARD_MANAGE, "contact_card.create", "contact_card", id,
			    NULL, json_pack("{s:s, s:s}", "user_id", in.user_id, "unit", unit));
		rc = finish(r, c, rc);
	}
	if (!rc)
		rc = fq_card_json(c, id, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 201, json_pack("{s:o}", "contact_card", out));
}

static int list_cards(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	int64_t page, per_page;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FIELD_READ)) || (rc = fq_req_page(r, &page, &per_page)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_card_list(c, path, NULL, page, per_page, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int get_card(struct fq_req *r)
{
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FIELD_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_card_unit_path, r->params[0], "联系卡不存在");
	if (!rc)
		rc = fq_card_json(c, r->params[0], &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "contact_card", out));
}

static const char *const card_patch_keys[] = {"work_phone", "motto", "active", "version", NULL};

static int patch_card(struct fq_req *r)
{
	const char *phone = NULL, *motto = NULL;
	int64_t version = 0;
	int active = -1, has_active = 0, rc;
	struct fq_dbc *c;
	json_t *out = NULL;

	if ((rc = fq_req_require(r, FQ_ACT_CARD_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, card_patch_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "work_phone", FQ_JSON_OPTIONAL, 32, &phone, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "motto", FQ_JSON_OPTIONAL, FQ_FIELD_MOTTO_MAX, &motto,
				  &r->err)) ||
	    (rc = fq_json_get_bool(r->body, "active", FQ_JSON_OPTIONAL, &active, &has_active,
				   &r->err)) ||
	    (rc = fq_json_get_int(r->body, "version", FQ_JSON_REQUIRED, 1, INT64_MAX, &version,
				  NULL, &r->err)))
		return rc;
	if (!has_active)
		active = -1;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_card_unit_path, r->params[0], "联系卡不存在");
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_card_update(c, r->params[0], version, phone, motto, active, fq_now_ms(),
				    &r->err);
		if (!rc)
			rc = fq_req_audit(
			    r, c, FQ_ACT_CARD_MANAGE, "contact_card.update", "contact_card",
			    r->params[0], NULL,
			    json_pack("{s:s?, s:s?, s:o}", "work_phone", phone, "motto", motto,
				      "active", active < 0 ? json_null() : json_boolean(active)));
		rc = finish(r, c, rc);
	}
	if (!rc)
		rc = fq_card_json(c, r->params[0], &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "contact_card", out));
}

/*
 * The public address of the card's page: --public-url when set, else the
 * address the caller used (Host), which is right on a station's LAN.
 */
static void page_url(struct fq_req *r, const char *page_path, char *out, size_t cap)
{
	const struct fq_server_config *cfg = fq_server_config(r->srv);
	const char *host = fq_req_header(r, "Host");
	const char *base = cfg->public_url;
	size_t n;

	if (base && *base) {
		n = strlen(base);
		snprintf(out, cap, "%.*s%s", (int)(n && base[n - 1] == '/' ? n - 1 : n), base,
			 page_path);
	} else {
		snprintf(out, cap, "http://%s%s", host && *host ? host : "127.0.0.1", page_path);
	}
}

static int print_card(struct fq_req *r)
{
	const char *const formats[] = {"pdf", "png", NULL};
	const char *format = NULL;
	char url[600], disp[160];
	struct fq_card_face face = {0};
	unsigned char *data = NULL;
	size_t len = 0;
	struct fq_dbc *c;
	json_t *card = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FIELD_READ)) ||
	    (rc = enum_query(r, "format", formats, &format)))
		return rc;
	if (!format)
		format = "pdf";
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_card_unit_path, r->params[0], "联系卡不存在");
	if (!rc)
		rc = fq_card_json(c, r->params[0], &card, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	page_url(r, json_string_value(json_object_get(card, "page_path")), url, sizeof(url));
	face.officer_name = json_string_value(json_object_get(card, "officer_name"));
	face.role_label = json_string_value(json_object_get(card, "officer_role_label"));
	face.unit_name = json_string_value(json_object_get(card, "unit_name"));
	face.station_name = json_string_value(json_object_get(card, "station_name"));
	face.phone = json_string_value(json_object_get(card, "work_phone"));
	face.motto = json_string_value(json_object_get(card, "motto"));
	face.url = url;
	rc = fq_card_render(&face, strcmp(format, "png") == 0 ? FQ_CARD_PNG : FQ_CARD_PDF, &data,
			    &len, &r->err);
	json_decref(card);
	if (rc)
		return rc;
	snprintf(disp, sizeof(disp),
		 "inline; filename=\"contact-card.%s\"; filename*=UTF-8''%%E8%%81%%94%%E7%%B3%%BB"
		 "%%E5%%8D%%A1.%s",
		 format, format);
	fq_req_add_header(r, "Content-Disposition", disp);
	return fq_req_reply_bytes(r, 200,
				  strcmp(format, "png") == 0 ? "image/png" : "application/pdf",
				  (char *)data, len);
}

/* ---- the public page (no session) ---- */

/*
 * Messages from one address: at most PUBLIC_PER_WINDOW in PUBLIC_WINDOW_MS,
 * counted in memory (a small table; the oldest address is forgotten first).
 */
#define PUBLIC_PER_WINDOW 5
#define PUBLIC_WINDOW_MS  (10 * 60 * 1000)
#define PUBLIC_SLOTS	  1024

static struct {
	pthread_mutex_t lock;
	struct {
		char client[64];
		int64_t start;
		int count;
	} slot[PUBLIC_SLOTS];
} public_limit = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* 0 when allowed (and counted); else seconds to wait. */
static int64_t public_take(const char *client, int64_t now)
{
	int64_t wait = 0;
	int free_i = -1, oldest = 0;

	pthread_mutex_lock(&public_limit.lock);
	for (int i = 0; i < PUBLIC_SLOTS; i++) {
		if (public_limit.slot[i].client[0] &&
		    strcmp(public_limit.slot[i].client, client) == 0) {
			if (now - public_limit.slot[i].start >= PUBLIC_WINDOW_MS) {
				public_limit.slot[i].start = now;
				public_limit.slot[i].count = 0;
			}
			if (public_limit.slot[i].count >= PUBLIC_PER_WINDOW)
				wait = (public_limit.slot[i].start + PUBLIC_WINDOW_MS - now + 999) /
				       1000;
			else
				public_limit.slot[i].count++;
			pthread_mutex_unlock(&public_limit.lock);
			return wait;
		}
		if (!public_limit.slot[i].client[0] && free_i < 0)
			free_i = i;
		if (public_limit.slot[i].start < public_limit.slot[oldest].start)
			oldest = i;
	}
	if (free_i < 0)
		free_i = oldest;
	snprintf(public_limit.slot[free_i].client, sizeof(public_limit.slot[free_i].client), "%s",
		 client);
	public_limit.slot[free_i].start = now;
	public_limit.slot[free_i].count = 1;
	pthread_mutex_unlock(&public_limit.lock);
	return 0;
}

static int get_public_card(struct fq_req *r)
{
	char id[37];
	struct fq_dbc *c = fq_db_acquire(r->db);
	json_t *out = NULL;
	int rc = fq_card_public_json(c, r->params[0], id, &out, &r->err);

	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "card", out));
}

static const char *const message_keys[] = {"kind",    "service_kind", "name",	      "phone",
					   "address", "text",	      "preferred_at", NULL};

static int post_public_message(struct fq_req *r)
{
	struct fq_message_new in = {.card_token = r->params[0]};
	json_t *m = NULL;
	char id[37], number[64], wait_s[24], norm[FQ_PHONE_MAX + 1];
	struct fq_dbc *c;
	int64_t wait;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_json_only_keys(r->body, message_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "kind", FQ_JSON_REQUIRED, 16, &in.kind, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "service_kind", FQ_JSON_OPTIONAL, 32, &in.service_kind,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "name", FQ_JSON_OPTIONAL, FQ_FIELD_NAME_MAX, &in.name,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "phone", FQ_JSON_OPTIONAL, 32, &in.phone, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "address", FQ_JSON_OPTIONAL, FQ_FIELD_ADDR_MAX,
				  &in.address, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "text", FQ_JSON_REQUIRED, FQ_FIELD_TEXT_MAX, &in.text,
				  &r->err)) ||
	    (rc = time_field(r, "preferred_at", 0, &in.preferred_at)))
		return rc;
	in.now_ms = fq_now_ms();
	in.client = r->client;
	if ((rc = fq_message_check(&in, norm, &r->err)))
		return rc;
	wait = public_take(r->client, in.now_ms);
	if (wait > 0) {
		snprintf(wait_s, sizeof(wait_s), "%lld", (long long)wait);
		fq_req_add_header(r, "Retry-After", wait_s);
		return fq_err_set(&r->err, FQ_ERATE, "rate_limited", NULL,
				  "提交过于频繁，请 %lld 秒后再试", (long long)wait);
	}
	c = fq_db_acquire(r->db);
	rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_message_create(c, &in, id, number, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_MESSAGE_HANDLE, "resident_message.create",
					  "resident_message", id, NULL,
					  json_pack("{s:s, s:s, s:s?}", "number", number, "kind",
						    in.kind, "service_kind", in.service_kind));
		rc = finish(r, c, rc);
	}
	if (!rc) {
		if (fq_message_json(c, id, 1, &m, &r->err) != 0)
			m = NULL;
		out = json_pack("{s:s, s:s}", "number", number, "message",
				strcmp(in.kind, "booking") == 0 ? "预约已提交，民警会尽快与您联系"
								: "留言已送达，民警会尽快处理");
	}
	fq_db_release(r->db, c);
	if (m) {
		fq_req_publish(r, "message.created", FQ_ACT_MESSAGE_HANDLE, m, NULL);
		json_decref(m);
	}
	return rc ? rc : fq_req_reply(r, 201, out);
}

/* ---- resident messages ---- */

static int list_messages(struct fq_req *r)
{
	static const char *const states[] = {"new", "handled", NULL};
	char path[FQ_UNIT_PATH_MAX];
	const char *state = NULL, *mine = fq_req_query(r, "mine");
	int64_t page, per_page;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_MESSAGE_HANDLE)) ||
	    (rc = fq_req_page(r, &page, &per_page)) ||
	    (rc = enum_query(r, "state", states, &state)))
		return rc;
	if (mine && strcmp(mine, "1") != 0 && strcmp(mine, "0") != 0)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", "mine", "mine 应为 0 或 1");
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_message_list(c, path, state,
				     mine && strcmp(mine, "1") == 0 ? r->user->user_id : NULL, 0,
				     page, per_page, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int get_message(struct fq_req *r)
{
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_MESSAGE_HANDLE)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_message_unit_path, r->params[0], "留言不存在");
	if (!rc)
		rc = fq_message_json(c, r->params[0], 0, &out, &r->err);
	fq_db_release(r->db, c);
	/* A resident's name and phone: every read is audited. */
	if (!rc && (rc = fq_req_audit_read(r, "resident_message", r->params[0], NULL)))
		json_decref(out);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "message", out));
}

static const char *const handle_keys[] = {"note", "convert_to", "version", NULL};

static int post_handle_message(struct fq_req *r)
{
	const char *note = NULL, *convert = NULL;
	char made[37] = "";
	int64_t version;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_MESSAGE_HANDLE)) ||
	    (rc = fq_json_only_keys(r->body, handle_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "note", FQ_JSON_REQUIRED, FQ_FIELD_TEXT_MAX, &note,
				  &r->err)) ||
	    (rc =
		 fq_json_get_str(r->body, "convert_to", FQ_JSON_OPTIONAL, 32, &convert, &r->err)) ||
	    (rc = version_field(r, &version)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_message_unit_path, r->params[0], "留言不存在");
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_message_handle(c, r->params[0], version, note, nonempty(convert),
				       r->user->user_id, fq_now_ms(), made, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_MESSAGE_HANDLE, "resident_message.handle",
					  "resident_message", r->params[0], NULL,
					  json_pack("{s:s?, s:s?}", "convert_to", convert,
						    "made_id", *made ? made : NULL));
		rc = finish(r, c, rc);
	}
	if (!rc)
		rc = fq_message_json(c, r->params[0], 0, &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "message.updated", FQ_ACT_MESSAGE_HANDLE, out, NULL);
	return fq_req_reply(r, 200, json_pack("{s:o}", "message", out));
}

/* ---- service requests ---- */

static int masks_service_phones(struct fq_req *r)
{
	return !fq_roles_can(r->user->roles, FQ_ACT_SERVICE_MANAGE);
}

static const char *const service_keys[] = {"unit",    "kind",	      "person_name", "phone",
					   "address", "location",     "reason",	     "details",
					   "source",  "preferred_at", NULL};

int fq_service_parse_new(struct fq_req *r, struct fq_dbc *c, struct fq_service_new *in,
			 char unit[FQ_UNIT_CODE_MAX])
{
	const char *code = NULL;
	json_t *loc;
	int rc;

	memset(in, 0, sizeof(*in));
	in->lat = NAN;
	in->lon = NAN;
	if ((rc = fq_json_only_keys(r->body, service_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1, &code,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "kind", FQ_JSON_REQUIRED, 32, &in->kind, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "person_name", FQ_JSON_REQUIRED, FQ_FIELD_NAME_MAX,
				  &in->person_name, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "phone", FQ_JSON_OPTIONAL, 32, &in->phone, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "address", FQ_JSON_REQUIRED, FQ_FIELD_ADDR_MAX,
				  &in->address, &r->err)) ||
	    (rc =
		 fq_json_get_str(r->body, "reason", FQ_JSON_OPTIONAL, 200, &in->reason, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "details", FQ_JSON_OPTIONAL, FQ_FIELD_TEXT_MAX,
				  &in->details, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "source", FQ_JSON_REQUIRED, 32, &in->source, &r->err)) ||
	    (rc = time_field(r, "preferred_at", 0, &in->preferred_at)))
		return rc;
	loc = json_object_get(r->body, "location");
	if (loc && !json_is_null(loc)) {
		if (!json_is_object(loc) ||
		    (rc = fq_json_get_real(loc, "lat", FQ_JSON_REQUIRED, -90, 90, &in->lat, NULL,
					   &r->err)) ||
		    (rc = fq_json_get_real(loc, "lon", FQ_JSON_REQUIRED, -180, 180, &in->lon, NULL,
					   &r->err)))
			return rc ? rc
				  : fq_err_set(&r->err, FQ_EINVAL, "invalid_type", "location",
					       "location 应为 {\"lat\",\"lon\"}");
	}
	in->actor_id = r->user->user_id;
	in->now_ms = fq_now_ms();
	if ((rc = body_unit(r, c, code, "unit", unit)))
		return rc;
	in->unit_code = unit;
	return 0;
}

static int post_service(struct fq_req *r)
{
	struct fq_service_new in;
	char unit[FQ_UNIT_CODE_MAX], id[37];
	json_t *out = NULL;
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_SERVICE_MANAGE)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_service_parse_new(r, c, &in, unit);
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_service_create(c, &in, id, &r->err);
		if (!rc)
			rc = fq_req_audit(r, c, FQ_ACT_SERVICE_MANAGE, "service_request.create",
					  "service_request", id, NULL,
					  json_pack("{s:s, s:s, s:s}", "unit", unit, "kind",
						    in.kind, "source", in.source));
		rc = finish(r, c, rc);
	}
	if (!rc)
		rc = fq_service_json(c, id, 0, &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "service.created", FQ_ACT_FIELD_READ, out, NULL);
	return fq_req_reply(r, 201, json_pack("{s:o}", "service_request", out));
}

static int list_services(struct fq_req *r)
{
	static const char *const states[] = {"requested", "scheduled", "completed", "cancelled",
					     NULL};
	char path[FQ_UNIT_PATH_MAX];
	const char *state = NULL, *kind = nonempty(fq_req_query(r, "kind"));
	int64_t page, per_page;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FIELD_READ)) ||
	    (rc = fq_req_page(r, &page, &per_page)) ||
	    (rc = enum_query(r, "state", states, &state)))
		return rc;
	if (kind && !fq_service_kind_valid(kind))
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_value", "kind", "未知的服务类别：%s",
				  kind);
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_service_list(c, path, state, kind, masks_service_phones(r), page, per_page,
				     &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int get_service(struct fq_req *r)
{
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FIELD_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_service_unit_path, r->params[0], "服务申请不存在");
	if (!rc)
		rc = fq_service_json(c, r->params[0], masks_service_phones(r), &out, &r->err);
	fq_db_release(r->db, c);
	if (!rc && !masks_service_phones(r) &&
	    (rc = fq_req_audit_read(r, "service_request", r->params[0], NULL)))
		json_decref(out);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "service_request", out));
}

enum service_step { SERVICE_SCHEDULE, SERVICE_COMPLETE, SERVICE_CANCEL };

static int service_step(struct fq_req *r, enum service_step step)
{
	static const char *const schedule_keys[] = {"assigned_to", "scheduled_at", "version", NULL};
	static const char *const complete_keys[] = {"proof", "version", NULL};
	static const char *const cancel_keys[] = {"reason", "version", NULL};
	static const char *const what[] = {"service_request.schedule", "service_request.complete",
					   "service_request.cancel"};
	const char *const *keys = step == SERVICE_SCHEDULE   ? schedule_keys
				  : step == SERVICE_COMPLETE ? complete_keys
							     : cancel_keys;
	const char *assignee = NULL, *text = NULL;
	char path[FQ_UNIT_PATH_MAX];
	int64_t version, at = 0, now = fq_now_ms();
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_SERVICE_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, keys, &r->err)) || (rc = version_field(r, &version)))
		return rc;
	if (step == SERVICE_SCHEDULE)
		rc = fq_json_get_str(r->body, "assigned_to", FQ_JSON_REQUIRED, 36, &assignee,
				     &r->err);
	if (!rc && step == SERVICE_SCHEDULE)
		rc = time_field(r, "scheduled_at", 1, &at);
	if (!rc && step != SERVICE_SCHEDULE)
		rc = fq_json_get_str(r->body, step == SERVICE_COMPLETE ? "proof" : "reason",
				     FQ_JSON_REQUIRED, FQ_FIELD_TEXT_MAX, &text, &r->err);
	if (rc)
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_service_unit_path(c, r->params[0], path, &r->err);
	if (!rc)
		rc = fq_req_require_scope(r, path);
	if (rc == FQ_ENOTFOUND)
		fq_err_set(&r->err, FQ_ENOTFOUND, "not_found", NULL, "服务申请不存在");
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		/* The assignee must belong to the request's station or below. */
		if (step == SERVICE_SCHEDULE)
			rc = fq_service_schedule(c, r->params[0], version, assignee, at,
						 r->user->unit_path, now, &r->err);
		else if (step == SERVICE_COMPLETE)
			rc = fq_service_complete(c, r->params[0], version, text, r->user->user_id,
						 now, &r->err);
		else
			rc = fq_service_cancel(c, r->params[0], version, text, now, &r->err);
		if (!rc)
			rc =
			    fq_req_audit(r, c, FQ_ACT_SERVICE_MANAGE, what[step], "service_request",
					 r->params[0], step == SERVICE_CANCEL ? text : NULL,
					 json_pack("{s:s?}", "assigned_to", assignee));
		rc = finish(r, c, rc);
	}
	if (!rc)
		rc = fq_service_json(c, r->params[0], 0, &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "service.updated", FQ_ACT_FIELD_READ, out, NULL);
	return fq_req_reply(r, 200, json_pack("{s:o}", "service_request", out));
}

static int post_service_schedule(struct fq_req *r)
{
	return service_step(r, SERVICE_SCHEDULE);
}

static int post_service_complete(struct fq_req *r)
{
	return service_step(r, SERVICE_COMPLETE);
}

static int post_service_cancel(struct fq_req *r)
{
	return service_step(r, SERVICE_CANCEL);
}

static int get_service_kpi(struct fq_req *r)
{
	char path[FQ_UNIT_PATH_MAX];
	int64_t now = fq_now_ms(), from = now - 365LL * 86400000, to = now + 1;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FIELD_READ)) || (rc = time_query(r, "from", &from)) ||
	    (rc = time_query(r, "to", &to)))
		return rc;
	if (to <= from)
		return fq_err_set(&r->err, FQ_EINVAL, "invalid_range", "to",
				  "结束时间应晚于开始时间");
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_service_kpi_json(c, path, from, to, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

/* ---- clues ---- */

static const char *const clue_keys[] = {"unit", "source", "text", "address", "location", NULL};

static int post_clue(struct fq_req *r)
{
	struct fq_clue_new in = {.lat = NAN, .lon = NAN};
	char unit[FQ_UNIT_CODE_MAX], id[37];
	const char *code = NULL;
	json_t *loc, *out = NULL;
	struct fq_dbc *c;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CLUE_REPORT)) ||
	    (rc = fq_json_only_keys(r->body, clue_keys, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "unit", FQ_JSON_OPTIONAL, FQ_UNIT_CODE_MAX - 1, &code,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "source", FQ_JSON_REQUIRED, 32, &in.source, &r->err)) ||
	    (rc = fq_json_get_str(r->body, "text", FQ_JSON_REQUIRED, FQ_FIELD_TEXT_MAX, &in.text,
				  &r->err)) ||
	    (rc = fq_json_get_str(r->body, "address", FQ_JSON_OPTIONAL, FQ_FIELD_ADDR_MAX,
				  &in.address, &r->err)))
		return rc;
	loc = json_object_get(r->body, "location");
	if (loc && !json_is_null(loc)) {
		if (!json_is_object(loc) ||
		    (rc = fq_json_get_real(loc, "lat", FQ_JSON_REQUIRED, -90, 90, &in.lat, NULL,
					   &r->err)) ||
		    (rc = fq_json_get_real(loc, "lon", FQ_JSON_REQUIRED, -180, 180, &in.lon, NULL,
					   &r->err)))
			return rc ? rc
				  : fq_err_set(&r->err, FQ_EINVAL, "invalid_type", "location",
					       "location 应为 {\"lat\",\"lon\"}");
	}
	in.actor_id = r->user->user_id;
	in.now_ms = fq_now_ms();
	c = fq_db_acquire(r->db);
	rc = body_unit(r, c, code, "unit", unit);
	in.unit_code = unit;
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		rc = fq_clue_create(c, &in, id, &r->err);
		if (!rc)
			rc = fq_req_audit(
			    r, c, FQ_ACT_CLUE_REPORT, "clue.create", "clue", id, NULL,
			    json_pack("{s:s, s:s}", "unit", unit, "source", in.source));
		rc = finish(r, c, rc);
	}
	if (!rc)
		rc = fq_clue_json(c, id, &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "clue.created", FQ_ACT_FIELD_READ, out, NULL);
	return fq_req_reply(r, 201, json_pack("{s:o}", "clue", out));
}

static int list_clues(struct fq_req *r)
{
	static const char *const states[] = {"new", "routed", "accepted", "closed", NULL};
	static const char *const targets[] = {"case_team", "command_room", NULL};
	char path[FQ_UNIT_PATH_MAX];
	const char *state = NULL, *to = NULL;
	int64_t page, per_page;
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FIELD_READ)) ||
	    (rc = fq_req_page(r, &page, &per_page)) ||
	    (rc = enum_query(r, "state", states, &state)) ||
	    (rc = enum_query(r, "routed_to", targets, &to)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_list_scope(r, c, path);
	if (!rc)
		rc = fq_clue_list(c, path, state, to, page, per_page, &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, out);
}

static int get_clue(struct fq_req *r)
{
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_FIELD_READ)))
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_clue_unit_path, r->params[0], "线索不存在");
	if (!rc)
		rc = fq_clue_json(c, r->params[0], &out, &r->err);
	fq_db_release(r->db, c);
	return rc ? rc : fq_req_reply(r, 200, json_pack("{s:o}", "clue", out));
}

enum clue_step { CLUE_ROUTE, CLUE_ACCEPT, CLUE_CLOSE };

static int clue_step(struct fq_req *r, enum clue_step step)
{
	static const char *const route_keys[] = {"to", "version", NULL};
	static const char *const accept_keys[] = {"version", NULL};
	static const char *const close_keys[] = {"result", "version", NULL};
	static const char *const what[] = {"clue.route", "clue.accept", "clue.close"};
	const char *const *keys = step == CLUE_ROUTE	? route_keys
				  : step == CLUE_ACCEPT ? accept_keys
							: close_keys;
	const char *text = NULL;
	int64_t version, now = fq_now_ms();
	struct fq_dbc *c;
	json_t *out = NULL;
	int rc;

	if ((rc = fq_req_require(r, FQ_ACT_CLUE_MANAGE)) ||
	    (rc = fq_json_only_keys(r->body, keys, &r->err)) || (rc = version_field(r, &version)))
		return rc;
	if (step == CLUE_ROUTE)
		rc = fq_json_get_str(r->body, "to", FQ_JSON_REQUIRED, 32, &text, &r->err);
	else if (step == CLUE_CLOSE)
		rc = fq_json_get_str(r->body, "result", FQ_JSON_REQUIRED, FQ_FIELD_TEXT_MAX, &text,
				     &r->err);
	if (rc)
		return rc;
	c = fq_db_acquire(r->db);
	rc = fq_req_object_scope(r, c, fq_clue_unit_path, r->params[0], "线索不存在");
	if (!rc)
		rc = fq_dbc_begin(c, 1, &r->err);
	if (!rc) {
		if (step == CLUE_ROUTE)
			rc = fq_clue_route(c, r->params[0], version, text, r->user->user_id, now,
					   &r->err);
		else if (step == CLUE_ACCEPT)
			rc = fq_clue_accept(c, r->params[0], version, r->user->user_id, now,
					    &r->err);
		else
			rc = fq_clue_close(c, r->params[0], version, text, r->user->user_id, now,
					   &r->err);
		if (!rc)
			rc = fq_req_audit(
			    r, c, FQ_ACT_CLUE_MANAGE, what[step], "clue", r->params[0], NULL,
			    step == CLUE_ROUTE ? json_pack("{s:s}", "to", text) : NULL);
		rc = finish(r, c, rc);
	}
	if (!rc)
		rc = fq_clue_json(c, r->params[0], &out, &r->err);
	fq_db_release(r->db, c);
	if (rc)
		return rc;
	fq_req_publish(r, "clue.updated", FQ_ACT_FIELD_READ, out, NULL);
	return fq_req_reply(r, 200, json_pack("{s:o}", "clue", out));
}

static int post_clue_route(struct fq_req *r)
{
	return clue_step(r, CLUE_ROUTE);
}

static int post_clue_accept(struct fq_req *r)
{
	return clue_step(r, CLUE_ACCEPT);
}

static int post_clue_close(struct fq_req *r)
{
	return clue_step(r, CLUE_CLOSE);
}

const struct fq_route fq_field_routes[] = {
    {"GET", "/api/v1/contact-cards", list_cards, 0},
    {"POST", "/api/v1/contact-cards", post_card, 0},
    {"GET", "/api/v1/contact-cards/:id", get_card, 0},
    {"PATCH", "/api/v1/contact-cards/:id", patch_card, 0},
    {"GET", "/api/v1/contact-cards/:id/print", print_card, 0},
    {"GET", "/api/v1/public/cards/:token", get_public_card, FQ_ROUTE_PUBLIC},
    {"POST", "/api/v1/public/cards/:token/messages", post_public_message,
     FQ_ROUTE_PUBLIC | FQ_ROUTE_NO_CSRF},
    {"GET", "/api/v1/resident-messages", list_messages, 0},
    {"GET", "/api/v1/resident-messages/:id", get_message, 0},
    {"POST", "/api/v1/resident-messages/:id/handle", post_handle_message, 0},
    {"GET", "/api/v1/service-requests", list_services, 0},
    {"POST", "/api/v1/service-requests", post_service, 0},
    {"GET", "/api/v1/service-requests/:id", get_service, 0},
    {"POST", "/api/v1/service-requests/:id/schedule", post_service_schedule, 0},
    {"POST", "/api/v1/service-requests/:id/complete", post_service_complete, 0},
    {"POST", "/api/v1/service-requests/:id/cancel", post_service_cancel, 0},
    {"GET", "/api/v1/kpi/services", get_service_kpi, 0},
    {"GET", "/api/v1/clues", list_clues, 0},
    {"POST", "/api/v1/clues", post_clue, 0},
    {"GET", "/api/v1/clues/:id", get_clue, 0},
    {"POST", "/api/v1/clues/:id/route", post_clue_route, 0},
    {"POST", "/api/v1/clues/:id/accept", post_clue_accept, 0},
    {"POST", "/api/v1/clues/:id/close", post_clue_close, 0},
    {NULL, NULL, NULL, 0},
};
