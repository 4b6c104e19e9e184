-- Foundation: units of the hierarchy, users and roles, sessions, the audit
-- log and settings. Times are UTC milliseconds; ids are UUIDv7 text.

CREATE TABLE unit (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('city', 'branch', 'station', 'post', 'grid')),
	parent TEXT REFERENCES unit(code),
	-- ancestors and self, e.g. '/330600/330681/330681510000/': scope is a prefix test
	path TEXT NOT NULL UNIQUE,
	centroid_lat REAL,
	centroid_lon REAL,
	boundary TEXT, -- GeoJSON geometry (WGS-84)
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX unit_parent ON unit(parent);

CREATE TABLE app_user (
	id TEXT PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	unit_code TEXT NOT NULL REFERENCES unit(code),
	phone TEXT,
	disabled INTEGER NOT NULL DEFAULT 0,
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until INTEGER NOT NULL DEFAULT 0,
	sessions_revoked_at INTEGER NOT NULL DEFAULT 0,
	last_login_at INTEGER,
	password_changed_at INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	created_by TEXT,
	updated_at INTEGER NOT NULL,
	updated_by TEXT,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX app_user_unit ON app_user(unit_code);

CREATE TABLE user_role (
	user_id TEXT NOT NULL REFERENCES app_user(id),
	role TEXT NOT NULL CHECK (role IN ('admin', 'chief', 'operator', 'community_officer',
		'case_officer', 'auxiliary', 'grid_worker', 'volunteer', 'analyst', 'auditor')),
	PRIMARY KEY (user_id, role)
);

-- Sessions: only the SHA-256 of the token is stored.
CREATE TABLE user_session (
	token_hash TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES app_user(id),
	csrf_token TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	client TEXT
);
CREATE INDEX user_session_user ON user_session(user_id);

-- Append-only, hash-chained audit log (see src/http/audit.h).
CREATE TABLE audit_entry (
	seq INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	user_id TEXT,
	username TEXT,
	role TEXT,
	unit_code TEXT,
	action TEXT NOT NULL,
	object_type TEXT,
	object_id TEXT,
	client TEXT,
	outcome TEXT NOT NULL,
	reason TEXT,
	detail TEXT,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_entry_user ON audit_entry(username, seq);
CREATE INDEX audit_entry_object ON audit_entry(object_type, object_id, seq);
CREATE INDEX audit_entry_at ON audit_entry(at);
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
BEGIN
	SELECT RAISE(ABORT, 'audit log is append-only');
END;
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
BEGIN
	SELECT RAISE(ABORT, 'audit log is append-only');
END;

CREATE TABLE setting (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);
