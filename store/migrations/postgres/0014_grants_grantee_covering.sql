-- The grantee index covers the granted-on id: the grant write's count of each grantee's
-- grants (and whether one is on the target) reads the index, not the table (issue 12).
CREATE INDEX customer_grants_grantee_covering ON customer_grants (grantee_id, granted_on_id);
DROP INDEX customer_grants_grantee;
ALTER INDEX customer_grants_grantee_covering RENAME TO customer_grants_grantee;
