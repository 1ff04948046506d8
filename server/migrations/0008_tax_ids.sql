-- A customer may hold several tax registrations, each {type, value}: JSON, a list. The one
-- untyped tax ID of before becomes a registration of type "other", kept as it was.
ALTER TABLE customers ADD COLUMN tax_ids TEXT;
UPDATE customers SET tax_ids = {{json_array}}({{json_object}}('type', 'other', 'value', tax_id)){{as_text}}
    WHERE tax_id IS NOT NULL;
ALTER TABLE customers DROP COLUMN tax_id;
-- The profile field that customers may edit is renamed with it.
UPDATE organisations SET settings = replace(settings, '"tax_id"', '"tax_ids"');
