package store

import "time"

// Oracle Fusion record types: lookups, accounts, contacts, self-service users, their
// registrations and roles; see migrations/*/0003_oracle.sql. The privileges users hold are
// in principal_records.go.

// Oracle Fusion lookup types and codes the self-service role rules rely on.
const (
	LookupRelationshipType = "ORA_SVC_CSS_REL_TYPE_CD"
	LookupRequestType      = "ORA_SVC_CSS_REQ_TYPE_CD"
	// RelationshipAccountAdmin is the role an account must always keep one of.
	RelationshipAccountAdmin = "ORA_CSS_ACC_ADMIN"
	// RelationshipUser is a user's self-service access to an account: the user's other roles
	// on the account end with it.
	RelationshipUser = "ORA_CSS_USER"
)

// The Oracle privileges the self-service role operations check: a seed file grants only
// these.
const (
	PrivilegeManageSelfServiceRoles = "SVC_MANAGE_SELF_SERVICE_ROLES_PRIV"
	PrivilegeViewSelfServiceRoles   = "SVC_VIEW_SELF_SERVICE_ROLES_PRIV"
	PrivilegeDeleteLastAccountAdmin = "SVC_DELETE_LAST_ACCOUNT_ADMIN_ROLE_PRIV"
)

var oraclePrivileges = []string{PrivilegeManageSelfServiceRoles, PrivilegeViewSelfServiceRoles, PrivilegeDeleteLastAccountAdmin}

// OracleLookup is one code of an Oracle lookup type; a disabled code cannot be chosen.
type OracleLookup struct {
	LookupType string `gorm:"primaryKey"`
	Code       string `gorm:"primaryKey"`
	Meaning    string `gorm:"not null"`
	Enabled    bool   `gorm:"not null"`
}

func (OracleLookup) TableName() string { return "oracle_lookups" }

// OracleAccount is a customer account (an organization party).
type OracleAccount struct {
	PartyID     int64  `gorm:"primaryKey;autoIncrement:false"`
	Name        string `gorm:"not null"`
	PartyNumber string `gorm:"not null"`
}

func (OracleAccount) TableName() string { return "oracle_accounts" }

// OracleContact is a person party; self-service users are contacts.
type OracleContact struct {
	PartyID     int64  `gorm:"primaryKey;autoIncrement:false"`
	Name        string `gorm:"not null"`
	PartyNumber string `gorm:"not null"`
	Email       *string
}

func (OracleContact) TableName() string { return "oracle_contacts" }

// OracleContactAccount says that a contact belongs to an account.
type OracleContactAccount struct {
	ContactPartyID int64 `gorm:"primaryKey;autoIncrement:false"`
	AccountPartyID int64 `gorm:"primaryKey;autoIncrement:false"`
}

func (OracleContactAccount) TableName() string { return "oracle_contact_accounts" }

// OracleSelfServiceUser is a contact who signs in to the self-service portal. Its Who
// columns are Oracle's of the user row: set by the seed file when it adds or changes the
// user, and LastUpdatedBy and LastUpdateDate stamped by every write of one of its roles
// (Oracle's user row holds data denormalized from its roles).
type OracleSelfServiceUser struct {
	UserID         int64     `gorm:"primaryKey;autoIncrement:false"`
	LoginID        string    `gorm:"not null"`
	ContactPartyID int64     `gorm:"not null"`
	CreatedBy      string    `gorm:"not null"`
	CreationDate   time.Time `gorm:"not null"`
	LastUpdatedBy  string    `gorm:"not null"`
	LastUpdateDate time.Time `gorm:"not null"`
}

// OracleSeedActor names the seed file in the Who columns it fills.
const OracleSeedActor = "SEED"

func (OracleSelfServiceUser) TableName() string { return "oracle_self_service_users" }

// OracleRegistration is a self-service user's approved registration for an account.
type OracleRegistration struct {
	RegistrationID int64  `gorm:"primaryKey;autoIncrement:false"`
	UserID         int64  `gorm:"not null"`
	AccountPartyID int64  `gorm:"not null"`
	RequestTypeCd  string `gorm:"not null"`
}

func (OracleRegistration) TableName() string { return "oracle_registrations" }

// OracleSelfServiceRole is a self-service user's role on an account; it is active until it
// gets an end date.
type OracleSelfServiceRole struct {
	RoleID             int64  `gorm:"primaryKey"`
	UserID             int64  `gorm:"not null"`
	AccountPartyID     int64  `gorm:"not null"`
	RelationshipTypeCd string `gorm:"not null"`
	RequestTypeCd      *string
	RegistrationID     *int64
	StartDate          time.Time `gorm:"not null"`
	EndDate            *time.Time
	CreatedBy          string    `gorm:"not null"`
	CreationDate       time.Time `gorm:"not null"`
	LastUpdatedBy      string    `gorm:"not null"`
	LastUpdateDate     time.Time `gorm:"not null"`
	LastUpdateLogin    string    `gorm:"not null"`
	// RowVersion starts at 1 and grows by one with every write of the role: it makes the
	// role's ETag.
	RowVersion int64 `gorm:"not null;default:1"`
}

func (OracleSelfServiceRole) TableName() string { return "oracle_self_service_roles" }
