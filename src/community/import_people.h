/*
 * Bulk import of people from CSV as stations export them (issue 5, "Data
 * in and out"; the command line is `fengqiao import people`).
 *
 * The file is CSV in UTF-8 or GB18030 (io/csv_in.h), or an xlsx workbook. The first record is the
 * header; columns by Chinese or English name (English without regard to
 * case; several Chinese spellings accepted):
 *
 *   name        姓名                      required
 *   id_number   身份证号, 身份证号码, 公民身份号码    required
 *   phone       手机号, 手机号码, 联系电话, 电话      required column, value may be empty
 *   address     住址, 现住址, 居住地址, 地址         required: the house, found or created
 *   sex         性别        optional: 男/女/M/F, checked against the ID number
 *   birth_date  出生日期    optional: YYYY-MM-DD, checked against the ID number
 *   phone2      备用电话    optional
 *   hukou       户籍地, 户籍地址  optional
 *   categories  人员类别    optional: codes or zh-CN labels separated by 、,;
 *   notes       备注        optional
 *   unit        所属单位, 网格   optional: unit code (station, post or grid) of the row
 *
 * Values may mix full- and half-width characters (NFKC folds them) and
 * carry blanks around them. Every row goes through the same validation as
 * POST /api/v1/people (registry.h), plus: an ID number twice in the file,
 * or already registered, is a bad row. Houses are matched on the
 * normalised address within the station, created when missing.
 *
 * All or nothing: when any row is bad, each is reported as
 * "line N: field: reason" (N the physical line where the record starts)
 * and nothing is written. Otherwise everything is written in one
 * transaction with one audit entry "person.import". A dry run does the
 * same work and rolls it back, so it reports every problem the real import
 * would meet. Possible duplicates (same name, birth date and house) are
 * reported as "line N: warning: ..." and do not stop the import.
 *
 * Houses (`fengqiao import houses`, options.houses): columns address
 * (地址, 住址; required), lat 纬度 and lon 经度 (WGS-84, both or neither:
 * the house is placed in its grid), use 用途/房屋用途 (code or label),
 * owner_name 房主/产权人, notes 备注, unit 所属单位/网格. Rows are
 * validated as POST /api/v1/houses validates them; the same address twice
 * in the file is a bad row; an address already registered in the station
 * stops the import at its row (reported as "line N: ..."), nothing written.
 *
 * Organisations (`fengqiao import organisations`, options.organisations):
 * columns name (单位名称, 名称, 场所名称; required), type (单位类型, 类型,
 * 场所类型, 行业类别: code or zh-CN label; required), address (地址;
 * required), uscc (统一社会信用代码; optional, validated with its check
 * character, full-width folded), lat/lon (both or neither: placed in its
 * grid), responsible_name (负责人, 法定代表人), responsible_phone
 * (负责人电话, 联系电话), employees (从业人员数: a non-negative integer),
 * notes, unit. Rows are validated as POST /api/v1/organisations validates
 * them; a code twice in the file or already registered is a bad row.
 *
 * xlsx: a file that starts as a zip archive is read as an xlsx workbook
 * (io/xlsx_in.h: the first sheet, its first non-empty row the header) and
 * goes through the same steps; "line N" then names the sheet's row N.
 *
 * Not thread-safe: one import at a time per process.
 */
#ifndef FQ_COMMUNITY_IMPORT_PEOPLE_H
#define FQ_COMMUNITY_IMPORT_PEOPLE_H

#include <stddef.h>
#include <stdio.h>

#include "core/err.h"
#include "db/db.h"

/* Largest file accepted (bytes) and most data rows. */
#define FQ_PEOPLE_IMPORT_FILE_MAX (512u * 1024u * 1024u)
#define FQ_PEOPLE_IMPORT_ROWS_MAX 2000000u

struct fq_people_import_options {
	const char *unit;  /* default unit of rows; NULL: the station (the first by code) */
	int dry_run;	   /* check and roll back */
	const char *actor; /* audit actor ("cli:<user>") */
	FILE *errors;	   /* bad rows and warnings; NULL: stderr */
	int houses;	   /* the file holds houses (import houses), see below */
	int organisations; /* the file holds organisations (import organisations) */
};

struct fq_people_import_summary {
	const char *encoding;
	size_t rows, bad_rows, people, houses_created, houses_matched, warnings, organisations;
	double seconds;
};

/*
 * Import the file at path. Returns 0, FQ_EINVAL (bad rows, header or
 * encoding; err says which), FQ_ETOOBIG, FQ_EIO, or a storage error; on
 * any error nothing is written.
 */
int fq_people_import_file(struct fq_db *db, const char *path,
			  const struct fq_people_import_options *opt,
			  struct fq_people_import_summary *sum, struct fq_err *err) FQ_WUR;

/* The command `fengqiao import people ...`; returns the exit code. */
int fq_cmd_import_people(int argc, char **argv);

#endif
