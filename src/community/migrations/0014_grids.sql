-- Responsibility for grids and police posts ("一村(格)一警", "1+X+N";
-- community/grid.h, docs/community.md "Grids and responsibility"): each grid's
-- community officer, auxiliaries and grid workers; each police post's staff
-- and the grids it looks after. Times are UTC milliseconds.

-- One row per person on duty in a grid or a post (unit_code). A member is a
-- user of the system (user_id, name copied at assignment) or, for staff
-- without an account (village grid workers, say), a name and a phone.
CREATE TABLE grid_staff (
	unit_code TEXT NOT NULL REFERENCES unit(code), -- a grid or a police post
	duty TEXT NOT NULL CHECK (duty IN ('officer', 'auxiliary', 'grid_worker')),
	position INTEGER NOT NULL, -- order within the duty, from 0
	user_id TEXT REFERENCES app_user(id),
	name TEXT NOT NULL,
	phone TEXT, -- normalised (core/phone.h)
	assigned_at INTEGER NOT NULL,
	assigned_by TEXT,
	PRIMARY KEY (unit_code, duty, position)
);
CREATE INDEX grid_staff_user ON grid_staff(user_id);

-- The police post (警务室) that looks after a grid; at most one per grid.
CREATE TABLE post_grid (
	grid_code TEXT PRIMARY KEY REFERENCES unit(code),
	post_code TEXT NOT NULL REFERENCES unit(code),
	assigned_at INTEGER NOT NULL,
	assigned_by TEXT
);
CREATE INDEX post_grid_post ON post_grid(post_code);

-- The version of a grid's or post's assignment, for optimistic concurrency.
CREATE TABLE unit_duty (
	unit_code TEXT PRIMARY KEY REFERENCES unit(code),
	version INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	updated_by TEXT
);

-- The grid page counts by grid.
CREATE INDEX organisation_grid ON organisation(grid);
CREATE INDEX alert_grid_time ON alert(grid_code, received_at);
CREATE INDEX directive_target_grid ON directive(target_grid, state);
