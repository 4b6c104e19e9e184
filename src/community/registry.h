/*
 * The community registries (人口 / 房屋 / 单位信息采集): people, houses with
 * their rentals, organisations and venues. MODEL.md "Community" fixes the
 * concepts; docs/community.md the fields, categories, masking and rights.
 *
 * Every record belongs to one unit: a house to the grid its coordinates
 * fall in (community/placement.h) or, without coordinates, to the unit
 * given (a station, post or grid); a person to the unit of their house
 * (or the unit given when they have none); an organisation like a house.
 * Scope is a prefix test of the record's unit_path against the actor's.
 *
 * Input comes as a JSON object (the API's body, or a row of an import
 * built into one) and is validated here, so the API and the import refuse
 * the same things with the same field names. Store functions take a
 * borrowed connection; writes must run inside the caller's write
 * transaction (which also appends the audit entry), and keep the search
 * index (community/search.h) in step. JSON answers are new references.
 *
 * Thread-safety: no global state except the placement cache (which has
 * its own lock); one connection per thread.
 */
#ifndef FQ_COMMUNITY_REGISTRY_H
#define FQ_COMMUNITY_REGISTRY_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "core/idnum.h"
#include "core/phone.h"
#include "core/uscc.h"
#include "db/db.h"
#include "org/units.h"

#define FQ_PERSON_NAME_MAX    64  /* characters */
#define FQ_REGISTRY_ADDR_MAX  200 /* characters */
#define FQ_REGISTRY_NOTES_MAX 2000
#define FQ_ORG_NAME_MAX	      100

/* Person categories (bits of fq_person_in.categories). */
enum fq_person_category {
	FQ_CAT_RESIDENT,      /* resident (户籍/常住人口) */
	FQ_CAT_FLOATING,      /* floating population (流动人口) */
	FQ_CAT_ELDERLY_ALONE, /* elderly living alone (独居老人) */
	FQ_CAT_NEEDS_CARE,    /* person needing care (需关爱人员) */
	FQ_CAT_CONCERN,	      /* person of concern (重点人员): restricted, see docs */
	FQ_CAT_COUNT
};
#define FQ_CAT_BIT(c) (1u << (c))

/* Code ("elderly_alone") and zh-CN label of a category; NULL out of range. */
const char *fq_person_category_code(enum fq_person_category c);
const char *fq_person_category_label(enum fq_person_category c);
/* Category from its code or zh-CN label; -1 when unknown. */
int fq_person_category_from(const char *s);

/* Who acts, for scope, stamps and the restricted category. */
struct fq_actor {
	const char *user_id;   /* NULL for the command line */
	const char *unit_code; /* the actor's home unit */
	const char *scope_path;
	int see_concern; /* may see and set FQ_CAT_CONCERN */
	int64_t now_ms;
};

/* What an answer shows (docs/community.md, "Who sees what"). */
struct fq_registry_view {
	int reveal;	  /* ID numbers, phones and birth dates unmasked */
	int full_address; /* addresses unmasked */
	int see_concern;  /* FQ_CAT_CONCERN shown */
};

/*
 * Where a list's items go instead of its "items" array (exports): each item
 * is handed to each(item, arg) (borrowed; a non-zero answer stops the list
 * with that error) and the answer's "items" stays empty. Lists served from
 * the search index alone (a search of one-character terms only, without
 * sort or filter) ignore the sink and fill "items" as usual.
 */
struct fq_list_sink {
	int (*each)(json_t *item, void *arg);
	void *arg;
};

/* ---- people ---- */

enum {
	FQ_PF_NAME = 1u << 0,
	FQ_PF_ID = 1u << 1,
	FQ_PF_PHONE = 1u << 2,
	FQ_PF_PHONE2 = 1u << 3,
	FQ_PF_HOUSE = 1u << 4,
	FQ_PF_HUKOU = 1u << 5,
	FQ_PF_CATEGORIES = 1u << 6,
	FQ_PF_NOTES = 1u << 7,
	FQ_PF_UNIT = 1u << 8,
};

struct fq_person_in {
	unsigned set; /* FQ_PF_* present in the input (a NULL value clears) */
	const char *name;
	struct fq_idnum id;
	char phone[FQ_PHONE_MAX + 1]; /* normalised, "" when none */
	char phone2[FQ_PHONE_MAX + 1];
	const char *house_id;
	const char *hukou;
	const char *notes;
	const char *unit;
	uint32_t categories;
	int64_t version; /* updates: the version read; 0 on create */
};

/*
 * Validate a person body. create=1: name and id_number required, and
 * sex/birth_date when given must agree with the ID number ("id_mismatch").
 * create=0 (PATCH): version required, any subset of the other members.
 * Strings point into body. Errors: FQ_EINVAL naming the field.
 */
int fq_person_parse(json_t *body, int create, int64_t now_ms, struct fq_person_in *in,
		    struct fq_err *err) FQ_WUR;

/*
 * Create a person. FQ_ECONFLICT ("duplicate_id_number", field id_number)
 * when the ID number is registered, the message naming the existing
 * record's id; FQ_EFORBIDDEN (field categories) for FQ_CAT_CONCERN
 * without the right; FQ_EINVAL for a house or unit that does not exist or
 * lies outside the actor's scope. *warnings (may be NULL) receives an
 * array: {"code":"possible_duplicate","person_id"} for each person of the
 * same name, birth date and house.
 */
int fq_person_create(struct fq_dbc *c, const struct fq_person_in *in, const struct fq_actor *a,
		     char id[37], json_t **warnings, struct fq_err *err) FQ_WUR;

/*
 * Update the members set in in. FQ_ECONFLICT ("stale_version") when
 * in->version is not the stored version, or for an ID number registered to
 * someone else. An actor without see_concern keeps the stored concern flag
 * whatever they send. FQ_ENOTFOUND when the person is missing or out of
 * scope.
 */
int fq_person_update(struct fq_dbc *c, const char *id, const struct fq_person_in *in,
		     const struct fq_actor *a, json_t **warnings, struct fq_err *err) FQ_WUR;

/* The owning unit's path of person id (FQ_ENOTFOUND when missing). */
int fq_person_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			struct fq_err *err) FQ_WUR;

/* The person as JSON under view. */
int fq_person_json(struct fq_dbc *c, const char *id, const struct fq_registry_view *v, json_t **out,
		   struct fq_err *err) FQ_WUR;

struct fq_person_query {
	const char *scope_path;
	const char *q;	      /* search text (community/search.h), or NULL */
	const char *category; /* a category code, or NULL */
	const char *house_id;
	const char *unit; /* records of this unit and below (in scope), or NULL */
	const char *sort; /* name, -name, created_at, -created_at, updated_at, -updated_at */
	int64_t page, per_page;
	const struct fq_list_sink *sink; /* NULL: items in the answer */
};

/*
 * {"items":[...],"total"} of the people matching q, each item: id, name,
 * id_number, phone, sex, birth_year (birth_date when revealed), address,
 * house_id, unit, categories. Sorted by relevance when q is given and no
 * sort, else by sort (default name). FQ_EINVAL for a bad sort, category,
 * or query; FQ_EFORBIDDEN (field category) for the concern category
 * without the right.
 */
int fq_person_list(struct fq_dbc *c, const struct fq_person_query *q,
		   const struct fq_registry_view *v, json_t **out, struct fq_err *err) FQ_WUR;

/* ---- houses ---- */

enum fq_house_use { FQ_HOUSE_SELF, FQ_HOUSE_RENTED, FQ_HOUSE_VACANT, FQ_HOUSE_COMMERCIAL };
const char *fq_house_use_code(int use);
int fq_house_use_from(const char *s); /* code or zh-CN label; -1 when unknown */

enum {
	FQ_HF_ADDRESS = 1u << 0,
	FQ_HF_LOCATION = 1u << 1,
	FQ_HF_USE = 1u << 2,
	FQ_HF_OWNER = 1u << 3,
	FQ_HF_OWNER_NAME = 1u << 4,
	FQ_HF_NOTES = 1u << 5,
	FQ_HF_UNIT = 1u << 6,
};

struct fq_house_in {
	unsigned set;
	const char *address;
	int has_location;
	double lat, lon;
	int use;
	const char *owner_id;
	const char *owner_name;
	const char *notes;
	const char *unit;
	int64_t version;
};

/* Validate a house body (create: address required, use defaults to self_occupied). */
int fq_house_parse(json_t *body, int create, struct fq_house_in *in, struct fq_err *err) FQ_WUR;

/*
 * Create a house: placed in its grid by its coordinates, else in the unit
 * given (else the actor's). FQ_ECONFLICT ("duplicate_address") when the
 * station already has a house at the same normalised address, naming it.
 */
int fq_house_create(struct fq_dbc *c, const struct fq_house_in *in, const struct fq_actor *a,
		    char id[37], struct fq_err *err) FQ_WUR;
int fq_house_update(struct fq_dbc *c, const char *id, const struct fq_house_in *in,
		    const struct fq_actor *a, struct fq_err *err) FQ_WUR;
/*
 * The house of station at address (normalised match), created (without
 * coordinates, in unit) when missing: what imports use. *created says which.
 */
int fq_house_find_or_create(struct fq_dbc *c, const char *unit, const char *address,
			    const struct fq_actor *a, char id[37], int *created,
			    struct fq_err *err) FQ_WUR;
int fq_house_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		       struct fq_err *err) FQ_WUR;
/*
 * The house with its occupants and rentals: occupants and tenants with
 * their ID numbers and phones always masked (whatever the view), tenants
 * with their registration's expiry and state.
 */
int fq_house_json(struct fq_dbc *c, const char *id, const struct fq_registry_view *v, json_t **out,
		  struct fq_err *err) FQ_WUR;

struct fq_house_query {
	const char *scope_path;
	const char *q;
	const char *use;
	const char *unit;
	int expiring;	  /* 1: houses with a tenant's registration expired or expiring */
	const char *sort; /* address, -address, created_at, -created_at */
	int64_t page, per_page;
	const struct fq_list_sink *sink;
};
int fq_house_list(struct fq_dbc *c, const struct fq_house_query *q,
		  const struct fq_registry_view *v, json_t **out, struct fq_err *err) FQ_WUR;

/*
 * A rental of house_id: {"start_date","end_date"?,"tenant_ids":[...],
 * "notes"?,"registration_expires"?}. Tenants must be people in scope; they
 * move into the house (their residence) and the house's use becomes
 * rented. registration_expires (YYYY-MM-DD, not before start_date) is when
 * the tenants' residence registration (流动人口居住登记) runs out; the
 * house's answer shows each tenant's registration_state: "expired",
 * "expiring" (within FQ_REGISTRATION_REMIND_DAYS of today, China date),
 * "valid", or null when not recorded.
 */
#define FQ_REGISTRATION_REMIND_DAYS 30
int fq_rental_create(struct fq_dbc *c, const char *house_id, json_t *body, const struct fq_actor *a,
		     char id[37], struct fq_err *err) FQ_WUR;

/* ---- organisations and venues ---- */

/* Type code ("internet_cafe"), zh-CN label, and whether it is a regulated industry. */
const char *fq_org_type_code(int type);
const char *fq_org_type_label(int type);
int fq_org_type_regulated(int type);
int fq_org_type_from(const char *s); /* code or label; -1 when unknown */

enum {
	FQ_OF_NAME = 1u << 0,
	FQ_OF_USCC = 1u << 1,
	FQ_OF_TYPE = 1u << 2,
	FQ_OF_ADDRESS = 1u << 3,
	FQ_OF_LOCATION = 1u << 4,
	FQ_OF_RESP_NAME = 1u << 5,
	FQ_OF_RESP_PHONE = 1u << 6,
	FQ_OF_RESP_PERSON = 1u << 7,
	FQ_OF_EMPLOYEES = 1u << 8,
	FQ_OF_NOTES = 1u << 9,
	FQ_OF_UNIT = 1u << 10,
};

struct fq_org_in {
	unsigned set;
	const char *name;
	struct fq_uscc uscc; /* uscc.code "" when none */
	int type;
	const char *address;
	int has_location;
	double lat, lon;
	const char *responsible_name;
	char responsible_phone[FQ_PHONE_MAX + 1];
	const char *responsible_person_id;
	int64_t employees;
	const char *notes;
	const char *unit;
	int64_t version;
};

int fq_org_parse(json_t *body, int create, struct fq_org_in *in, struct fq_err *err) FQ_WUR;
/* FQ_ECONFLICT ("duplicate_uscc") naming the organisation holding the code. */
int fq_org_create(struct fq_dbc *c, const struct fq_org_in *in, const struct fq_actor *a,
		  char id[37], struct fq_err *err) FQ_WUR;
int fq_org_update(struct fq_dbc *c, const char *id, const struct fq_org_in *in,
		  const struct fq_actor *a, struct fq_err *err) FQ_WUR;
int fq_org_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		     struct fq_err *err) FQ_WUR;
int fq_org_json(struct fq_dbc *c, const char *id, const struct fq_registry_view *v, json_t **out,
		struct fq_err *err) FQ_WUR;

struct fq_org_query {
	const char *scope_path;
	const char *q;
	const char *type;
	int regulated; /* -1 any, 0 or 1 */
	int small;     /* 1: only the nine kinds of small venues (九小场所, small_*) */
	const char *unit;
	const char *sort; /* name, -name, created_at, -created_at */
	int64_t page, per_page;
	const struct fq_list_sink *sink;
};
int fq_org_list(struct fq_dbc *c, const struct fq_org_query *q, const struct fq_registry_view *v,
		json_t **out, struct fq_err *err) FQ_WUR;

/* ---- shared by the three (registry.c) ---- */

/*
 * Where a record without a house goes: unit (or the actor's unit when
 * NULL) must exist and lie in the actor's scope (else FQ_EINVAL naming
 * field); its path and station (the nearest station ancestor or itself,
 * "" when above stations) are filled.
 */
int fq__registry_unit(struct fq_dbc *c, const char *unit, const struct fq_actor *a,
		      const char *field, char code[FQ_UNIT_CODE_MAX], char path[FQ_UNIT_PATH_MAX],
		      char station[FQ_UNIT_CODE_MAX], struct fq_err *err) FQ_WUR;
/*
 * Placement of a record with an optional location: the grid containing the
 * point when there is one (in scope), else fq__registry_unit. grid gets ""
 * when not placed in a grid.
 */
int fq__registry_place(struct fq_dbc *c, int has_location, double lat, double lon, const char *unit,
		       const struct fq_actor *a, char code[FQ_UNIT_CODE_MAX],
		       char path[FQ_UNIT_PATH_MAX], char station[FQ_UNIT_CODE_MAX],
		       char grid[FQ_UNIT_CODE_MAX], struct fq_err *err) FQ_WUR;
/* Normalised copy of text into out (fq_text_normalize); FQ_EINVAL naming field. */
int fq__registry_norm(const char *text, const char *field, char **out, struct fq_err *err) FQ_WUR;
/*
 * The matching key of an address: the normalised text without spaces, so
 * that "桃园路12号 3栋" and "桃园路１２号3栋" are one address.
 */
int fq__registry_address_key(const char *text, const char *field, char **out,
			     struct fq_err *err) FQ_WUR;

/*
 * 0 when no organisation but self (NULL: none) holds the unified social
 * credit code (or code is empty); FQ_ECONFLICT "duplicate_uscc" (field
 * "uscc") naming the holder; or a store error. For creating, editing and
 * importing organisations.
 */
int fq__org_uscc_taken(struct fq_dbc *c, const char *code, const char *self,
		       struct fq_err *err) FQ_WUR;
/* An item of a list: to the sink when there is one (item released), else appended to items. */
int fq__list_emit(const struct fq_list_sink *sink, json_t *items, json_t *item) FQ_WUR;
/* Scope SQL and sort helpers. */
int fq__registry_sort(const char *sort, const char *const *allowed, const char *const *columns,
		      const char *dflt, const char **order_by, struct fq_err *err) FQ_WUR;
/* Address as the view shows it (pointer into a new JSON string). */
json_t *fq__registry_address(const char *address, const struct fq_registry_view *v);
/* Rebuild the search entry of a person (after their house or unit changed). */
int fq__person_reindex(struct fq_dbc *c, const char *id, struct fq_err *err) FQ_WUR;
/* The exclusive upper bound of the paths under prefix ("/a/b/" -> "/a/b0"). */
void fq__path_upper(const char *prefix, char out[FQ_UNIT_PATH_MAX]);
/*
 * The path under which a list looks: unit's (FQ_EINVAL naming "unit" when
 * it does not exist or lies outside scope), or scope itself when unit is NULL.
 */
int fq__list_path(struct fq_dbc *c, const char *scope, const char *unit, char out[FQ_UNIT_PATH_MAX],
		  struct fq_err *err) FQ_WUR;
/* body's optional "location": {"lat","lon"} (both required, WGS-84); *present when given. */
int fq__location_arg(json_t *body, int *present, double *lat, double *lon,
		     struct fq_err *err) FQ_WUR;
/* "YYYY-MM-DD": the China date of ms plus add_days. */
void fq__cst_date(int64_t ms, int add_days, char out[11]);
/* RFC 3339 string of ms in China Standard Time. */
json_t *fq__json_time(int64_t ms);

#endif
