-- What an entitlement used each day of its period, as the vendor pushes it: JSON, a list of
-- {date, value}, oldest first.
ALTER TABLE entitlements ADD COLUMN usage_series TEXT;
