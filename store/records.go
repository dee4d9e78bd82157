package store

import "time"

// Record types mirror the tables the migrations create; TestModelsMatchMigrations fails when
// they drift apart. They belong to the store: callers get them, never generated API types.

// Setting is one application setting, such as customer departmentalization.
type Setting struct {
	Name  string `gorm:"primaryKey"`
	Value string `gorm:"not null"`
}

func (Setting) TableName() string { return "settings" }

// Department groups customers and users when customer departmentalization is on.
type Department struct {
	ID   int64  `gorm:"primaryKey;autoIncrement:false"`
	Name string `gorm:"not null"`
}

func (Department) TableName() string { return "departments" }

// Customer types.
const (
	CustomerIndividual   = "individual"
	CustomerOrganization = "organization"
)

// Customer is an eGain customer.
type Customer struct {
	ID           int64  `gorm:"primaryKey;autoIncrement:false"`
	Name         string `gorm:"not null"`
	Type         string `gorm:"not null"`
	DepartmentID *int64
}

func (Customer) TableName() string { return "customers" }

// User is a person acting through a delegated (oAuthUser) token.
type User struct {
	ID                 int64  `gorm:"primaryKey"`
	Login              string `gorm:"not null"`
	Name               string `gorm:"not null"`
	HomeDepartmentID   *int64
	ReltioCustomer     *string
	Actions            []UserAction            `gorm:"foreignKey:UserID"`
	ForeignDepartments []UserForeignDepartment `gorm:"foreignKey:UserID"`
	ReltioRoles        []UserReltioRole        `gorm:"foreignKey:UserID"`
}

func (User) TableName() string { return "users" }

// UserAction is one action (such as "Edit Customer") a user may perform.
type UserAction struct {
	UserID int64  `gorm:"primaryKey;autoIncrement:false"`
	Action string `gorm:"primaryKey"`
}

func (UserAction) TableName() string { return "user_actions" }

// UserForeignDepartment is a department where the user is a foreign user.
type UserForeignDepartment struct {
	UserID       int64 `gorm:"primaryKey;autoIncrement:false"`
	DepartmentID int64 `gorm:"primaryKey;autoIncrement:false"`
}

func (UserForeignDepartment) TableName() string { return "user_foreign_departments" }

// Client types: only API clients may call the eGain APIs.
const ClientTypeAPI = "API"

// Client is a client application acting through an application (oAuthClient) token.
type Client struct {
	ID             int64  `gorm:"primaryKey"`
	ClientID       string `gorm:"not null"`
	Name           string `gorm:"not null"`
	Type           string `gorm:"not null"`
	ReltioCustomer *string
	// SecretHash is the bcrypt hash of the client's secret; nil when the client cannot use
	// the token endpoint. Never logged, never returned.
	SecretHash  *string
	ReltioRoles []ClientReltioRole `gorm:"foreignKey:ClientID"`
}

func (Client) TableName() string { return "clients" }

// CustomerGrant says that the grantee holds a grant on the granted-on customer.
type CustomerGrant struct {
	GrantedOnID int64     `gorm:"primaryKey;autoIncrement:false"`
	GranteeID   int64     `gorm:"primaryKey;autoIncrement:false"`
	CreatedAt   time.Time `gorm:"not null"`
}

func (CustomerGrant) TableName() string { return "customer_grants" }

// allRecords lists every record type, in an order that respects foreign keys.
var allRecords = []any{
	&Setting{}, &Department{}, &Customer{}, &User{}, &UserAction{}, &UserForeignDepartment{},
	&Client{}, &CustomerGrant{},
	&ReltioService{}, &ReltioResource{}, &ReltioResourcePrivilege{}, &ReltioCustomer{}, &ReltioRole{},
	&ReltioRolePermission{}, &UserReltioRole{}, &ClientReltioRole{},
	&OracleUserPrivilege{}, &OracleLookup{}, &OracleAccount{}, &OracleContact{}, &OracleContactAccount{},
	&OracleSelfServiceUser{}, &OracleRegistration{}, &OracleSelfServiceRole{},
}
