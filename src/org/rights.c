#include "org/rights.h"

#include <string.h>

#include "core/banned.h"

static const struct {
	const char *code;
	const char *label;
} roles[FQ_ROLE_COUNT] = {
    [FQ_ROLE_ADMIN] = {"admin", "系统管理员"},
    [FQ_ROLE_CHIEF] = {"chief", "所长"},
    [FQ_ROLE_OPERATOR] = {"operator", "接警员"},
    [FQ_ROLE_COMMUNITY_OFFICER] = {"community_officer", "社区民警"},
    [FQ_ROLE_CASE_OFFICER] = {"case_officer", "办案民警"},
    [FQ_ROLE_AUXILIARY] = {"auxiliary", "辅警"},
    [FQ_ROLE_GRID_WORKER] = {"grid_worker", "网格员"},
    [FQ_ROLE_VOLUNTEER] = {"volunteer", "志愿者"},
    [FQ_ROLE_ANALYST] = {"analyst", "研判分析员"},
    [FQ_ROLE_AUDITOR] = {"auditor", "审计员"},
};

/* One action per line, so capabilities add theirs without touching the others. */
/* clang-format off */
static const char *const actions[FQ_ACT_COUNT] = {
    [FQ_ACT_UNIT_READ] = "unit.read",
    [FQ_ACT_UNIT_MANAGE] = "unit.manage",
    [FQ_ACT_USER_READ] = "user.read",
    [FQ_ACT_USER_MANAGE] = "user.manage",
    [FQ_ACT_AUDIT_READ] = "audit.read",
    [FQ_ACT_PERSON_READ] = "person.read",
    [FQ_ACT_PERSON_REVEAL] = "person.reveal",
    [FQ_ACT_ALERT_CREATE] = "alert.create",
    [FQ_ACT_INCIDENT_READ] = "incident.read",
    [FQ_ACT_INCIDENT_MANAGE] = "incident.manage",
    [FQ_ACT_PHONE_READ] = "phone.read",
    [FQ_ACT_FIELD_READ] = "field.read",
    [FQ_ACT_CARD_MANAGE] = "card.manage",
    [FQ_ACT_MESSAGE_HANDLE] = "message.handle",
    [FQ_ACT_SERVICE_MANAGE] = "service.manage",
    [FQ_ACT_CLUE_REPORT] = "clue.report",
    [FQ_ACT_CLUE_MANAGE] = "clue.manage",
    [FQ_ACT_DISPUTE_READ] = "dispute.read",
    [FQ_ACT_DISPUTE_REPORT] = "dispute.report",
    [FQ_ACT_DISPUTE_MANAGE] = "dispute.manage",
    [FQ_ACT_DISPUTE_MEDIATE] = "dispute.mediate",
    [FQ_ACT_CASE_READ] = "case.read",
    [FQ_ACT_CASE_MANAGE] = "case.manage",
    [FQ_ACT_FRAUD_READ] = "fraud.read",
    [FQ_ACT_FRAUD_HANDLE] = "fraud.handle",
    [FQ_ACT_RECEPTION_READ] = "reception.read",
    [FQ_ACT_RECEPTION_LOG] = "reception.log",
    [FQ_ACT_REGISTRY_READ] = "registry.read",
    [FQ_ACT_REGISTRY_WRITE] = "registry.write",
    [FQ_ACT_ADDRESS_READ] = "address.read",
    [FQ_ACT_PERSON_CONCERN] = "person.concern",
    [FQ_ACT_VOLUNTEER_READ] = "volunteer.read",
    [FQ_ACT_VOLUNTEER_KEEP] = "volunteer.keep",
    [FQ_ACT_VOLUNTEER_DUTY] = "volunteer.duty",
    [FQ_ACT_SCHOOL_READ] = "school.read",
    [FQ_ACT_SCHOOL_MANAGE] = "school.manage",
    [FQ_ACT_SCHOOL_ATTEND] = "school.attend",
    [FQ_ACT_GRID_READ] = "grid.read",
    [FQ_ACT_GRID_MANAGE] = "grid.manage",
};
/* clang-format on */

#define A(x) FQ_ACTION_BIT(FQ_ACT_##x)

/*
 * What each role may do: one table per capability, combined by
 * fq_roles_actions. The auditor reads the audit log and nothing else of the
 * station's data; no role may change the audit log.
 */
#define COMMAND_READ	(A(INCIDENT_READ))
#define COMMAND_OPERATE (A(ALERT_CREATE) | A(INCIDENT_READ) | A(INCIDENT_MANAGE) | A(PHONE_READ))

static const uint64_t foundation_grants[FQ_ROLE_COUNT] = {
    [FQ_ROLE_ADMIN] = A(UNIT_READ) | A(UNIT_MANAGE) | A(USER_READ) | A(USER_MANAGE),
    [FQ_ROLE_CHIEF] =
	A(UNIT_READ) | A(USER_READ) | A(PERSON_READ) | A(PERSON_REVEAL) | COMMAND_OPERATE,
    [FQ_ROLE_OPERATOR] = A(UNIT_READ) | A(PERSON_READ) | COMMAND_OPERATE,
    [FQ_ROLE_COMMUNITY_OFFICER] = A(UNIT_READ) | A(PERSON_READ) | A(PERSON_REVEAL) | COMMAND_READ,
    [FQ_ROLE_CASE_OFFICER] = A(UNIT_READ) | A(PERSON_READ) | A(PERSON_REVEAL) | COMMAND_READ,
    [FQ_ROLE_AUXILIARY] = A(UNIT_READ) | A(PERSON_READ) | COMMAND_READ,
    [FQ_ROLE_GRID_WORKER] = A(UNIT_READ) | A(PERSON_READ),
    [FQ_ROLE_VOLUNTEER] = A(UNIT_READ),
    [FQ_ROLE_ANALYST] = A(UNIT_READ) | COMMAND_READ,
    [FQ_ROLE_AUDITOR] = A(UNIT_READ) | A(AUDIT_READ) | A(USER_READ),
};

/* Community field work (docs/field.md): the officer of the grid and the team around them. */
#define FIELD_TEAM                                                                                 \
	(A(FIELD_READ) | A(CARD_MANAGE) | A(MESSAGE_HANDLE) | A(SERVICE_MANAGE) | A(CLUE_REPORT) | \
	 A(CLUE_MANAGE))

static const uint64_t field_grants[FQ_ROLE_COUNT] = {
    [FQ_ROLE_CHIEF] = FIELD_TEAM,
    [FQ_ROLE_OPERATOR] = A(FIELD_READ) | A(CLUE_REPORT) | A(CLUE_MANAGE),
    [FQ_ROLE_COMMUNITY_OFFICER] = FIELD_TEAM,
    [FQ_ROLE_CASE_OFFICER] = A(FIELD_READ) | A(CLUE_REPORT) | A(CLUE_MANAGE),
    [FQ_ROLE_AUXILIARY] = A(FIELD_READ) | A(MESSAGE_HANDLE) | A(SERVICE_MANAGE) | A(CLUE_REPORT),
    [FQ_ROLE_GRID_WORKER] = A(CLUE_REPORT),
    [FQ_ROLE_VOLUNTEER] = A(CLUE_REPORT),
    [FQ_ROLE_ANALYST] = A(FIELD_READ),
};

/*
 * Disputes (docs/disputes.md): grid staff report and mediate general
 * disputes of their grid; officers manage; analysts read the KPIs.
 */
#define DISPUTE_REPORT	(A(DISPUTE_READ) | A(DISPUTE_REPORT))
#define DISPUTE_MEDIATE (DISPUTE_REPORT | A(DISPUTE_MEDIATE))
#define DISPUTE_ALL	(DISPUTE_MEDIATE | A(DISPUTE_MANAGE))

static const uint64_t dispute_grants[FQ_ROLE_COUNT] = {
    [FQ_ROLE_CHIEF] = DISPUTE_ALL,
    [FQ_ROLE_OPERATOR] = DISPUTE_REPORT,
    [FQ_ROLE_COMMUNITY_OFFICER] = DISPUTE_ALL,
    [FQ_ROLE_CASE_OFFICER] = DISPUTE_REPORT,
    [FQ_ROLE_AUXILIARY] = DISPUTE_MEDIATE,
    [FQ_ROLE_GRID_WORKER] = DISPUTE_MEDIATE,
    [FQ_ROLE_VOLUNTEER] = DISPUTE_MEDIATE,
    [FQ_ROLE_ANALYST] = A(DISPUTE_READ),
};

/* Livelihood cases (docs/cases.md): the case team handles, chiefs too; others read. */
static const uint64_t case_grants[FQ_ROLE_COUNT] = {
    [FQ_ROLE_CHIEF] = A(CASE_READ) | A(CASE_MANAGE),
    [FQ_ROLE_CASE_OFFICER] = A(CASE_READ) | A(CASE_MANAGE),
    [FQ_ROLE_COMMUNITY_OFFICER] = A(CASE_READ),
    [FQ_ROLE_ANALYST] = A(CASE_READ),
};

/*
 * Anti-fraud warnings and the reception hall (docs/fraud.md, docs/reception.md):
 * the officers who call and receive residents handle; analysts read.
 */
#define FRAUD_HANDLE  (A(FRAUD_READ) | A(FRAUD_HANDLE))
#define RECEPTION_LOG (A(RECEPTION_READ) | A(RECEPTION_LOG))

static const uint64_t fraud_reception_grants[FQ_ROLE_COUNT] = {
    [FQ_ROLE_CHIEF] = FRAUD_HANDLE | RECEPTION_LOG,
    [FQ_ROLE_OPERATOR] = FRAUD_HANDLE | RECEPTION_LOG,
    [FQ_ROLE_COMMUNITY_OFFICER] = FRAUD_HANDLE | RECEPTION_LOG,
    [FQ_ROLE_CASE_OFFICER] = FRAUD_HANDLE | RECEPTION_LOG,
    [FQ_ROLE_AUXILIARY] = FRAUD_HANDLE | RECEPTION_LOG,
    [FQ_ROLE_ANALYST] = A(FRAUD_READ) | A(RECEPTION_READ),
};

#undef FRAUD_HANDLE
#undef RECEPTION_LOG

/*
 * The registries of people, houses and organisations (docs/community.md):
 * who reads them, who keeps them, who sees addresses and persons of concern.
 */
static const uint64_t registry_grants[FQ_ROLE_COUNT] = {
    [FQ_ROLE_CHIEF] = A(REGISTRY_READ) | A(REGISTRY_WRITE) | A(ADDRESS_READ) | A(PERSON_CONCERN),
    [FQ_ROLE_OPERATOR] = A(REGISTRY_READ),
    [FQ_ROLE_COMMUNITY_OFFICER] =
	A(REGISTRY_READ) | A(REGISTRY_WRITE) | A(ADDRESS_READ) | A(PERSON_CONCERN),
    [FQ_ROLE_CASE_OFFICER] = A(REGISTRY_READ) | A(ADDRESS_READ) | A(PERSON_CONCERN),
    [FQ_ROLE_AUXILIARY] = A(REGISTRY_READ) | A(REGISTRY_WRITE) | A(ADDRESS_READ),
    [FQ_ROLE_GRID_WORKER] = A(REGISTRY_READ) | A(REGISTRY_WRITE) | A(ADDRESS_READ),
};

/*
 * Volunteers and school posts (docs/volunteers.md): the community team keeps
 * the groups and the posts, auxiliaries too (they run the patrols and stand
 * at the gates); grid workers and analysts read; volunteers do their tasks.
 */
#define VOLUNTEER_KEEP (A(VOLUNTEER_READ) | A(VOLUNTEER_KEEP))
#define SCHOOL_ALL     (A(SCHOOL_READ) | A(SCHOOL_MANAGE) | A(SCHOOL_ATTEND))

static const uint64_t volunteer_grants[FQ_ROLE_COUNT] = {
    [FQ_ROLE_CHIEF] = VOLUNTEER_KEEP | SCHOOL_ALL,
    [FQ_ROLE_COMMUNITY_OFFICER] = VOLUNTEER_KEEP | SCHOOL_ALL,
    [FQ_ROLE_AUXILIARY] = VOLUNTEER_KEEP | A(SCHOOL_READ) | A(SCHOOL_ATTEND),
    [FQ_ROLE_GRID_WORKER] = A(VOLUNTEER_READ) | A(SCHOOL_READ),
    [FQ_ROLE_VOLUNTEER] = A(VOLUNTEER_DUTY),
    [FQ_ROLE_ANALYST] = A(VOLUNTEER_READ) | A(SCHOOL_READ),
};

#undef VOLUNTEER_KEEP
#undef SCHOOL_ALL

/*
 * Grids and police posts (docs/community.md "Grids and responsibility"):
 * the station's staff read the grid pages (each section also needs its
 * own right); the chief and the administrator set who answers for them.
 */
static const uint64_t grid_grants[FQ_ROLE_COUNT] = {
    [FQ_ROLE_ADMIN] = A(GRID_READ) | A(GRID_MANAGE),
    [FQ_ROLE_CHIEF] = A(GRID_READ) | A(GRID_MANAGE),
    [FQ_ROLE_OPERATOR] = A(GRID_READ),
    [FQ_ROLE_COMMUNITY_OFFICER] = A(GRID_READ),
    [FQ_ROLE_CASE_OFFICER] = A(GRID_READ),
    [FQ_ROLE_AUXILIARY] = A(GRID_READ),
    [FQ_ROLE_GRID_WORKER] = A(GRID_READ),
    [FQ_ROLE_ANALYST] = A(GRID_READ),
};

/* One line per capability. */
/* clang-format off */
static const uint64_t *const grant_tables[] = {
    foundation_grants,
    field_grants,
    dispute_grants,
    case_grants,
    fraud_reception_grants,
    registry_grants,
    volunteer_grants,
    grid_grants,
    NULL,
};
/* clang-format on */

#undef FIELD_TEAM
#undef COMMAND_READ
#undef COMMAND_OPERATE
#undef DISPUTE_REPORT
#undef DISPUTE_MEDIATE
#undef DISPUTE_ALL
#undef A

/* Every action one role grants. */
static uint64_t role_grants(int r)
{
	uint64_t out = 0;
	for (int t = 0; grant_tables[t]; t++)
		out |= grant_tables[t][r];
	return out;
}

const char *fq_role_code(enum fq_role r)
{
	return (unsigned)r < FQ_ROLE_COUNT ? roles[r].code : NULL;
}

const char *fq_role_label(enum fq_role r)
{
	return (unsigned)r < FQ_ROLE_COUNT ? roles[r].label : NULL;
}

int fq_role_from_code(const char *code)
{
	for (int r = 0; r < FQ_ROLE_COUNT; r++)
		if (strcmp(roles[r].code, code) == 0)
			return r;
	return -1;
}

const char *fq_action_code(enum fq_action a)
{
	return (unsigned)a < FQ_ACT_COUNT ? actions[a] : NULL;
}

uint64_t fq_roles_actions(uint32_t set)
{
	uint64_t out = 0;
	for (int r = 0; r < FQ_ROLE_COUNT; r++)
		if (set & FQ_ROLE_BIT(r))
			out |= role_grants(r);
	return out;
}

int fq_roles_can(uint32_t set, enum fq_action action)
{
	return (unsigned)action < FQ_ACT_COUNT &&
	       (fq_roles_actions(set) & FQ_ACTION_BIT(action)) != 0;
}

int fq_roles_granting(uint32_t set, enum fq_action action)
{
	for (int r = 0; r < FQ_ROLE_COUNT; r++)
		if ((set & FQ_ROLE_BIT(r)) && (role_grants(r) & FQ_ACTION_BIT(action)))
			return r;
	return -1;
}

int fq_scope_covers(const char *user_path, const char *object_path)
{
	size_t n;

	if (!user_path || !object_path || user_path[0] != '/')
		return 0;
	n = strlen(user_path);
	if (n < 2 || user_path[n - 1] != '/')
		return 0;
	return strncmp(user_path, object_path, n) == 0;
}
