-- Where the customer pays: the vendor's hosted page for one invoice, and for everything a
-- customer owes at once. Both are optional; the portal offers payment only with them.
ALTER TABLE invoices ADD COLUMN payment_url TEXT;
ALTER TABLE customers ADD COLUMN balance_payment_url TEXT;
