-- The portal sorts a customer's invoices by total and by amount due as well as by date;
-- these let a page of a 10,000-invoice list be read from an index instead of sorting them all.
CREATE INDEX invoices_by_customer_total ON invoices (organisation_id, customer_id, total, id);
CREATE INDEX invoices_by_customer_amount_due ON invoices (organisation_id, customer_id, amount_due, id);
