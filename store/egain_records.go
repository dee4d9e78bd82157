package store

import "time"

// eGain record types: application settings, departments, customers and the grants between
// customers; see migrations/*/0001_init.sql. Users and clients, which every vendor API
// shares, are in principal_records.go.

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
	// CanSignIn makes the customer a principal (eGain's oAuthCustomer actor): its tokens
	// read its own grants.
	CanSignIn bool `gorm:"not null"`
}

func (Customer) TableName() string { return "customers" }

// CustomerGrant says that the grantee holds a grant on the granted-on customer.
type CustomerGrant struct {
	GrantedOnID int64     `gorm:"primaryKey;autoIncrement:false"`
	GranteeID   int64     `gorm:"primaryKey;autoIncrement:false"`
	CreatedAt   time.Time `gorm:"not null"`
}

func (CustomerGrant) TableName() string { return "customer_grants" }
