package store

// Reltio record types: the catalog of services, resources and privileges, and the
// customers' roles; see migrations/*/0002_reltio.sql. The roles users and clients hold are
// in principal_records.go.

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
	// Reach tells where a system role's privileges apply (ReachEverywhere or
	// ReachOwnCustomer); nil for customer-specific roles, which apply within their customer.
	Reach *string
	// Scopable: holding Name_<customerId> gives the system role's privileges within that
	// customer (ROLE_ADMIN_CUSTOMER_<customerId>).
	Scopable bool `gorm:"not null"`
}

// Where a system role's privileges apply.
const (
	ReachEverywhere  = "everywhere"
	ReachOwnCustomer = "own customer"
)

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
