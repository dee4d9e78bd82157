package store

// Record types mirror the tables the migrations create; TestModelsMatchMigrations fails when
// they drift apart. They belong to the store: callers get them, never generated API types.
// They are grouped by owner: egain_records.go, reltio_records.go, oracle_records.go, and
// principal_records.go for the users and clients every vendor API shares.

// allRecords lists every record type, in an order that respects foreign keys.
var allRecords = []any{
	&Setting{}, &Department{}, &Customer{}, &User{}, &UserAction{}, &UserForeignDepartment{},
	&Client{}, &CustomerGrant{},
	&ReltioService{}, &ReltioResource{}, &ReltioResourcePrivilege{}, &ReltioCustomer{}, &ReltioRole{},
	&ReltioRolePermission{}, &UserReltioRole{}, &ClientReltioRole{},
	&OracleUserPrivilege{}, &OracleLookup{}, &OracleAccount{}, &OracleContact{}, &OracleContactAccount{},
	&OracleSelfServiceUser{}, &OracleRegistration{}, &OracleSelfServiceRole{},
	&auditPendingRecord{}, &auditEventRecord{}, &auditChainRecord{},
}
