-- Client applications registered with a secret may obtain tokens at POST /oauth/token
-- (client-credentials grant). Only a bcrypt hash of the secret is stored.
ALTER TABLE clients ADD COLUMN secret_hash TEXT;
