-- The case page's link back to the reception hall's visit a case was made
-- from (docs/cases.md, docs/reception.md): the link is the visit's
-- converted_id; this index finds the visit from the case without reading the
-- whole walk-in log on every read of a case.
CREATE INDEX reception_visit_converted ON reception_visit(converted_id)
	WHERE converted_id IS NOT NULL;
