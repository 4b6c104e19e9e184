/*
 * The parsers of the create bodies of disputes (POST /api/v1/disputes),
 * livelihood cases (POST /api/v1/cases) and door-to-door service requests
 * (POST /api/v1/service-requests), shared by those APIs and by the
 * reception hall's conversion of a visit (reception_api.c), so that both
 * validate alike.
 *
 * Each parses r->body (a caller that parses a nested member points
 * r->body at it for the call) and fills the store's input from it and
 * from the caller (r->user: actor, unit, scope; now). Strings point into
 * r->body and r->pool: they live as long as those. Errors are FQ_EINVAL
 * in r->err naming the member as the create API does ("type",
 * "parties[0].name"); the rights are the caller's to check beforehand.
 */
#ifndef FQ_HTTP_INTAKE_H
#define FQ_HTTP_INTAKE_H

#include "cases/case.h"
#include "cases/dispute.h"
#include "community/field.h"
#include "http/api.h"

/* A dispute's intake (cases/dispute_api.c); default source by the caller's role. */
int fq_dispute_parse_new(struct fq_req *r, struct fq_dispute_new *in) FQ_WUR;

/* A case and the lists its input points to (cases/case_api.c). */
struct fq_case_body {
	struct fq_case_new in;
	struct fq_case_party_in parties[FQ_CASE_LIST_MAX];
	struct fq_case_item_in lost[FQ_CASE_LIST_MAX];
	const char *evidence[FQ_CASE_LIST_MAX];
};

int fq_case_parse_new(struct fq_req *r, struct fq_case_body *b) FQ_WUR;

/*
 * A service request (community/field_api.c); its unit (body "unit", which
 * must lie in the caller's scope, else the caller's) is written to unit,
 * which in->unit_code points to. c is used to look the unit up.
 */
int fq_service_parse_new(struct fq_req *r, struct fq_dbc *c, struct fq_service_new *in,
			 char unit[FQ_UNIT_CODE_MAX]) FQ_WUR;

#endif
