/*
 * Export of incidents to CSV and xlsx (docs/export.md), for the API
 * (GET /api/v1/incidents/export) and the CLI (fengqiao export incidents).
 *
 * The rows are those of fq_incident_list for the same struct
 * fq_incident_query (the same filters, newest first), all of them rather
 * than one page. One row per incident, with zh-CN headers: number, times,
 * category and subcategory labels, state, place, the first caller's name
 * and phone, the number of alerts, the first dispatch and arrival, the
 * disposal and the close (fq_incident_export_headers lists them).
 *
 * The files are written by io/table_out.h (CSV with a byte order mark,
 * CRLF, RFC 4180 quoting and a formula-injection guard; xlsx with a bold
 * frozen header and real date-times), one sheet "警情".
 */
#ifndef FQ_COMMAND_INCIDENT_EXPORT_H
#define FQ_COMMAND_INCIDENT_EXPORT_H

#include <stddef.h>

#include "command/incident.h"
#include "core/err.h"
#include "db/db.h"
#include "io/table_out.h"

/* Rows an export may hold; beyond, FQ_EUNPROC. */
#define FQ_EXPORT_MAX_ROWS 100000

/* The zh-CN column headers, NULL-terminated, in column order. */
extern const char *const fq_incident_export_headers[];

/*
 * Export the incidents of q (its page and per_page are ignored) in format
 * f. mask_phones masks callers' phones as the API's JSON does. On success
 * *data receives a malloc'd buffer of *len bytes (the caller frees it) and
 * *rows the number of incidents in it. Errors: FQ_EINVAL (a filter, named),
 * FQ_EUNPROC ("too_many_rows") when more than max_rows incidents match,
 * FQ_EDB, FQ_EIO (xlsx: the temporary file), FQ_ENOMEM.
 */
int fq_incident_export(struct fq_dbc *c, const struct fq_incident_query *q, enum fq_export_format f,
		       int mask_phones, size_t max_rows, char **data, size_t *len, size_t *rows,
		       struct fq_err *err) FQ_WUR;

/* The command `fengqiao export incidents ...` (incident_export_cli.c); returns the exit code. */
int fq_cmd_export_incidents(int argc, char **argv);

#endif
