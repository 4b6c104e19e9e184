/*
 * Export of the registries (people, houses, organisations) to CSV and xlsx
 * (issue 5, "Data in and out"): GET /api/v1/people/export,
 * /api/v1/houses/export and /api/v1/organisations/export.
 *
 * The rows are those of fq_person_list / fq_house_list / fq_org_list for
 * the same query (filters, search, sort), all pages rather than one, and
 * each row is built from the list's JSON item under the same view: what is
 * masked in the list (ID numbers, phones, addresses for roles without
 * address.read, the concern category) is masked in the file, so an export
 * never shows more than the list does. Files are written by io/table_out.h
 * with zh-CN headers (fq_person_export_columns etc. list them).
 *
 * Errors: those of the list (FQ_EINVAL naming the filter), FQ_EUNPROC
 * ("too_many_rows") when more than max_rows records match, and the
 * writer's. On success *data (malloc'd; the caller frees it), *len and
 * *rows are set.
 */
#ifndef FQ_COMMUNITY_REGISTRY_EXPORT_H
#define FQ_COMMUNITY_REGISTRY_EXPORT_H

#include <stddef.h>

#include "community/registry.h"
#include "io/table_out.h"

/* Rows an export may hold; beyond, FQ_EUNPROC. */
#define FQ_REGISTRY_EXPORT_MAX_ROWS 200000

extern const struct fq_table_column fq_person_export_columns[];
extern const struct fq_table_column fq_house_export_columns[];
extern const struct fq_table_column fq_org_export_columns[];

int fq_person_export(struct fq_dbc *c, const struct fq_person_query *q,
		     const struct fq_registry_view *v, enum fq_export_format f, size_t max_rows,
		     char **data, size_t *len, size_t *rows, struct fq_err *err) FQ_WUR;
int fq_house_export(struct fq_dbc *c, const struct fq_house_query *q,
		    const struct fq_registry_view *v, enum fq_export_format f, size_t max_rows,
		    char **data, size_t *len, size_t *rows, struct fq_err *err) FQ_WUR;
int fq_org_export(struct fq_dbc *c, const struct fq_org_query *q, const struct fq_registry_view *v,
		  enum fq_export_format f, size_t max_rows, char **data, size_t *len, size_t *rows,
		  struct fq_err *err) FQ_WUR;

#endif
