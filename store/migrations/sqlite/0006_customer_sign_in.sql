-- eGain's customer actor (oAuthCustomer): a customer the seed marks as able to sign in is a
-- principal; its tokens reach only its own grants.
ALTER TABLE customers ADD COLUMN can_sign_in BOOLEAN NOT NULL DEFAULT FALSE;
