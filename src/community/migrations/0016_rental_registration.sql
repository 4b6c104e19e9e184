-- Registration of the floating population (流动人口居住登记) of rented houses:
-- each tenant of a rental has the date their residence registration expires
-- (YYYY-MM-DD, China date), so that registrations running out are reminded
-- (docs/community.md, "Rentals and registration").
ALTER TABLE rental_tenant ADD COLUMN registration_expires TEXT;
CREATE INDEX rental_tenant_expires ON rental_tenant(registration_expires)
	WHERE registration_expires IS NOT NULL;
