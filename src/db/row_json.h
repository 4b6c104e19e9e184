/*
 * Columns of a result row as JSON values, for the *_json functions of every
 * capability: SQL NULL becomes JSON null. Times are UTC milliseconds in the
 * store and RFC 3339 in China Standard Time (+08:00) in the API.
 */
#ifndef FQ_DB_ROW_JSON_H
#define FQ_DB_ROW_JSON_H

#include <jansson.h>

#include "db/db.h"

json_t *fq_row_text(struct fq_stmt *st, int col);
json_t *fq_row_int(struct fq_stmt *st, int col);
json_t *fq_row_real(struct fq_stmt *st, int col);
json_t *fq_row_bool(struct fq_stmt *st, int col);
json_t *fq_row_time(struct fq_stmt *st, int col);

/* The answer of a paged list, {"items","total","page","per_page"}; takes items. */
json_t *fq_page_json(json_t *items, int64_t total, int64_t page, int64_t per_page);

#endif
