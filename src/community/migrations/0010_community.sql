-- Community registries (issue 5): houses, people, rentals, organisations and venues,
-- and their search indexes. Every record belongs to one unit (its grid when placed,
-- else its station); unit_path copies the unit's path so that scope is a prefix test.

CREATE TABLE house (
	id TEXT PRIMARY KEY,
	unit TEXT NOT NULL REFERENCES unit(code),
	unit_path TEXT NOT NULL,
	station TEXT NOT NULL REFERENCES unit(code),
	grid TEXT REFERENCES unit(code),
	address TEXT NOT NULL,      -- as entered
	address_norm TEXT NOT NULL, -- fq_text_normalize of address
	lat REAL,
	lon REAL,
	use TEXT NOT NULL CHECK (use IN ('self_occupied', 'rented', 'vacant', 'commercial')),
	owner_id TEXT,   -- a person of the registry, when known
	owner_name TEXT, -- as entered when the owner is not in the registry
	notes TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	created_by TEXT,
	updated_at INTEGER NOT NULL,
	updated_by TEXT
);
CREATE UNIQUE INDEX house_station_address ON house(station, address_norm);
CREATE INDEX house_unit_path ON house(unit_path);
CREATE INDEX house_grid ON house(grid);

CREATE TABLE person (
	id TEXT PRIMARY KEY,
	unit TEXT NOT NULL REFERENCES unit(code),
	unit_path TEXT NOT NULL,
	name TEXT NOT NULL,
	name_norm TEXT NOT NULL,
	id_number TEXT NOT NULL UNIQUE, -- GB 11643, 18 characters, normalised
	sex TEXT NOT NULL CHECK (sex IN ('M', 'F')),
	birth_date TEXT NOT NULL, -- YYYY-MM-DD, from the ID number
	phone TEXT,  -- normalised (core/phone.h)
	phone2 TEXT,
	house_id TEXT REFERENCES house(id),
	hukou TEXT,  -- registered residence (户籍地) as entered
	categories TEXT NOT NULL DEFAULT ',', -- ",resident,elderly_alone," (see docs/community.md)
	notes TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	created_by TEXT,
	updated_at INTEGER NOT NULL,
	updated_by TEXT
);
CREATE INDEX person_unit_path ON person(unit_path);
CREATE INDEX person_house ON person(house_id);
CREATE INDEX person_name_birth ON person(name_norm, birth_date);

CREATE TABLE rental (
	id TEXT PRIMARY KEY,
	house_id TEXT NOT NULL REFERENCES house(id),
	start_date TEXT NOT NULL, -- YYYY-MM-DD
	end_date TEXT,            -- YYYY-MM-DD, NULL while open-ended
	notes TEXT,
	created_at INTEGER NOT NULL,
	created_by TEXT
);
CREATE INDEX rental_house ON rental(house_id);

CREATE TABLE rental_tenant (
	rental_id TEXT NOT NULL REFERENCES rental(id),
	person_id TEXT NOT NULL REFERENCES person(id),
	PRIMARY KEY (rental_id, person_id)
);
CREATE INDEX rental_tenant_person ON rental_tenant(person_id);

CREATE TABLE organisation (
	id TEXT PRIMARY KEY,
	unit TEXT NOT NULL REFERENCES unit(code),
	unit_path TEXT NOT NULL,
	station TEXT NOT NULL REFERENCES unit(code),
	grid TEXT REFERENCES unit(code),
	name TEXT NOT NULL,
	name_norm TEXT NOT NULL,
	uscc TEXT UNIQUE, -- GB 32100, normalised; NULL for premises without their own code
	type TEXT NOT NULL,
	regulated INTEGER NOT NULL DEFAULT 0, -- hotel, internet café, entertainment
	address TEXT NOT NULL,
	address_norm TEXT NOT NULL,
	lat REAL,
	lon REAL,
	responsible_name TEXT,
	responsible_phone TEXT,
	responsible_person_id TEXT REFERENCES person(id),
	employees INTEGER NOT NULL DEFAULT 0,
	notes TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	created_by TEXT,
	updated_at INTEGER NOT NULL,
	updated_by TEXT
);
CREATE INDEX organisation_unit_path ON organisation(unit_path);
CREATE INDEX organisation_type ON organisation(type);

-- Search (community/search.h): rowid = the record's rowid. bi holds the overlapping
-- bigrams of the normalised text, uni its single units, num the digit tokens
-- (phone, phone tail, ID number and its tail), scope one token per unit of the
-- record's unit path (so that scope is part of the match). SQLite-specific (FTS5);
-- a PostgreSQL backend brings its own index.
CREATE VIRTUAL TABLE person_fts USING fts5(bi, uni, num, scope, tokenize = 'ascii');
CREATE VIRTUAL TABLE house_fts USING fts5(bi, uni, num, scope, tokenize = 'ascii');
CREATE VIRTUAL TABLE organisation_fts USING fts5(bi, uni, num, scope, tokenize = 'ascii');
