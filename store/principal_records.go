package store

// Principal record types: the users and client applications a token stands for, and the
// tables that link them to what each vendor API lets them do (eGain actions and foreign
// departments, Reltio roles, Oracle privileges). Every vendor API reads the same principal,
// so these live apart from any one vendor's records; see migrations/*/0001_init.sql and the
// later migrations that add each vendor's columns and link tables.

// User is a person acting through a delegated (oAuthUser) token.
type User struct {
	ID               int64  `gorm:"primaryKey"`
	Login            string `gorm:"not null"`
	Name             string `gorm:"not null"`
	HomeDepartmentID *int64
	ReltioCustomer   *string
	// Auditor may hold the scope audit.read and read the audit trail.
	Auditor            bool                    `gorm:"not null"`
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

// UserReltioRole is a Reltio role held by a user, such as ROLE_ADMIN_CUSTOMER.
type UserReltioRole struct {
	UserID int64  `gorm:"primaryKey;autoIncrement:false"`
	Role   string `gorm:"primaryKey"`
}

func (UserReltioRole) TableName() string { return "user_reltio_roles" }

// OracleUserPrivilege is one Oracle privilege (such as SVC_MANAGE_SELF_SERVICE_ROLES_PRIV)
// a user holds.
type OracleUserPrivilege struct {
	UserID    int64  `gorm:"primaryKey;autoIncrement:false"`
	Privilege string `gorm:"primaryKey"`
}

func (OracleUserPrivilege) TableName() string { return "oracle_user_privileges" }

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
	SecretHash *string
	// Auditor may hold the scope audit.read and read the audit trail.
	Auditor     bool               `gorm:"not null"`
	ReltioRoles []ClientReltioRole `gorm:"foreignKey:ClientID"`
}

func (Client) TableName() string { return "clients" }

// ClientReltioRole is a Reltio role held by a client application.
type ClientReltioRole struct {
	ClientID int64  `gorm:"primaryKey;autoIncrement:false"`
	Role     string `gorm:"primaryKey"`
}

func (ClientReltioRole) TableName() string { return "client_reltio_roles" }
