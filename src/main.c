/* fengqiao: subcommand dispatch only. */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "command/alert.h"
#include "command/alert_import.h"
#include "command/dispatch.h"
#include "command/incident_export.h"
#include "command/intake.h"
#include "cases/fraud_import.h"
#include "community/import_people.h"
#include "community/placement.h"
#include "core/err.h"
#include "core/json.h"
#include "core/log.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "db/db.h"
#include "demo/demo.h"
#include "demo/demo_alerts.h"
#include "demo/demo_people.h"
#include "http/audit.h"
#include "http/server.h"
#include "org/password.h"
#include "org/units.h"
#include "org/users.h"
#include "community/card_render.h"
#include "core/banned.h"

const char *fq_version(void);

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: fengqiao COMMAND [options]\n"
	    "\n"
	    "commands:\n"
	    "  serve   --db FILE [--listen HOST:PORT] [--threads N] [--max-connections N]\n"
	    "          [--cookie-secure] [--trust-proxy] [--tile-url URL]\n"
	    "          [--dispatch-config FILE.json]  travel-time model and the time after which\n"
	    "          an unacknowledged dispatch is raised (docs/dispatch.md)\n"
	    "          [--public-url URL]\n"
	    "  demo    --db FILE [--seed N] [--alerts FILE.csv]  a demo jurisdiction and users;\n"
	    "          --alerts: also a year of labelled alerts, written to FILE.csv and imported\n"
	    "          --registry full|small|none: the town's people, houses, venues (default\n"
	    "          full: 97,656 people; small: 1 %%, for tests)\n"
	    "  migrate --db FILE                     apply schema migrations\n"
	    "  backup  --db FILE DEST                consistent online copy to DEST\n"
	    "  unit    add --db FILE --code CODE --name NAME --kind KIND [--parent CODE]\n"
	    "          [--lat N --lon N] [--boundary FILE.geojson]\n"
	    "  user    add|passwd|roles|unit|disable|enable|list --db FILE [options]\n"
	    "  audit   verify --db FILE [--anchor SEQ:HASH]  check the audit log's hash chain\n"
	    "  import  alerts --db FILE FILE.csv [--unit CODE] [--dry-run]  historical alerts\n"
	    "  export  incidents --db FILE --unit CODE [--from DATE] [--to DATE] [--state S]\n"
	    "          --format csv|xlsx --out FILE [--full-phones]  incidents to a new file\n"
	    "  import  fraud-warnings --db FILE FILE.csv [--unit CODE] [--dry-run]  anti-fraud "
	    "warnings\n"
	    "  import  people|houses --db FILE [--dry-run] [--unit CODE] FILE.csv  registries\n"
	    "  import  organisations --db FILE [--dry-run] [--unit CODE] FILE.csv|FILE.xlsx\n"
	    "          (the registry imports also read the first sheet of an xlsx workbook)\n"
	    "  version\n");
}

static int fail(const struct fq_err *err)
{
	fprintf(stderr, "fengqiao: %s%s%s%s\n", err->message, err->field[0] ? " [" : "", err->field,
		err->field[0] ? "]" : "");
	return 1;
}

enum {
	OPT_DB = 1000,
	OPT_LISTEN,
	OPT_THREADS,
	OPT_MAXCONN,
	OPT_COOKIE_SECURE,
	OPT_TRUST_PROXY,
	OPT_TILE_URL,
	OPT_SEED,
	OPT_USERNAME,
	OPT_NAME,
	OPT_UNIT,
	OPT_ROLES,
	OPT_CODE,
	OPT_KIND,
	OPT_PARENT,
	OPT_LAT,
	OPT_LON,
	OPT_BOUNDARY,
	OPT_ANCHOR,
	OPT_ALERTS,
	OPT_DISPATCH_CONFIG,
	OPT_PUBLIC_URL,
	OPT_REGISTRY,
};

static const struct option long_opts[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"max-connections", required_argument, NULL, OPT_MAXCONN},
    {"cookie-secure", no_argument, NULL, OPT_COOKIE_SECURE},
    {"trust-proxy", no_argument, NULL, OPT_TRUST_PROXY},
    {"tile-url", required_argument, NULL, OPT_TILE_URL},
    {"seed", required_argument, NULL, OPT_SEED},
    {"username", required_argument, NULL, OPT_USERNAME},
    {"name", required_argument, NULL, OPT_NAME},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"roles", required_argument, NULL, OPT_ROLES},
    {"code", required_argument, NULL, OPT_CODE},
    {"kind", required_argument, NULL, OPT_KIND},
    {"parent", required_argument, NULL, OPT_PARENT},
    {"lat", required_argument, NULL, OPT_LAT},
    {"lon", required_argument, NULL, OPT_LON},
    {"boundary", required_argument, NULL, OPT_BOUNDARY},
    {"anchor", required_argument, NULL, OPT_ANCHOR},
    {"alerts", required_argument, NULL, OPT_ALERTS},
    {"dispatch-config", required_argument, NULL, OPT_DISPATCH_CONFIG},
    {"public-url", required_argument, NULL, OPT_PUBLIC_URL},
    {"registry", required_argument, NULL, OPT_REGISTRY},
    {NULL, 0, NULL, 0},
};

struct opts {
	const char *db;
	const char *listen;
	const char *tile_url;
	const char *public_url;
	const char *username;
	const char *name;
	const char *unit;
	const char *roles;
	const char *code, *kind, *parent, *boundary, *anchor, *alerts;
	const char *dispatch_config;
	double lat, lon;
	int has_lat, has_lon;
	long threads, max_conn;
	unsigned long long seed;
	int cookie_secure, trust_proxy;
	int nargs;
	char **args;
};

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int c;
	long v;

	memset(o, 0, sizeof(*o));
	o->seed = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			o->db = optarg;
			break;
		case OPT_LISTEN:
			o->listen = optarg;
			break;
		case OPT_THREADS:
			if (parse_long(optarg, 1, 256, &o->threads))
				goto bad;
			break;
		case OPT_MAXCONN:
			if (parse_long(optarg, 1, 100000, &o->max_conn))
				goto bad;
			break;
		case OPT_COOKIE_SECURE:
			o->cookie_secure = 1;
			break;
		case OPT_TRUST_PROXY:
			o->trust_proxy = 1;
			break;
		case OPT_TILE_URL:
			o->tile_url = optarg;
			break;
		case OPT_PUBLIC_URL:
			if (strncmp(optarg, "http://", 7) != 0 &&
			    strncmp(optarg, "https://", 8) != 0) {
				fprintf(
				    stderr,
				    "fengqiao: --public-url must start with http:// or https://\n");
				return -1;
			}
			o->public_url = optarg;
			break;
		case OPT_SEED:
			if (parse_long(optarg, 0, 2147483647L, &v))
				goto bad;
			o->seed = (unsigned long long)v;
			break;
		case OPT_USERNAME:
			o->username = optarg;
			break;
		case OPT_NAME:
			o->name = optarg;
			break;
		case OPT_UNIT:
			o->unit = optarg;
			break;
		case OPT_ROLES:
			o->roles = optarg;
			break;
		case OPT_CODE:
			o->code = optarg;
			break;
		case OPT_KIND:
			o->kind = optarg;
			break;
		case OPT_PARENT:
			o->parent = optarg;
			break;
		case OPT_BOUNDARY:
			o->boundary = optarg;
			break;
		case OPT_ANCHOR:
			o->anchor = optarg;
			break;
		case OPT_DISPATCH_CONFIG:
			o->dispatch_config = optarg;
			break;
		case OPT_ALERTS:
			o->alerts = optarg;
			break;
		case OPT_REGISTRY:
			if (fq_demo_set_registry(optarg) != 0) {
				fprintf(stderr, "fengqiao: --registry: full, small or none\n");
				return -1;
			}
			break;
		case OPT_LAT:
		case OPT_LON: {
			char *end;
			double d = strtod(optarg, &end);
			if (!*optarg || *end)
				goto bad;
			if (c == OPT_LAT) {
				o->lat = d;
				o->has_lat = 1;
			} else {
				o->lon = d;
				o->has_lon = 1;
			}
			break;
		}
		default:
			usage(stderr);
			return -1;
		}
	}
	o->nargs = argc - optind;
	o->args = argv + optind;
	return 0;
bad:
	fprintf(stderr, "fengqiao: bad value for an option: %s\n", optarg);
	return -1;
}

static int open_store(const struct opts *o, int migrate, int read_only, struct fq_db **db)
{
	struct fq_db_options dbo = {.read_only = read_only};
	struct fq_err err = FQ_ERR_INIT;
	int applied;

	if (!o->db) {
		fprintf(stderr, "fengqiao: --db FILE is required\n");
		return -1;
	}
	if (fq_db_open(o->db, &dbo, db, &err))
		return fail(&err) ? -1 : -1;
	if (migrate && fq_db_migrate(*db, &applied, &err)) {
		fq_db_close(*db);
		*db = NULL;
		return fail(&err) ? -1 : -1;
	}
	return 0;
}

/*
 * Read the dispatch configuration of `serve --dispatch-config FILE`: a JSON
 * object {"unacknowledged_s": N, "eta": {...}} where both members are
 * optional and "eta" has the shape fq_eta_config_from_json reads. Every
 * refusal names the field; nothing is applied unless all of it is valid.
 */
static int load_dispatch_config(const char *path, struct fq_err *err)
{
	static const char *const keys[] = {"unacknowledged_s", "eta", NULL};
	struct fq_dispatch_config cfg;
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je), *eta;
	int rc;

	if (!doc)
		return fq_err_set(err, FQ_EINVAL, "invalid_json", NULL, "%s:%d: %s", path, je.line,
				  je.text);
	fq_dispatch_config_get(&cfg);
	if (!json_is_object(doc))
		rc = fq_err_set(err, FQ_EINVAL, "invalid_type", NULL, "%s: 应为 JSON 对象", path);
	else if (!(rc = fq_json_only_keys(doc, keys, err)) &&
		 !(rc = fq_json_get_int(doc, "unacknowledged_s", FQ_JSON_OPTIONAL, 0,
					FQ_DISPATCH_UNACK_MAX_S, &cfg.unacknowledged_s, NULL,
					err)) &&
		 (eta = json_object_get(doc, "eta")))
		rc = fq_eta_config_from_json(&cfg.eta, eta, err);
	if (!rc)
		rc = fq_dispatch_config_set(&cfg, err);
	json_decref(doc);
	return rc;
}

/*
 * The intake's group committer; FQ_INTAKE_GROUP=N (1..256) sets the alerts per
 * transaction (1: group commit off, the baseline of bench/intake.sh);
 * FQ_INTAKE_PIPELINE=0 syncs inside each COMMIT instead of beside the next group.
 */
static int intake_start(struct fq_db *db, struct fq_err *err)
{
	struct fq_intake_options io = {0};
	const char *g = getenv("FQ_INTAKE_GROUP");
	const char *p = getenv("FQ_INTAKE_PIPELINE");
	long n;

	if (p && *p) {
		if (strcmp(p, "0") != 0 && strcmp(p, "1") != 0)
			return fq_err_set(err, FQ_EINVAL, "invalid_value", "FQ_INTAKE_PIPELINE",
					  "FQ_INTAKE_PIPELINE must be 0 or 1");
		io.no_pipeline = strcmp(p, "0") == 0;
	}

	if (g && *g) {
		if (parse_long(g, 1, FQ_INTAKE_GROUP_MAX, &n))
			return fq_err_set(err, FQ_EINVAL, "invalid_value", "FQ_INTAKE_GROUP",
					  "FQ_INTAKE_GROUP must be 1..%d", FQ_INTAKE_GROUP_MAX);
		io.max_group = (int)n;
	}
	return fq_intake_start(db, &io, err);
}

static int cmd_serve(const struct opts *o)
{
	struct fq_server_config cfg = {0};
	struct fq_err err = FQ_ERR_INIT;
	char host[64] = "127.0.0.1";
	struct fq_db *db;
	long port = 8080;
	int rc;

	if (o->listen) {
		const char *colon = strrchr(o->listen, ':');
		size_t n = colon ? (size_t)(colon - o->listen) : 0;
		if (!colon || n == 0 || n >= sizeof(host) ||
		    parse_long(colon + 1, 1, 65535, &port)) {
			fprintf(stderr,
				"fengqiao: --listen wants HOST:PORT, e.g. 127.0.0.1:8080\n");
			return 2;
		}
		memcpy(host, o->listen, n);
		host[n] = '\0';
	}
	cfg.host = host;
	cfg.port = (int)port;
	cfg.threads = (int)o->threads;
	cfg.max_connections = (int)o->max_conn;
	cfg.cookie_secure = o->cookie_secure;
	cfg.trust_proxy = o->trust_proxy;
	cfg.tile_url = o->tile_url;
	if (o->dispatch_config && load_dispatch_config(o->dispatch_config, &err))
		return fail(&err);
	cfg.public_url = o->public_url;
	if (open_store(o, 1, 0, &db))
		return 1;
	if (fq_alert_engine_start(db, &err)) {
		fq_db_close(db);
		return fail(&err);
	}
	if (intake_start(db, &err)) {
		fq_alert_engine_stop();
		fq_db_close(db);
		return fail(&err);
	}
	rc = fq_server_run(db, &cfg, &err);
	fq_intake_stop(); /* commits what is still queued */
	fq_alert_engine_stop();
	fq_card_render_cleanup();
	fq_place_cleanup();
	fq_db_close(db);
	if (rc)
		return fail(&err);
	return 0;
}

static int cmd_migrate(const struct opts *o)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_db *db;
	int applied = 0;

	if (open_store(o, 0, 0, &db))
		return 1;
	if (fq_db_migrate(db, &applied, &err)) {
		fq_db_close(db);
		return fail(&err);
	}
	printf("schema version %d (%d migration%s applied)\n", fq_db_schema_version(db, &err),
	       applied, applied == 1 ? "" : "s");
	fq_db_close(db);
	return 0;
}

static int cmd_backup(const struct opts *o)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_db *db;
	int rc;

	if (o->nargs != 1) {
		fprintf(stderr, "usage: fengqiao backup --db FILE DEST\n");
		return 2;
	}
	if (open_store(o, 0, 1, &db))
		return 1;
	rc = fq_db_backup(db, o->args[0], &err);
	fq_db_close(db);
	if (rc)
		return fail(&err);
	printf("backup written to %s\n", o->args[0]);
	return 0;
}

static int cmd_audit(const struct opts *o)
{
	struct fq_audit_report rep;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_db *db;
	long long anchor_seq = 0;
	char anchor_hash[65] = "";
	int rc;

	if (o->nargs != 1 || strcmp(o->args[0], "verify") != 0) {
		fprintf(stderr, "usage: fengqiao audit verify --db FILE [--anchor SEQ:HASH]\n");
		return 2;
	}
	if (o->anchor) {
		const char *colon = strchr(o->anchor, ':');
		char *end;
		anchor_seq = strtoll(o->anchor, &end, 10);
		if (!colon || end != colon || anchor_seq <= 0 || strlen(colon + 1) != 64) {
			fprintf(stderr, "fengqiao: --anchor wants SEQ:HASH (64 hex digits), as the "
					"server logs it\n");
			return 2;
		}
		memcpy(anchor_hash, colon + 1, 65);
	}
	if (open_store(o, 0, 1, &db))
		return 1;
	rc = fq_audit_verify(db, anchor_seq, o->anchor ? anchor_hash : NULL, &rep, &err);
	fq_db_close(db);
	if (rc == FQ_ECONFLICT) {
		printf("audit log TAMPERED: %s (after %lld entries checked)\n", rep.problem,
		       (long long)rep.entries);
		return 3;
	}
	if (rc)
		return fail(&err);
	printf("audit log intact: %lld entries, head %lld:%s\n", (long long)rep.entries,
	       (long long)rep.entries, rep.head_hash);
	return 0;
}

/* Read a password: prompt twice without echo on a terminal, else one line of stdin. */
static int read_password(char *buf, size_t cap)
{
	int tty = isatty(STDIN_FILENO);
	struct termios old, quiet;
	char again[FQ_PASSWORD_MAX_BYTES + 2];
	size_t n;

	if (tty) {
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		fprintf(stderr, "密码: ");
	}
	if (!fgets(buf, (int)cap, stdin))
		buf[0] = '\0';
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	if (tty) {
		fprintf(stderr, "\n再次输入: ");
		if (!fgets(again, sizeof(again), stdin))
			again[0] = '\0';
		again[strcspn(again, "\r\n")] = '\0';
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
		if (strcmp(again, buf) != 0) {
			fprintf(stderr, "fengqiao: the two passwords differ\n");
			return -1;
		}
	}
	return buf[0] ? 0 : -1;
}

/* The person at the terminal: the sudo caller when run through sudo. */
static void cli_actor(char *out, size_t cap)
{
	const char *sudo_user = getenv("SUDO_USER");
	struct passwd *pw = getpwuid(getuid());
	if (sudo_user && *sudo_user)
		snprintf(out, cap, "cli:%s", sudo_user);
	else
		snprintf(out, cap, "cli:%s", pw ? pw->pw_name : "unknown");
}

static int cmd_user(const struct opts *o)
{
	struct fq_err err = FQ_ERR_INIT;
	char password[FQ_PASSWORD_MAX_BYTES + 2];
	char actor[64];
	struct fq_audit_entry e = {0};
	struct fq_user u;
	struct fq_dbc *c;
	struct fq_db *db;
	const char *sub = o->nargs ? o->args[0] : "";
	const char *what = NULL;
	int rc = 0;

	if (!*sub) {
		fprintf(
		    stderr,
		    "usage: fengqiao user add|passwd|roles|unit|disable|enable|list --db FILE\n");
		return 2;
	}
	if (strcmp(sub, "list") != 0 && !o->username) {
		fprintf(stderr, "fengqiao: --username is required\n");
		return 2;
	}
	if ((strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0) &&
	    read_password(password, sizeof(password))) {
		fprintf(stderr, "fengqiao: a password is required on standard input\n");
		return 2;
	}
	if (open_store(o, 1, 0, &db))
		return 1;
	cli_actor(actor, sizeof(actor));
	c = fq_db_acquire(db);
	if (strcmp(sub, "list") == 0) {
		struct fq_user_query q = {
		    .scope_path = "/", .page = 1, .per_page = 200, .sort = "unit"};
		json_t *out = NULL, *it;
		size_t i;
		rc = fq_user_list(c, &q, &out, &err);
		if (!rc) {
			json_array_foreach(json_object_get(out, "items"), i, it)
			{
				char *roles =
				    json_dumps(json_object_get(it, "roles"), JSON_COMPACT);
				printf("%-20s %-12s %-16s %s%s\n",
				       json_string_value(json_object_get(it, "username")),
				       json_string_value(
					   json_object_get(json_object_get(it, "unit"), "code")),
				       json_string_value(json_object_get(it, "display_name")),
				       roles,
				       json_is_true(json_object_get(it, "disabled")) ? " (disabled)"
										     : "");
				free(roles);
			}
			json_decref(out);
		}
		goto out;
	}
	rc = fq_dbc_begin(c, 1, &err);
	if (rc)
		goto out;
	if (strcmp(sub, "add") == 0) {
		struct fq_user_new in = {.username = o->username,
					 .display_name = o->name ? o->name : o->username,
					 .password = password,
					 .unit_code = o->unit};
		if (!o->roles || !o->unit) {
			rc = fq_err_set(&err, FQ_EINVAL, "missing_field",
					!o->unit ? "unit" : "roles",
					"--unit and --roles are required");
			goto out_rollback;
		}
		if ((rc = fq_roles_parse_csv(o->roles, &in.roles, "roles", &err)))
			goto out_rollback;
		rc = fq_user_create(c, &in, NULL, &u, &err);
		what = "user.create";
	} else {
		rc = fq_user_load_by_name(c, o->username, &u, NULL, 0, &err);
		if (rc)
			goto out_rollback;
		if (strcmp(sub, "passwd") == 0) {
			rc = fq_user_set_password(c, u.id, password, "password", NULL, &err);
			what = "user.password_reset";
		} else if (strcmp(sub, "roles") == 0 || strcmp(sub, "unit") == 0 ||
			   strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) {
			struct fq_user_patch p = {0};
			if (strcmp(sub, "roles") == 0) {
				if (!o->roles) {
					rc = fq_err_set(&err, FQ_EINVAL, "missing_field", "roles",
							"--roles is required");
					goto out_rollback;
				}
				if ((rc = fq_roles_parse_csv(o->roles, &p.roles, "roles", &err)))
					goto out_rollback;
				p.set_roles = 1;
				what = "user.update";
			} else if (strcmp(sub, "unit") == 0) {
				if (!o->unit) {
					rc = fq_err_set(&err, FQ_EINVAL, "missing_field", "unit",
							"--unit is required");
					goto out_rollback;
				}
				p.unit_code = o->unit;
				what = "user.update";
			} else {
				p.set_disabled = 1;
				p.disabled = strcmp(sub, "disable") == 0;
				what = p.disabled ? "user.disable" : "user.enable";
			}
			rc = fq_user_update(c, u.id, &p, NULL, &u, &err);
		} else {
			rc = fq_err_set(&err, FQ_EINVAL, "unknown_command", NULL,
					"unknown user command: %s", sub);
		}
	}
	if (rc)
		goto out_rollback;
	e.username = actor;
	e.action = what;
	e.object_type = "user";
	e.object_id = u.id;
	e.client = "cli";
	e.outcome = "ok";
	rc = fq_audit_append(c, &e, fq_now_ms(), NULL, &err);
	if (rc)
		goto out_rollback;
	rc = fq_dbc_commit(c, &err);
	if (!rc)
		printf("%s: %s (%s)\n", what, u.username, u.unit_code);
	goto out;
out_rollback:
	fq_dbc_rollback(c);
out:
	fq_db_release(db, c);
	fq_db_close(db);
	memset(password, 0, sizeof(password));
	return rc ? fail(&err) : 0;
}

static char *read_file(const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(max + 1);
	n = buf ? fread(buf, 1, max + 1, f) : 0;
	fclose(f);
	if (!buf || n > max) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static int cmd_unit(const struct opts *o)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_unit_new u = {0};
	struct fq_audit_entry e = {0};
	char actor[64];
	char *boundary = NULL;
	struct fq_dbc *c;
	struct fq_db *db;
	int rc;

	if (o->nargs != 1 || strcmp(o->args[0], "add") != 0) {
		fprintf(stderr, "usage: fengqiao unit add --db FILE --code CODE --name 名称 --kind "
				"city|branch|station|post|grid [--parent CODE] [--lat N --lon N] "
				"[--boundary FILE.geojson]\n");
		return 2;
	}
	if (o->has_lat != o->has_lon) {
		fprintf(stderr, "fengqiao: --lat and --lon go together\n");
		return 2;
	}
	if (o->boundary && !(boundary = read_file(o->boundary, 8u << 20))) {
		fprintf(stderr, "fengqiao: cannot read %s (or larger than 8 MiB)\n", o->boundary);
		return 1;
	}
	u.code = o->code;
	u.name = o->name;
	u.kind = o->kind;
	u.parent = o->parent;
	u.has_centroid = o->has_lat;
	u.lat = o->lat;
	u.lon = o->lon;
	u.boundary_geojson = boundary;
	if (open_store(o, 1, 0, &db)) {
		free(boundary);
		return 1;
	}
	cli_actor(actor, sizeof(actor));
	c = fq_db_acquire(db);
	rc = fq_dbc_begin(c, 1, &err);
	if (!rc) {
		rc = fq_unit_create(c, &u, &err);
		e.username = actor;
		e.action = "unit.create";
		e.object_type = "unit";
		e.object_id = o->code;
		e.client = "cli";
		e.outcome = "ok";
		if (!rc)
			rc = fq_audit_append(c, &e, fq_now_ms(), NULL, &err);
		if (!rc)
			rc = fq_dbc_commit(c, &err);
		else
			fq_dbc_rollback(c);
	}
	fq_db_release(db, c);
	fq_db_close(db);
	free(boundary);
	if (rc)
		return fail(&err);
	printf("unit.create: %s %s (%s)\n", o->code, o->name, o->kind);
	return 0;
}

static int cmd_demo(const struct opts *o)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_db *db;
	int rc;

	if (open_store(o, 1, 0, &db))
		return 1;
	rc = fq_demo_build(db, o->seed, stdout, &err);
	if (!rc && o->alerts)
		rc = fq_demo_alerts_import(db, o->seed, fq_now_ms(), o->alerts, stdout, &err);
	fq_db_close(db);
	return rc ? fail(&err) : 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	const char *cmd;
	struct fq_err err = FQ_ERR_INIT;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("fengqiao %s (schema %d)\n", fq_version(), fq_db_schema_latest());
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (fq_uuid_global_init() || fq_password_global_init() || fq_text_global_init()) {
		fprintf(stderr, "fengqiao: initialisation failed %s\n", err.message);
		return 1;
	}
	if (strcmp(cmd, "import") == 0 && argc > 2 &&
	    (strcmp(argv[2], "people") == 0 || strcmp(argv[2], "houses") == 0))
		return fq_cmd_import_people(argc - 1, argv + 1);
	if (strcmp(cmd, "import") == 0 && argc > 2 && strcmp(argv[2], "organisations") == 0)
		return fq_cmd_import_people(argc - 1, argv + 1);
	if (strcmp(cmd, "import") == 0)
		for (int i = 2; i < argc; i++)
			if (strcmp(argv[i], "fraud-warnings") == 0)
				return fq_cmd_import_fraud_warnings(argc - 1, argv + 1);
	if (strcmp(cmd, "import") == 0)
		return fq_cmd_import_alerts(argc - 1, argv + 1);
	if (strcmp(cmd, "export") == 0)
		return fq_cmd_export_incidents(argc - 1, argv + 1);
	if (parse_opts(argc - 1, argv + 1, &o))
		return 2;
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(&o);
	if (strcmp(cmd, "demo") == 0)
		return cmd_demo(&o);
	if (strcmp(cmd, "migrate") == 0)
		return cmd_migrate(&o);
	if (strcmp(cmd, "backup") == 0)
		return cmd_backup(&o);
	if (strcmp(cmd, "user") == 0)
		return cmd_user(&o);
	if (strcmp(cmd, "audit") == 0)
		return cmd_audit(&o);
	if (strcmp(cmd, "unit") == 0)
		return cmd_unit(&o);
	fprintf(stderr, "fengqiao: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
