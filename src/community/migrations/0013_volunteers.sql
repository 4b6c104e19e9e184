-- Volunteers (群防群治) and school posts (护学岗), community/volunteer.h and
-- community/school.h (docs/volunteers.md). Times are UTC milliseconds; ids
-- are UUIDv7 text; unit_path copies the owning unit's path (scope).

-- A volunteer group of a grid (or post or station): a patrol team, 平安志愿者,
-- 红袖章, ... with its leader (one of its members, or a name).
CREATE TABLE volunteer_group (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('patrol_team', 'safety_volunteer', 'red_armband',
		'neighbourhood_watch', 'school_guard', 'other')),
	unit_code TEXT NOT NULL REFERENCES unit(code),
	unit_path TEXT NOT NULL,
	leader_name TEXT,
	notes TEXT,
	active INTEGER NOT NULL DEFAULT 1,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	created_by TEXT,
	updated_at INTEGER NOT NULL
);
CREATE INDEX volunteer_group_unit ON volunteer_group(unit_path);

-- A member: a person of the registry or a name and phone; user_id links a
-- member who signs in (the volunteer role) to their tasks.
CREATE TABLE volunteer_member (
	id TEXT PRIMARY KEY,
	group_id TEXT NOT NULL REFERENCES volunteer_group(id),
	unit_path TEXT NOT NULL, -- the group's
	name TEXT NOT NULL,
	phone TEXT,      -- as entered
	phone_norm TEXT, -- core/phone.h
	person_id TEXT REFERENCES person(id),
	user_id TEXT REFERENCES app_user(id),
	joined_on TEXT NOT NULL, -- YYYY-MM-DD
	active INTEGER NOT NULL DEFAULT 1,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX volunteer_member_group ON volunteer_member(group_id);
CREATE INDEX volunteer_member_user ON volunteer_member(user_id);
CREATE UNIQUE INDEX volunteer_member_group_user ON volunteer_member(group_id, user_id)
	WHERE user_id IS NOT NULL;

-- A patrol or watch task of a group in a time window over an area or route.
-- Members assigned in volunteer_task_member; none assigned: the whole group.
CREATE TABLE volunteer_task (
	id TEXT PRIMARY KEY,
	number TEXT NOT NULL UNIQUE, -- ZY-<unit>-<date>-NNNN
	group_id TEXT NOT NULL REFERENCES volunteer_group(id),
	unit_path TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('patrol', 'watch')),
	title TEXT NOT NULL,
	area TEXT NOT NULL, -- where: an area or a route, as the group knows it
	lat REAL,           -- a meeting point, if given
	lon REAL,
	starts_at INTEGER NOT NULL,
	ends_at INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('planned', 'cancelled')),
	cancel_reason TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	created_by TEXT
);
CREATE INDEX volunteer_task_group ON volunteer_task(group_id, starts_at);
CREATE INDEX volunteer_task_unit ON volunteer_task(unit_path, starts_at);

CREATE TABLE volunteer_task_member (
	task_id TEXT NOT NULL REFERENCES volunteer_task(id),
	member_id TEXT NOT NULL REFERENCES volunteer_member(id),
	PRIMARY KEY (task_id, member_id)
);
CREATE INDEX volunteer_task_member_member ON volunteer_task_member(member_id);

-- One member's turn on a task: check-in and check-out with positions; the
-- credited minutes are set at check-out (community/volunteer.h).
CREATE TABLE volunteer_checkin (
	id TEXT PRIMARY KEY,
	task_id TEXT NOT NULL REFERENCES volunteer_task(id),
	member_id TEXT NOT NULL REFERENCES volunteer_member(id),
	unit_path TEXT NOT NULL,
	in_at INTEGER NOT NULL,
	in_lat REAL,
	in_lon REAL,
	out_at INTEGER,
	out_lat REAL,
	out_lon REAL,
	minutes INTEGER, -- credited, NULL while checked in
	recorded_by TEXT
);
CREATE UNIQUE INDEX volunteer_checkin_task_member ON volunteer_checkin(task_id, member_id);
CREATE INDEX volunteer_checkin_unit ON volunteer_checkin(unit_path, in_at);
CREATE INDEX volunteer_checkin_member ON volunteer_checkin(member_id, in_at);

-- Clues reported during a task (the clue itself is in the clue queue).
CREATE TABLE volunteer_task_clue (
	clue_id TEXT PRIMARY KEY REFERENCES clue(id),
	task_id TEXT NOT NULL REFERENCES volunteer_task(id),
	member_id TEXT REFERENCES volunteer_member(id),
	unit_path TEXT NOT NULL,
	reported_at INTEGER NOT NULL
);
CREATE INDEX volunteer_task_clue_task ON volunteer_task_clue(task_id);
CREATE INDEX volunteer_task_clue_unit ON volunteer_task_clue(unit_path, reported_at);

-- Schools: a record of their own, linked to the registry's organisation when known.
CREATE TABLE school (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	organisation_id TEXT REFERENCES organisation(id),
	unit_code TEXT NOT NULL REFERENCES unit(code),
	unit_path TEXT NOT NULL,
	address TEXT,
	pupils INTEGER,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX school_unit ON school(unit_path);
CREATE UNIQUE INDEX school_organisation ON school(organisation_id) WHERE organisation_id IS NOT NULL;

-- A post (岗点) at a school gate.
CREATE TABLE school_post (
	id TEXT PRIMARY KEY,
	school_id TEXT NOT NULL REFERENCES school(id),
	unit_path TEXT NOT NULL, -- the school's
	name TEXT NOT NULL,      -- 正门, 东侧门, ...
	lat REAL,
	lon REAL,
	active INTEGER NOT NULL DEFAULT 1,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX school_post_school ON school_post(school_id);
CREATE INDEX school_post_unit ON school_post(unit_path);

-- A post's recurring session at peak hours: days of the week (bit 0 Monday
-- ... bit 6 Sunday) and minutes of the local day (China Standard Time).
CREATE TABLE school_session (
	id TEXT PRIMARY KEY,
	post_id TEXT NOT NULL REFERENCES school_post(id),
	label TEXT NOT NULL, -- 早高峰, 晚高峰, ...
	weekdays INTEGER NOT NULL CHECK (weekdays BETWEEN 1 AND 127),
	start_min INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
	end_min INTEGER NOT NULL CHECK (end_min BETWEEN 1 AND 1440),
	active INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL
);
CREATE INDEX school_session_post ON school_session(post_id);

-- Who stands at a post: an officer or auxiliary (a user) or a volunteer member.
CREATE TABLE school_post_assignee (
	post_id TEXT NOT NULL REFERENCES school_post(id),
	kind TEXT NOT NULL CHECK (kind IN ('user', 'member')),
	ref_id TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (post_id, kind, ref_id)
);

-- Attendance per session, date and assignee.
CREATE TABLE school_attendance (
	id TEXT PRIMARY KEY,
	session_id TEXT NOT NULL REFERENCES school_session(id),
	post_id TEXT NOT NULL REFERENCES school_post(id),
	unit_path TEXT NOT NULL,
	day TEXT NOT NULL, -- YYYY-MM-DD, local date of the session
	kind TEXT NOT NULL CHECK (kind IN ('user', 'member')),
	ref_id TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('on_time', 'late', 'absent')),
	arrived_at INTEGER,
	note TEXT,
	recorded_by TEXT,
	recorded_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX school_attendance_one ON school_attendance(session_id, day, kind, ref_id);
CREATE INDEX school_attendance_unit ON school_attendance(unit_path, day);
