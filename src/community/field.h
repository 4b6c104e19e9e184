/*
 * Community field work: contact cards (警民联系卡) with a public page,
 * the messages residents leave there, door-to-door service requests
 * (送证上门 / 背包警务) and clues (线索). Store functions; the API is in
 * field_api.c, the printable card in card_render.c.
 *
 * Every object belongs to a unit (the card's grid or post, the request's or
 * clue's grid or station); scope checks use that unit's path. Functions that
 * write must run inside the caller's write transaction (so the caller can
 * audit in the same one); they check states and versions and answer
 * FQ_ECONFLICT ("invalid_state" / "version_mismatch") naming the field.
 * JSON forms mask phones unless mask_phones is 0.
 */
#ifndef FQ_COMMUNITY_FIELD_H
#define FQ_COMMUNITY_FIELD_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "core/phone.h"
#include "db/db.h"
#include "org/units.h"

#define FQ_CARD_TOKEN_CHARS 22 /* base64url of 16 random bytes */
#define FQ_FIELD_TEXT_MAX   2000
#define FQ_FIELD_NAME_MAX   64
#define FQ_FIELD_ADDR_MAX   200
#define FQ_FIELD_MOTTO_MAX  60

/* ---- contact cards ---- */

struct fq_card_new {
	const char *user_id;	/* the officer on the card */
	const char *unit_code;	/* the grid or post it serves */
	const char *work_phone; /* as printed, or NULL for the user's own phone */
	const char *motto;	/* or NULL */
	const char *actor_id;
	int64_t now_ms;
};

/*
 * Create a card; id and token receive the new card's. FQ_EINVAL naming
 * user_id / unit / work_phone; FQ_ECONFLICT "duplicate" when the officer
 * already has a card for that unit.
 */
int fq_card_create(struct fq_dbc *c, const struct fq_card_new *in, char id[37],
		   char token[FQ_CARD_TOKEN_CHARS + 1], struct fq_err *err) FQ_WUR;

/* Change a card (NULL members unchanged; active -1 unchanged). */
int fq_card_update(struct fq_dbc *c, const char *id, int64_t expected_version,
		   const char *work_phone, const char *motto, int active, int64_t now_ms,
		   struct fq_err *err) FQ_WUR;

/* The unit path owning a card; FQ_ENOTFOUND. */
int fq_card_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		      struct fq_err *err) FQ_WUR;

/* A card as the API shows it (with officer and unit names, token and page path). */
int fq_card_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err) FQ_WUR;

/* Cards of units under scope_path (unit: one unit, or NULL), page by page. */
int fq_card_list(struct fq_dbc *c, const char *scope_path, const char *unit, int64_t page,
		 int64_t per_page, json_t **out, struct fq_err *err) FQ_WUR;

/*
 * What the public page of a card shows: the officer's display name, unit
 * and station names, the printed phone, the motto, and the service kinds
 * that can be booked. FQ_ENOTFOUND for an unknown or disabled token (the
 * same answer for both). id receives the card id.
 */
int fq_card_public_json(struct fq_dbc *c, const char *token, char id[37], json_t **out,
			struct fq_err *err) FQ_WUR;

/* ---- resident messages ---- */

struct fq_message_new {
	const char *card_token;
	const char *kind;	  /* "message" or "booking" */
	const char *service_kind; /* bookings: a service kind code */
	const char *name;	  /* optional for messages, required for bookings */
	const char *phone;	  /* optional for messages, required for bookings */
	const char *address;	  /* required for bookings */
	const char *text;
	int64_t preferred_at; /* 0 when not given */
	const char *client;
	int64_t now_ms;
};

/*
 * Check a message without the store (so refused input is not counted
 * against the sender's rate): FQ_EINVAL naming the field. phone_norm
 * receives the normalised phone ("" when none).
 */
int fq_message_check(const struct fq_message_new *in, char phone_norm[FQ_PHONE_MAX + 1],
		     struct fq_err *err) FQ_WUR;

/* Store a message left on a card's page (checked again); id and number receive its. */
int fq_message_create(struct fq_dbc *c, const struct fq_message_new *in, char id[37],
		      char number[64], struct fq_err *err) FQ_WUR;
int fq_message_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			 struct fq_err *err) FQ_WUR;
int fq_message_json(struct fq_dbc *c, const char *id, int mask_phones, json_t **out,
		    struct fq_err *err) FQ_WUR;
/* state: "new", "handled" or NULL; officer_id: one officer's queue, or NULL. */
int fq_message_list(struct fq_dbc *c, const char *scope_path, const char *state,
		    const char *officer_id, int mask_phones, int64_t page, int64_t per_page,
		    json_t **out, struct fq_err *err) FQ_WUR;

/*
 * Handle a message: note (required), and optionally turn it into a service
 * request ("service_request") or a clue ("clue") whose id is returned in
 * made_id ("" otherwise).
 */
int fq_message_handle(struct fq_dbc *c, const char *id, int64_t expected_version, const char *note,
		      const char *convert_to, const char *actor_id, int64_t now_ms,
		      char made_id[37], struct fq_err *err) FQ_WUR;

/* ---- service requests ---- */

/* Service kinds: code and zh-CN label; NULL past the end. */
const char *fq_service_kind_code(int i);
const char *fq_service_kind_label(int i);
int fq_service_kind_valid(const char *code);

struct fq_service_new {
	const char *unit_code; /* a grid, post or station */
	const char *kind;
	const char *person_name;
	const char *phone; /* optional */
	const char *address;
	double lat, lon; /* NAN when not given */
	const char *reason;
	const char *details;
	const char *source;
	const char *message_id; /* or NULL */
	int64_t preferred_at;	/* 0 when not given */
	const char *actor_id;
	int64_t now_ms;
};

int fq_service_create(struct fq_dbc *c, const struct fq_service_new *in, char id[37],
		      struct fq_err *err) FQ_WUR;
int fq_service_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			 struct fq_err *err) FQ_WUR;
int fq_service_json(struct fq_dbc *c, const char *id, int mask_phones, json_t **out,
		    struct fq_err *err) FQ_WUR;
int fq_service_list(struct fq_dbc *c, const char *scope_path, const char *state, const char *kind,
		    int mask_phones, int64_t page, int64_t per_page, json_t **out,
		    struct fq_err *err) FQ_WUR;

/* Steps: schedule (assignee + time), complete (proof), cancel (reason). */
int fq_service_schedule(struct fq_dbc *c, const char *id, int64_t expected_version,
			const char *assignee_id, int64_t scheduled_at, const char *scope_path,
			int64_t now_ms, struct fq_err *err) FQ_WUR;
int fq_service_complete(struct fq_dbc *c, const char *id, int64_t expected_version,
			const char *proof, const char *actor_id, int64_t now_ms,
			struct fq_err *err) FQ_WUR;
int fq_service_cancel(struct fq_dbc *c, const char *id, int64_t expected_version,
		      const char *reason, int64_t now_ms, struct fq_err *err) FQ_WUR;

/*
 * Counts for units under scope_path created in [from_ms, to_ms): requested,
 * scheduled, completed, cancelled, per kind, and the mean days from request
 * to completion of the completed ones (null when none).
 */
int fq_service_kpi_json(struct fq_dbc *c, const char *scope_path, int64_t from_ms, int64_t to_ms,
			json_t **out, struct fq_err *err) FQ_WUR;

/* ---- clues ---- */

struct fq_clue_new {
	const char *unit_code;
	const char *source;
	const char *message_id; /* or NULL */
	const char *text;
	const char *address; /* or NULL */
	double lat, lon;     /* NAN when not given */
	const char *actor_id;
	int64_t now_ms;
};

int fq_clue_create(struct fq_dbc *c, const struct fq_clue_new *in, char id[37],
		   struct fq_err *err) FQ_WUR;
int fq_clue_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		      struct fq_err *err) FQ_WUR;
int fq_clue_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err) FQ_WUR;
int fq_clue_list(struct fq_dbc *c, const char *scope_path, const char *state, const char *routed_to,
		 int64_t page, int64_t per_page, json_t **out, struct fq_err *err) FQ_WUR;

/*
 * Clue steps: route ("case_team" or "command_room"; new or routed →
 * routed), accept (routed → accepted), close with a result (any open
 * state → closed).
 */
int fq_clue_route(struct fq_dbc *c, const char *id, int64_t expected_version, const char *to,
		  const char *actor_id, int64_t now_ms, struct fq_err *err) FQ_WUR;
int fq_clue_accept(struct fq_dbc *c, const char *id, int64_t expected_version, const char *actor_id,
		   int64_t now_ms, struct fq_err *err) FQ_WUR;
int fq_clue_close(struct fq_dbc *c, const char *id, int64_t expected_version, const char *result,
		  const char *actor_id, int64_t now_ms, struct fq_err *err) FQ_WUR;

#endif
