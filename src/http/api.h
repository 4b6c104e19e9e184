/*
 * The route tables of every capability. Each *_api.c exports one
 * NULL-terminated table; http/routes.c lists the tables. Handlers include
 * this header.
 */
#ifndef FQ_HTTP_API_H
#define FQ_HTTP_API_H

#include "http/request.h"
#include "http/router.h"

extern const struct fq_route fq_session_routes[];
extern const struct fq_route fq_system_routes[];
extern const struct fq_route fq_unit_routes[];
extern const struct fq_route fq_user_routes[];
extern const struct fq_route fq_command_routes[];
extern const struct fq_route fq_directive_routes[];
extern const struct fq_route fq_dispatch_routes[];
extern const struct fq_route fq_event_routes[];
extern const struct fq_route fq_incident_merge_routes[];
extern const struct fq_route fq_field_routes[];
extern const struct fq_route fq_dispute_routes[];
extern const struct fq_route fq_case_routes[];
extern const struct fq_route fq_fraud_routes[];
extern const struct fq_route fq_reception_routes[];
extern const struct fq_route fq_community_routes[];
extern const struct fq_route fq_visit_routes[];
extern const struct fq_route fq_inspection_routes[];
extern const struct fq_route fq_volunteer_routes[];
extern const struct fq_route fq_school_routes[];
extern const struct fq_route fq_grid_routes[];

#endif
