#include "db/row_json.h"

#include "core/timeutil.h"
#include "core/banned.h"

json_t *fq_row_text(struct fq_stmt *st, int col)
{
	return fq_stmt_is_null(st, col) ? json_null() : json_string(fq_stmt_text(st, col));
}

json_t *fq_row_int(struct fq_stmt *st, int col)
{
	return fq_stmt_is_null(st, col) ? json_null() : json_integer(fq_stmt_int(st, col));
}

json_t *fq_row_real(struct fq_stmt *st, int col)
{
	return fq_stmt_is_null(st, col) ? json_null() : json_real(fq_stmt_double(st, col));
}

json_t *fq_row_bool(struct fq_stmt *st, int col)
{
	return fq_stmt_is_null(st, col) ? json_null() : json_boolean(fq_stmt_int(st, col) != 0);
}

json_t *fq_row_time(struct fq_stmt *st, int col)
{
	char at[FQ_RFC3339_MAX];

	if (fq_stmt_is_null(st, col))
		return json_null();
	fq_time_format_cst(fq_stmt_int(st, col), at);
	return json_string(at);
}

json_t *fq_page_json(json_t *items, int64_t total, int64_t page, int64_t per_page)
{
	return json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total, "page",
			 (json_int_t)page, "per_page", (json_int_t)per_page);
}
