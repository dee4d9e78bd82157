package store

// Reltio record types; see migrations/*/0002_reltio.sql.

// ReltioService is a Reltio service of the catalog, such as Auth or MDM.
type ReltioService struct {
	ID string `gorm:"primaryKey"`
}

func (ReltioService) TableName() string { return "reltio_services" }

// ReltioResource is a resource of a service, such as Auth's globalRoles.
type ReltioResource struct {
	ServiceID string `gorm:"primaryKey"`
	ID        string `gorm:"primaryKey"`
}

func (ReltioResource) TableName() string { return "reltio_resources" }

// ReltioResourcePrivilege is a privilege a resource allows.
type ReltioResourcePrivilege struct {
	ServiceID  string `gorm:"primaryKey"`
	ResourceID string `gorm:"primaryKey"`
	Privilege  string `gorm:"primaryKey"`
}

func (ReltioResourcePrivilege) TableName() string { return "reltio_resource_privileges" }

// ReltioCustomer is a Reltio customer, the owner of customer-specific roles.
type ReltioCustomer struct {
	ID string `gorm:"primaryKey"`
}

func (ReltioCustomer) TableName() string { return "reltio_customers" }

// ReltioRole is a customer-specific role, or a system role when CustomerID is nil.
type ReltioRole struct {
	ID         int64 `gorm:"primaryKey"`
	CustomerID *string
	Name       string `gorm:"not null"`
}

func (ReltioRole) TableName() string { return "reltio_roles" }

// ReltioRolePermission is one privilege on one resource held by a role; ID orders a role's
// permissions by first assignment.
type ReltioRolePermission struct {
	ID         int64  `gorm:"primaryKey"`
	RoleID     int64  `gorm:"not null"`
	ServiceID  string `gorm:"not null"`
	ResourceID string `gorm:"not null"`
	Privilege  string `gorm:"not null"`
}

func (ReltioRolePermission) TableName() string { return "reltio_role_permissions" }

// UserReltioRole is a Reltio role held by a user, such as ROLE_ADMIN_CUSTOMER.
type UserReltioRole struct {
	UserID int64  `gorm:"primaryKey;autoIncrement:false"`
	Role   string `gorm:"primaryKey"`
}

func (UserReltioRole) TableName() string { return "user_reltio_roles" }

// ClientReltioRole is a Reltio role held by a client application.
type ClientReltioRole struct {
	ClientID int64  `gorm:"primaryKey;autoIncrement:false"`
	Role     string `gorm:"primaryKey"`
}

func (ClientReltioRole) TableName() string { return "client_reltio_roles" }
