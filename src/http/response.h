/*
 * Mapping of FQ_E* codes to HTTP statuses and the JSON error body; the one
 * table of the project (STYLE.md rule 4).
 */
#ifndef FQ_HTTP_RESPONSE_H
#define FQ_HTTP_RESPONSE_H

#include <jansson.h>

#include "core/err.h"

int fq_http_status_for(int code, const char *machine);
/* {"error":{"code","message","field"?}}; internals never leak for 5xx. */
json_t *fq_http_error_body(const struct fq_err *err, int status);

#endif
