/*
 * Roles and rights. A role grants actions; a unit grants scope.
 *
 * Roles are bits in a uint32_t. Actions are bits in a uint64_t; later
 * capabilities add their actions here and grant them in rights.c's table.
 * A user may act on an object only when one of their roles grants the
 * action AND the object's owning unit lies inside the user's home unit
 * (fq_scope_covers). Both checks are pure and thread-safe.
 */
#ifndef FQ_ORG_RIGHTS_H
#define FQ_ORG_RIGHTS_H

#include <stdint.h>

enum fq_role {
	FQ_ROLE_ADMIN,
	FQ_ROLE_CHIEF,
	FQ_ROLE_OPERATOR,
	FQ_ROLE_COMMUNITY_OFFICER,
	FQ_ROLE_CASE_OFFICER,
	FQ_ROLE_AUXILIARY,
	FQ_ROLE_GRID_WORKER,
	FQ_ROLE_VOLUNTEER,
	FQ_ROLE_ANALYST,
	FQ_ROLE_AUDITOR,
	FQ_ROLE_COUNT
};

enum fq_action {
	FQ_ACT_UNIT_READ,	/* see units and their boundaries */
	FQ_ACT_UNIT_MANAGE,	/* create or edit units */
	FQ_ACT_USER_READ,	/* list users */
	FQ_ACT_USER_MANAGE,	/* create users, set roles, units, disable */
	FQ_ACT_AUDIT_READ,	/* read the audit log */
	FQ_ACT_PERSON_READ,	/* read person records (masked) */
	FQ_ACT_PERSON_REVEAL,	/* unmask identifiers, with a reason */
	FQ_ACT_ALERT_CREATE,	/* take alerts (接警) */
	FQ_ACT_INCIDENT_READ,	/* see alerts and incidents */
	FQ_ACT_INCIDENT_MANAGE, /* move incidents through their states, merge, split */
	FQ_ACT_PHONE_READ,	/* see callers' phone numbers unmasked */
	FQ_ACT_FIELD_READ,	/* see contact cards, service requests and clues */
	FQ_ACT_CARD_MANAGE,	/* make and change contact cards */
	FQ_ACT_MESSAGE_HANDLE,	/* read and handle residents' messages (phones unmasked) */
	FQ_ACT_SERVICE_MANAGE,	/* door-to-door service requests (phones unmasked) */
	FQ_ACT_CLUE_REPORT,	/* report a clue */
	FQ_ACT_CLUE_MANAGE,	/* route, accept and close clues */
	FQ_ACT_DISPUTE_READ,	/* see disputes (parties masked) and their KPIs */
	FQ_ACT_DISPUTE_REPORT,	/* report a dispute (in one's scope: a grid for grid staff) */
	FQ_ACT_DISPUTE_MANAGE,	/* override grades, assign officers and working groups, reopen */
	FQ_ACT_DISPUTE_MEDIATE, /* record sessions, outcomes and follow-ups */
	FQ_ACT_CASE_READ,	/* see livelihood cases, transfers and series */
	FQ_ACT_CASE_MANAGE,	/* open and handle cases, transfer, link; see parties unmasked */
	FQ_ACT_FRAUD_READ,	/* see anti-fraud warnings, outreach and their KPIs */
	FQ_ACT_FRAUD_HANDLE,	/* take warnings, record dissuasion, outreach, links */
	FQ_ACT_RECEPTION_READ,	/* see the reception hall's log and its counts */
	FQ_ACT_RECEPTION_LOG,	/* log walk-ins and turn them into alerts, cases ... */
	FQ_ACT_REGISTRY_READ,	/* read houses, organisations and venues (community registries) */
	FQ_ACT_REGISTRY_WRITE,	/* create and edit people, houses, rentals, organisations */
	FQ_ACT_ADDRESS_READ,	/* see residents' and houses' addresses unmasked */
	FQ_ACT_PERSON_CONCERN,	/* see and set the "person of concern" category */
	FQ_ACT_VOLUNTEER_READ,	/* see volunteer groups, members (phones masked), tasks, hours */
	FQ_ACT_VOLUNTEER_KEEP,	/* keep groups and members, plan tasks; phones unmasked */
	FQ_ACT_VOLUNTEER_DUTY,	/* a volunteer: see one's own tasks, check in and out */
	FQ_ACT_SCHOOL_READ,	/* see schools, school posts, their schedule and attendance */
	FQ_ACT_SCHOOL_MANAGE,	/* set up schools, posts, sessions and who stands there */
	FQ_ACT_SCHOOL_ATTEND,	/* record attendance at school posts */
	FQ_ACT_GRID_READ,	/* see grids, posts, their staff and counts (grid page) */
	FQ_ACT_GRID_MANAGE,	/* set grids' and posts' staff and posts' grids */
	FQ_ACT_COUNT
};

#define FQ_ROLE_BIT(r)	 (1u << (r))
#define FQ_ACTION_BIT(a) (1ull << (a))

/* Code ("community_officer") and zh-CN label of a role; NULL when out of range. */
const char *fq_role_code(enum fq_role r);
const char *fq_role_label(enum fq_role r);
/* Role from its code; -1 when unknown. */
int fq_role_from_code(const char *code);
const char *fq_action_code(enum fq_action a);

/* Actions granted by a set of roles. */
uint64_t fq_roles_actions(uint32_t roles);
/* 1 when one of roles grants action. */
int fq_roles_can(uint32_t roles, enum fq_action action);
/* The first role of the set that grants action, or -1. */
int fq_roles_granting(uint32_t roles, enum fq_action action);

/*
 * Scope: unit paths list ancestors and self ("/330600/330681/"). A user whose
 * home unit has path user_path covers every unit whose path starts with it.
 */
int fq_scope_covers(const char *user_path, const char *object_path);

#endif
