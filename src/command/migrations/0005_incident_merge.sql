-- Operator merges (docs/merge.md): an incident merged into another ends
-- closed with close_reason 'merged' and merged_into naming the survivor;
-- it never reopens. The state machine is unchanged.
ALTER TABLE incident ADD COLUMN merged_into TEXT REFERENCES incident(id);
CREATE INDEX incident_merged_into ON incident(merged_into) WHERE merged_into IS NOT NULL;
