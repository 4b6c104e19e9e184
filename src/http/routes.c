#include "http/router.h"

#include "http/api.h"
#include "core/banned.h"

/* One table per line, so capabilities add theirs without touching the others. */
/* clang-format off */
const struct fq_route *const fq_route_tables[] = {
    fq_system_routes,
    fq_session_routes,
    fq_unit_routes,
    fq_user_routes,
    fq_command_routes,
    fq_incident_merge_routes,
    fq_directive_routes,
    fq_dispatch_routes,
    fq_event_routes,
    fq_field_routes,
    fq_dispute_routes,
    fq_case_routes,
    fq_fraud_routes,
    fq_reception_routes,
    fq_community_routes,
    fq_visit_routes,
    fq_inspection_routes,
    fq_volunteer_routes,
    fq_school_routes,
    fq_grid_routes,
    NULL,
};
/* clang-format on */
