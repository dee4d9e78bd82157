package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"

	"gopkg.in/yaml.v3"
	"gorm.io/gorm/clause"
)

// Fixture is the reference data of a seed file (YAML, or JSON). Every section is optional;
// loading several fixtures one after another adds them up.
type Fixture struct {
	// Name names the file in the audit trail's event of the load; it is not read from the file.
	Name        string              `yaml:"-"`
	Settings    *FixtureSettings    `yaml:"settings"`
	Departments []FixtureDepartment `yaml:"departments"`
	Customers   []FixtureCustomer   `yaml:"customers"`
	Users       []FixtureUser       `yaml:"users"`
	Clients     []FixtureClient     `yaml:"clients"`
	Reltio      *FixtureReltio      `yaml:"reltio"`
	Oracle      *FixtureOracle      `yaml:"oracle"`
}

// FixtureSettings holds application settings; an absent setting is left as it is.
type FixtureSettings struct {
	CustomerDepartmentalization *bool `yaml:"customerDepartmentalization"`
}

type FixtureDepartment struct {
	ID   int64  `yaml:"id"`
	Name string `yaml:"name"`
}

type FixtureCustomer struct {
	ID         string `yaml:"id"`
	Name       string `yaml:"name"`
	Type       string `yaml:"type"`
	Department *int64 `yaml:"department"`
	// CanSignIn makes the customer a principal that signs in (oAuthCustomer).
	CanSignIn bool `yaml:"canSignIn"`
}

type FixtureUser struct {
	Login              string   `yaml:"login"`
	Name               string   `yaml:"name"`
	HomeDepartment     *int64   `yaml:"homeDepartment"`
	ForeignDepartments []int64  `yaml:"foreignDepartments"`
	Actions            []string `yaml:"actions"`
	// ReltioCustomer is the Reltio customer the user belongs to; ReltioRoles its Reltio roles.
	ReltioCustomer *string  `yaml:"reltioCustomer"`
	ReltioRoles    []string `yaml:"reltioRoles"`
	// Privileges are Oracle privileges, such as SVC_MANAGE_SELF_SERVICE_ROLES_PRIV.
	Privileges []string `yaml:"privileges"`
	// Auditor lets the user hold the scope audit.read (absent: false).
	Auditor bool `yaml:"auditor"`
}

type FixtureClient struct {
	ClientID       string   `yaml:"clientId"`
	Name           string   `yaml:"name"`
	Type           string   `yaml:"type"`
	ReltioCustomer *string  `yaml:"reltioCustomer"`
	ReltioRoles    []string `yaml:"reltioRoles"`
	// Secret (stored hashed) or SecretHash (a bcrypt hash) lets the client obtain tokens at
	// POST /oauth/token; without either the client keeps the secret it has.
	Secret     *string `yaml:"secret"`
	SecretHash *string `yaml:"secretHash"`
	// Auditor lets the client hold the scope audit.read (absent: false).
	Auditor bool `yaml:"auditor"`
}

// customerIDPattern is the form of an eGain customer id: a positive integer that fits int64.
var customerIDPattern = regexp.MustCompile(`^[1-9][0-9]{0,17}$`)

// ParseFixture reads a seed file. Unknown fields are errors, so a typo never passes silently.
func ParseFixture(data []byte) (*Fixture, error) {
	decoder := yaml.NewDecoder(bytes.NewReader(data))
	decoder.KnownFields(true)
	var fixture Fixture
	if err := decoder.Decode(&fixture); err != nil {
		if errors.Is(err, io.EOF) {
			return &fixture, nil
		}
		return nil, fmt.Errorf("seed file: %w", err)
	}
	return &fixture, nil
}

// LoadFixture upserts the fixture's entries by natural key (department and customer id,
// user login, client id) in one transaction: a broken fixture changes nothing, and the
// error names the entry and field at fault.
func (s *Store) LoadFixture(ctx context.Context, fixture *Fixture) error {
	if err := fixture.check(); err != nil {
		return err
	}
	return s.Transaction(ctx, func(tx *Tx) error {
		if err := tx.checkFixtureDepartments(fixture); err != nil {
			return err
		}
		if err := tx.loadReltio(fixture.Reltio); err != nil {
			return err
		}
		if err := tx.checkFixtureReltioCustomers(fixture); err != nil {
			return err
		}
		if err := tx.upsertSettings(fixture.Settings); err != nil {
			return err
		}
		if err := tx.upsertDepartments(fixture.Departments); err != nil {
			return err
		}
		if err := tx.upsertCustomers(fixture.Customers); err != nil {
			return err
		}
		if err := tx.upsertUsers(fixture.Users); err != nil {
			return err
		}
		if err := tx.loadOracleFixture(fixture.Oracle); err != nil {
			return err
		}
		if err := tx.upsertClients(fixture.Clients); err != nil {
			return err
		}
		return tx.auditSeed(fixture)
	})
}

// check finds what can be told wrong from the file alone.
func (f *Fixture) check() error {
	seen := map[string]int{}
	duplicate := func(section, key string, i int) error {
		id := section + "/" + key
		if first, ok := seen[id]; ok {
			return fmt.Errorf("%s[%d]: duplicates %s[%d] (%q)", section, i, section, first, key)
		}
		seen[id] = i
		return nil
	}
	for i, d := range f.Departments {
		if d.ID <= 0 {
			return fmt.Errorf("departments[%d].id: must be a positive integer", i)
		}
		if d.Name == "" {
			return fmt.Errorf("departments[%d].name: required", i)
		}
		if err := duplicate("departments", strconv.FormatInt(d.ID, 10), i); err != nil {
			return err
		}
	}
	for i, c := range f.Customers {
		if !customerIDPattern.MatchString(c.ID) {
			return fmt.Errorf("customers[%d].id: %q is not a customer id (a positive integer written as a string)", i, c.ID)
		}
		if c.Name == "" {
			return fmt.Errorf("customers[%d].name: required", i)
		}
		if c.Type != CustomerIndividual && c.Type != CustomerOrganization {
			return fmt.Errorf("customers[%d].type: %q must be %s or %s", i, c.Type, CustomerIndividual, CustomerOrganization)
		}
		if err := duplicate("customers", c.ID, i); err != nil {
			return err
		}
	}
	if f.Reltio != nil {
		if err := f.Reltio.check(); err != nil {
			return err
		}
	}
	for i, u := range f.Users {
		if u.Login == "" {
			return fmt.Errorf("users[%d].login: required", i)
		}
		if err := checkReltioRoleNames(fmt.Sprintf("users[%d]", i), u.ReltioRoles); err != nil {
			return err
		}
		if err := checkOraclePrivileges(fmt.Sprintf("users[%d]", i), u.Privileges); err != nil {
			return err
		}
		for j, a := range u.Actions {
			if a == "" {
				return fmt.Errorf("users[%d].actions[%d]: must not be empty", i, j)
			}
		}
		if err := duplicate("users", u.Login, i); err != nil {
			return err
		}
	}
	for i, c := range f.Clients {
		if c.ClientID == "" {
			return fmt.Errorf("clients[%d].clientId: required", i)
		}
		if c.Type == "" {
			return fmt.Errorf("clients[%d].type: required (for example API)", i)
		}
		if err := checkReltioRoleNames(fmt.Sprintf("clients[%d]", i), c.ReltioRoles); err != nil {
			return err
		}
		if err := checkClientSecret(fmt.Sprintf("clients[%d]", i), c); err != nil {
			return err
		}
		if err := duplicate("clients", c.ClientID, i); err != nil {
			return err
		}
	}
	return nil
}

// checkFixtureDepartments makes sure every department referred to exists, in the file or
// already in the database, with one query.
func (tx *Tx) checkFixtureDepartments(f *Fixture) error {
	known := map[int64]bool{}
	for _, d := range f.Departments {
		known[d.ID] = true
	}
	type reference struct {
		where string
		id    int64
	}
	var refs []reference
	for i, c := range f.Customers {
		if c.Department != nil {
			refs = append(refs, reference{fmt.Sprintf("customers[%d].department", i), *c.Department})
		}
	}
	for i, u := range f.Users {
		if u.HomeDepartment != nil {
			refs = append(refs, reference{fmt.Sprintf("users[%d].homeDepartment", i), *u.HomeDepartment})
		}
		for j, d := range u.ForeignDepartments {
			refs = append(refs, reference{fmt.Sprintf("users[%d].foreignDepartments[%d]", i, j), d})
		}
	}
	var unknown []int64
	for _, r := range refs {
		if !known[r.id] && !slices.Contains(unknown, r.id) {
			unknown = append(unknown, r.id)
		}
	}
	if len(unknown) > 0 {
		var stored []int64
		if err := tx.db.Model(&Department{}).Where("id IN ?", unknown).Pluck("id", &stored).Error; err != nil {
			return err
		}
		for _, id := range stored {
			known[id] = true
		}
	}
	for _, r := range refs {
		if !known[r.id] {
			return fmt.Errorf("%s: department %d does not exist", r.where, r.id)
		}
	}
	return nil
}

func (tx *Tx) upsertSettings(settings *FixtureSettings) error {
	if settings == nil || settings.CustomerDepartmentalization == nil {
		return nil
	}
	row := Setting{Name: SettingCustomerDepartmentalization, Value: strconv.FormatBool(*settings.CustomerDepartmentalization)}
	return tx.db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error
}

func (tx *Tx) upsertDepartments(departments []FixtureDepartment) error {
	if len(departments) == 0 {
		return nil
	}
	rows := make([]Department, len(departments))
	for i, d := range departments {
		rows[i] = Department{ID: d.ID, Name: d.Name}
	}
	return tx.db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&rows).Error
}

func (tx *Tx) upsertCustomers(customers []FixtureCustomer) error {
	if len(customers) == 0 {
		return nil
	}
	rows := make([]Customer, len(customers))
	for i, c := range customers {
		id, _ := strconv.ParseInt(c.ID, 10, 64) // checked by Fixture.check
		rows[i] = Customer{ID: id, Name: c.Name, Type: c.Type, DepartmentID: c.Department, CanSignIn: c.CanSignIn}
	}
	return tx.db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&rows).Error
}

// upsertUsers writes the users, then replaces their actions, foreign departments, Reltio
// roles and Oracle privileges with the file's: one statement per table, whatever the number
// of users.
func (tx *Tx) upsertUsers(users []FixtureUser) error {
	if len(users) == 0 {
		return nil
	}
	rows := make([]User, len(users))
	logins := make([]string, len(users))
	for i, u := range users {
		rows[i] = User{Login: u.Login, Name: u.Name, HomeDepartmentID: u.HomeDepartment, ReltioCustomer: u.ReltioCustomer, Auditor: u.Auditor}
		logins[i] = u.Login
	}
	err := tx.db.Omit("Actions", "ForeignDepartments", "ReltioRoles").Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "login"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "home_department_id", "reltio_customer", "auditor"}),
	}).Create(&rows).Error
	if err != nil {
		return err
	}
	// Ids are read back by login: ids returned by a batch upsert are not reliable (go-gorm/gorm#7393).
	var stored []User
	if err := tx.db.Select("id", "login").Where("login IN ?", logins).Find(&stored).Error; err != nil {
		return err
	}
	idByLogin := make(map[string]int64, len(stored))
	userIDs := make([]int64, len(stored))
	for i, u := range stored {
		idByLogin[u.Login] = u.ID
		userIDs[i] = u.ID
	}
	if err := tx.db.Where("user_id IN ?", userIDs).Delete(&UserAction{}).Error; err != nil {
		return err
	}
	if err := tx.db.Where("user_id IN ?", userIDs).Delete(&UserForeignDepartment{}).Error; err != nil {
		return err
	}
	if err := tx.db.Where("user_id IN ?", userIDs).Delete(&UserReltioRole{}).Error; err != nil {
		return err
	}
	if err := tx.db.Where("user_id IN ?", userIDs).Delete(&OracleUserPrivilege{}).Error; err != nil {
		return err
	}
	var actions []UserAction
	var foreign []UserForeignDepartment
	var reltioRoles []UserReltioRole
	var privileges []OracleUserPrivilege
	for _, u := range users {
		id := idByLogin[u.Login]
		for _, a := range u.Actions {
			actions = append(actions, UserAction{UserID: id, Action: a})
		}
		for _, d := range u.ForeignDepartments {
			foreign = append(foreign, UserForeignDepartment{UserID: id, DepartmentID: d})
		}
		for _, r := range u.ReltioRoles {
			reltioRoles = append(reltioRoles, UserReltioRole{UserID: id, Role: r})
		}
		for _, p := range u.Privileges {
			privileges = append(privileges, OracleUserPrivilege{UserID: id, Privilege: p})
		}
	}
	if err := insertIgnoringExisting(tx, actions); err != nil {
		return err
	}
	if err := insertIgnoringExisting(tx, foreign); err != nil {
		return err
	}
	if err := insertIgnoringExisting(tx, reltioRoles); err != nil {
		return err
	}
	return insertIgnoringExisting(tx, privileges)
}

// upsertClients writes the clients, then replaces their Reltio roles with the file's.
func (tx *Tx) upsertClients(clients []FixtureClient) error {
	if len(clients) == 0 {
		return nil
	}
	rows := make([]Client, len(clients))
	clientIDs := make([]string, len(clients))
	for i, c := range clients {
		rows[i] = Client{ClientID: c.ClientID, Name: c.Name, Type: c.Type, ReltioCustomer: c.ReltioCustomer, Auditor: c.Auditor}
		clientIDs[i] = c.ClientID
	}
	err := tx.db.Omit("ReltioRoles").Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "client_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "type", "reltio_customer", "auditor"}),
	}).Create(&rows).Error
	if err != nil {
		return err
	}
	var stored []Client
	if err := tx.db.Select("id", "client_id").Where("client_id IN ?", clientIDs).Find(&stored).Error; err != nil {
		return err
	}
	idByClientID := make(map[string]int64, len(stored))
	ids := make([]int64, len(stored))
	for i, c := range stored {
		idByClientID[c.ClientID] = c.ID
		ids[i] = c.ID
	}
	if err := tx.db.Where("client_id IN ?", ids).Delete(&ClientReltioRole{}).Error; err != nil {
		return err
	}
	var roles []ClientReltioRole
	for _, c := range clients {
		for _, r := range c.ReltioRoles {
			roles = append(roles, ClientReltioRole{ClientID: idByClientID[c.ClientID], Role: r})
		}
	}
	if err := insertIgnoringExisting(tx, roles); err != nil {
		return err
	}
	return tx.setClientSecrets(clients)
}

// checkReltioRoleNames refuses empty or malformed Reltio role names of a principal.
func checkReltioRoleNames(where string, roles []string) error {
	for j, r := range roles {
		if !validReltioRoleName(r) {
			return fmt.Errorf("%s.reltioRoles[%d]: %q must be 1 to 255 letters, digits, '_', '-' or '.', with a letter or digit", where, j, r)
		}
	}
	return nil
}

// checkFixtureReltioCustomers makes sure every reltioCustomer of a principal exists, in the
// file or already in the database, with one query.
func (tx *Tx) checkFixtureReltioCustomers(f *Fixture) error {
	type reference struct{ where, id string }
	var refs []reference
	var ids []string
	for i, u := range f.Users {
		if u.ReltioCustomer != nil {
			refs = append(refs, reference{fmt.Sprintf("users[%d].reltioCustomer", i), *u.ReltioCustomer})
			ids = append(ids, *u.ReltioCustomer)
		}
	}
	for i, c := range f.Clients {
		if c.ReltioCustomer != nil {
			refs = append(refs, reference{fmt.Sprintf("clients[%d].reltioCustomer", i), *c.ReltioCustomer})
			ids = append(ids, *c.ReltioCustomer)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	// The reltio: section of this file is already written, so the database knows them all.
	var known []string
	if err := tx.db.Model(&ReltioCustomer{}).Where("id IN ?", ids).Pluck("id", &known).Error; err != nil {
		return err
	}
	for _, r := range refs {
		if !slices.Contains(known, r.id) {
			return fmt.Errorf("%s: Reltio customer %q does not exist", r.where, r.id)
		}
	}
	return nil
}

// IsEmpty tells whether the database holds no reference data yet (no customers, users or
// clients), which is when `serve --demo` loads the demo dataset.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	db := s.db.WithContext(ctx)
	for _, model := range []any{&Customer{}, &User{}, &Client{}} {
		var found []int64
		if err := db.Model(model).Limit(1).Pluck("id", &found).Error; err != nil {
			return false, err
		}
		if len(found) > 0 {
			return false, nil
		}
	}
	return true, nil
}
