package store

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm/clause"
)

// FixtureOracle is the oracle: section of a seed file: Oracle Fusion reference data.
type FixtureOracle struct {
	// Lookups maps a lookup type (ORA_SVC_CSS_REL_TYPE_CD, ORA_SVC_CSS_REQ_TYPE_CD) to its codes.
	Lookups          map[string][]FixtureOracleLookup `yaml:"lookups"`
	Accounts         []FixtureOracleAccount           `yaml:"accounts"`
	Contacts         []FixtureOracleContact           `yaml:"contacts"`
	SelfServiceUsers []FixtureOracleSelfServiceUser   `yaml:"selfServiceUsers"`
	Registrations    []FixtureOracleRegistration      `yaml:"registrations"`
}

type FixtureOracleLookup struct {
	Code    string `yaml:"code"`
	Meaning string `yaml:"meaning"`
	// Enabled defaults to true.
	Enabled *bool `yaml:"enabled"`
}

type FixtureOracleAccount struct {
	PartyID     int64  `yaml:"partyId"`
	Name        string `yaml:"name"`
	PartyNumber string `yaml:"partyNumber"`
}

type FixtureOracleContact struct {
	PartyID     int64  `yaml:"partyId"`
	Name        string `yaml:"name"`
	PartyNumber string `yaml:"partyNumber"`
	Email       string `yaml:"email"`
	// Accounts are the party ids of the accounts the contact belongs to.
	Accounts []int64 `yaml:"accounts"`
}

type FixtureOracleSelfServiceUser struct {
	UserID         int64  `yaml:"userId"`
	LoginID        string `yaml:"loginId"`
	ContactPartyID int64  `yaml:"contactPartyId"`
	// The user row's Who columns, all optional. A new user is created by SEED
	// (OracleSeedActor) at load time unless stated, and last updated as created unless
	// stated. Reloading a user keeps its creation unless stated, and its last update unless
	// stated or unless its loginId or contactPartyId change (then: SEED, at load time).
	// The dates are RFC 3339 date-times (2026-11-23T01:20:08Z, any offset; stored in UTC).
	CreatedBy      string `yaml:"createdBy"`
	CreationDate   string `yaml:"creationDate"`
	LastUpdatedBy  string `yaml:"lastUpdatedBy"`
	LastUpdateDate string `yaml:"lastUpdateDate"`
}

// fixtureTime reads an optional date-time of a seed file: nil when absent.
func fixtureTime(where, value string) (*time.Time, error) {
	if value == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		return nil, fmt.Errorf("%s: %q is not an RFC 3339 date-time (such as 2026-11-23T01:20:08Z)", where, value)
	}
	t = t.UTC()
	return &t, nil
}

type FixtureOracleRegistration struct {
	RegistrationID int64  `yaml:"registrationId"`
	UserID         int64  `yaml:"userId"`
	AccountPartyID int64  `yaml:"accountPartyId"`
	RequestTypeCd  string `yaml:"requestTypeCd"`
}

// oracleCodeLengths are the longest codes each known lookup type takes: the lengths of the
// attributes holding them.
var oracleCodeLengths = map[string]int{LookupRelationshipType: 320, LookupRequestType: 30}

// Lengths of the Oracle attributes a fixture fills, so that what is served stays within them.
const (
	maxOraclePartyName   = 360
	maxOraclePartyNumber = 30
	maxOracleEmail       = 320
	maxOracleLoginID     = 320
	maxOracleMeaning     = 80
	maxOracleWhoColumn   = 64
)

// loadOracleFixture checks and upserts the oracle: section. It runs inside LoadFixture's
// transaction.
func (tx *Tx) loadOracleFixture(oracle *FixtureOracle) error {
	if oracle == nil {
		return nil
	}
	if err := oracle.check(); err != nil {
		return err
	}
	if err := tx.checkOracleReferences(oracle); err != nil {
		return err
	}
	if err := tx.upsertOracleLookups(oracle); err != nil {
		return err
	}
	if err := tx.upsertOracleAccounts(oracle.Accounts); err != nil {
		return err
	}
	if err := tx.upsertOracleContacts(oracle.Contacts); err != nil {
		return err
	}
	if err := tx.upsertOracleSelfServiceUsers(oracle.SelfServiceUsers); err != nil {
		return err
	}
	return tx.upsertOracleRegistrations(oracle.Registrations)
}

// checkOraclePrivileges refuses privileges of a user (where) that are empty or not one of
// the Oracle privileges the service knows.
func checkOraclePrivileges(where string, privileges []string) error {
	for j, p := range privileges {
		if strings.TrimSpace(p) == "" {
			return fmt.Errorf("%s.privileges[%d]: must not be empty", where, j)
		}
		if !slices.Contains(oraclePrivileges, p) {
			return fmt.Errorf("%s.privileges[%d]: %q is not an Oracle privilege (use %s)", where, j, p, strings.Join(oraclePrivileges, ", "))
		}
	}
	return nil
}

// checkText: a required value within max characters.
func checkText(where, value string, max int) error {
	if value == "" {
		return fmt.Errorf("%s: required", where)
	}
	return checkLength(where, value, max)
}

func checkLength(where, value string, max int) error {
	if n := len([]rune(value)); n > max {
		return fmt.Errorf("%s: %d characters, at most %d", where, n, max)
	}
	return nil
}

func checkTime(where, value string) error {
	_, err := fixtureTime(where, value)
	return err
}

func checkPositive(where string, id int64) error {
	if id <= 0 {
		return fmt.Errorf("%s: must be a positive integer", where)
	}
	return nil
}

// lookupTypes returns the section's lookup types, sorted so that errors do not depend on
// map order.
func (o *FixtureOracle) lookupTypes() []string {
	types := make([]string, 0, len(o.Lookups))
	for t := range o.Lookups {
		types = append(types, t)
	}
	sort.Strings(types)
	return types
}

// firstIndex remembers at which index of a section each key was first seen.
type firstIndex[K comparable] map[K]int

// check fails when the key was seen before in the section.
func (f firstIndex[K]) check(section string, i int, key K) error {
	if first, ok := f[key]; ok {
		return fmt.Errorf("%s[%d]: duplicates %s[%d] (%v)", section, i, section, first, key)
	}
	f[key] = i
	return nil
}

// firstError returns the first of the checks' errors.
func firstError(checks ...error) error {
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}

// check finds what can be told wrong from the section alone.
func (o *FixtureOracle) check() error {
	for _, lookupType := range o.lookupTypes() {
		maxCode, known := oracleCodeLengths[lookupType]
		if !known {
			return fmt.Errorf("oracle.lookups.%s: unknown lookup type (use %s or %s)", lookupType, LookupRelationshipType, LookupRequestType)
		}
		section, codes := "oracle.lookups."+lookupType, firstIndex[string]{}
		for i, l := range o.Lookups[lookupType] {
			where := fmt.Sprintf("%s[%d]", section, i)
			if err := firstError(
				checkText(where+".code", l.Code, maxCode),
				checkText(where+".meaning", l.Meaning, maxOracleMeaning),
				codes.check(section, i, l.Code),
			); err != nil {
				return err
			}
		}
	}
	accounts := firstIndex[int64]{}
	for i, a := range o.Accounts {
		where := fmt.Sprintf("oracle.accounts[%d]", i)
		if err := firstError(
			checkParty(where, a.PartyID, a.Name, a.PartyNumber),
			accounts.check("oracle.accounts", i, a.PartyID),
		); err != nil {
			return err
		}
	}
	contacts := firstIndex[int64]{}
	for i, c := range o.Contacts {
		where := fmt.Sprintf("oracle.contacts[%d]", i)
		if err := firstError(
			checkParty(where, c.PartyID, c.Name, c.PartyNumber),
			checkLength(where+".email", c.Email, maxOracleEmail),
			contacts.check("oracle.contacts", i, c.PartyID),
		); err != nil {
			return err
		}
	}
	users := firstIndex[int64]{}
	for i, u := range o.SelfServiceUsers {
		where := fmt.Sprintf("oracle.selfServiceUsers[%d]", i)
		if err := firstError(
			checkPositive(where+".userId", u.UserID),
			checkText(where+".loginId", u.LoginID, maxOracleLoginID),
			checkLength(where+".createdBy", u.CreatedBy, maxOracleWhoColumn),
			checkLength(where+".lastUpdatedBy", u.LastUpdatedBy, maxOracleWhoColumn),
			checkTime(where+".creationDate", u.CreationDate),
			checkTime(where+".lastUpdateDate", u.LastUpdateDate),
			users.check("oracle.selfServiceUsers", i, u.UserID),
		); err != nil {
			return err
		}
	}
	registrations := firstIndex[int64]{}
	for i, r := range o.Registrations {
		where := fmt.Sprintf("oracle.registrations[%d]", i)
		if err := firstError(
			checkPositive(where+".registrationId", r.RegistrationID),
			checkText(where+".requestTypeCd", r.RequestTypeCd, oracleCodeLengths[LookupRequestType]),
			registrations.check("oracle.registrations", i, r.RegistrationID),
		); err != nil {
			return err
		}
	}
	return nil
}

// checkParty checks what accounts and contacts share: a positive party id, a name and a
// party number.
func checkParty(where string, partyID int64, name, partyNumber string) error {
	return firstError(
		checkPositive(where+".partyId", partyID),
		checkText(where+".name", name, maxOraclePartyName),
		checkText(where+".partyNumber", partyNumber, maxOraclePartyNumber),
	)
}

// idReference is an id the section refers to, and where.
type idReference struct {
	where string
	id    int64
}

// checkOracleReferences makes sure that every account, contact, self-service user and
// request type referred to exists, in the section or already in the database: one query
// per kind of reference.
func (tx *Tx) checkOracleReferences(o *FixtureOracle) error {
	var accountRefs, contactRefs, userRefs []idReference
	for i, c := range o.Contacts {
		for j, id := range c.Accounts {
			accountRefs = append(accountRefs, idReference{fmt.Sprintf("oracle.contacts[%d].accounts[%d]", i, j), id})
		}
	}
	for i, u := range o.SelfServiceUsers {
		contactRefs = append(contactRefs, idReference{fmt.Sprintf("oracle.selfServiceUsers[%d].contactPartyId", i), u.ContactPartyID})
	}
	for i, r := range o.Registrations {
		userRefs = append(userRefs, idReference{fmt.Sprintf("oracle.registrations[%d].userId", i), r.UserID})
		accountRefs = append(accountRefs, idReference{fmt.Sprintf("oracle.registrations[%d].accountPartyId", i), r.AccountPartyID})
	}
	accounts, contacts, users := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, a := range o.Accounts {
		accounts[a.PartyID] = true
	}
	for _, c := range o.Contacts {
		contacts[c.PartyID] = true
	}
	for _, u := range o.SelfServiceUsers {
		users[u.UserID] = true
	}
	for _, check := range []struct {
		what   string
		refs   []idReference
		inFile map[int64]bool
		model  any
		column string
	}{
		{"account", accountRefs, accounts, &OracleAccount{}, "party_id"},
		{"contact", contactRefs, contacts, &OracleContact{}, "party_id"},
		{"self-service user", userRefs, users, &OracleSelfServiceUser{}, "user_id"},
	} {
		if err := tx.checkIDReferences(check.what, check.refs, check.inFile, check.model, check.column); err != nil {
			return err
		}
	}
	return tx.checkRequestTypeReferences(o)
}

// checkIDReferences fails on the first reference that is neither in the file nor in the
// model's table, looking the others up with one query.
func (tx *Tx) checkIDReferences(what string, refs []idReference, inFile map[int64]bool, model any, column string) error {
	var unknown []int64
	for _, r := range refs {
		if !inFile[r.id] && !slices.Contains(unknown, r.id) {
			unknown = append(unknown, r.id)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	var stored []int64
	if err := tx.db.Model(model).Where(column+" IN ?", unknown).Pluck(column, &stored).Error; err != nil {
		return err
	}
	for _, r := range refs {
		if !inFile[r.id] && !slices.Contains(stored, r.id) {
			return fmt.Errorf("%s: %s %d does not exist", r.where, what, r.id)
		}
	}
	return nil
}

// checkRequestTypeReferences makes sure every registration's request type is a code of
// ORA_SVC_CSS_REQ_TYPE_CD, in the file or in the database.
func (tx *Tx) checkRequestTypeReferences(o *FixtureOracle) error {
	known := map[string]bool{}
	for _, l := range o.Lookups[LookupRequestType] {
		known[l.Code] = true
	}
	var unknown []string
	for _, r := range o.Registrations {
		if !known[r.RequestTypeCd] {
			unknown = append(unknown, r.RequestTypeCd)
		}
	}
	if len(unknown) > 0 {
		var stored []string
		if err := tx.db.Model(&OracleLookup{}).Where("lookup_type = ? AND code IN ?", LookupRequestType, unknown).
			Pluck("code", &stored).Error; err != nil {
			return err
		}
		for _, code := range stored {
			known[code] = true
		}
	}
	for i, r := range o.Registrations {
		if !known[r.RequestTypeCd] {
			return fmt.Errorf("oracle.registrations[%d].requestTypeCd: %q is not a code of lookup %s", i, r.RequestTypeCd, LookupRequestType)
		}
	}
	return nil
}

// upsertOracleLookups writes the lookup codes. A code listed without enabled keeps the state
// it has (a new one is enabled), so a later file restating a code does not re-enable it.
func (tx *Tx) upsertOracleLookups(oracle *FixtureOracle) error {
	var stated, unstated []OracleLookup
	for _, lookupType := range oracle.lookupTypes() {
		for _, l := range oracle.Lookups[lookupType] {
			row := OracleLookup{LookupType: lookupType, Code: l.Code, Meaning: l.Meaning, Enabled: l.Enabled == nil || *l.Enabled}
			if l.Enabled == nil {
				unstated = append(unstated, row)
			} else {
				stated = append(stated, row)
			}
		}
	}
	if len(stated) > 0 {
		if err := tx.db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&stated).Error; err != nil {
			return err
		}
	}
	if len(unstated) == 0 {
		return nil
	}
	return tx.db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "lookup_type"}, {Name: "code"}},
		DoUpdates: clause.AssignmentColumns([]string{"meaning"}),
	}).Create(&unstated).Error
}

func (tx *Tx) upsertOracleAccounts(accounts []FixtureOracleAccount) error {
	if len(accounts) == 0 {
		return nil
	}
	rows := make([]OracleAccount, len(accounts))
	for i, a := range accounts {
		rows[i] = OracleAccount{PartyID: a.PartyID, Name: a.Name, PartyNumber: a.PartyNumber}
	}
	return tx.db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&rows).Error
}

// upsertOracleContacts writes the contacts, then replaces their accounts with the file's.
func (tx *Tx) upsertOracleContacts(contacts []FixtureOracleContact) error {
	if len(contacts) == 0 {
		return nil
	}
	rows := make([]OracleContact, len(contacts))
	ids := make([]int64, len(contacts))
	var memberships []OracleContactAccount
	for i, c := range contacts {
		rows[i] = OracleContact{PartyID: c.PartyID, Name: c.Name, PartyNumber: c.PartyNumber}
		if c.Email != "" {
			rows[i].Email = &c.Email
		}
		ids[i] = c.PartyID
		for _, account := range c.Accounts {
			memberships = append(memberships, OracleContactAccount{ContactPartyID: c.PartyID, AccountPartyID: account})
		}
	}
	if err := tx.db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&rows).Error; err != nil {
		return err
	}
	if err := tx.db.Where("contact_party_id IN ?", ids).Delete(&OracleContactAccount{}).Error; err != nil {
		return err
	}
	if len(memberships) == 0 {
		return nil
	}
	return tx.db.Clauses(clause.OnConflict{DoNothing: true}).Create(&memberships).Error
}

// upsertOracleSelfServiceUsers writes the users, their Who columns as
// FixtureOracleSelfServiceUser says: the stored users among them are read first (one query
// per thousand), on PostgreSQL locked so that a role write cannot stamp them meanwhile.
func (tx *Tx) upsertOracleSelfServiceUsers(users []FixtureOracleSelfServiceUser) error {
	if len(users) == 0 {
		return nil
	}
	stored := make(map[int64]OracleSelfServiceUser, len(users))
	for chunk := range slices.Chunk(users, 1000) {
		ids := make([]int64, len(chunk))
		for i, u := range chunk {
			ids[i] = u.UserID
		}
		query := tx.db.Where("user_id IN ?", ids)
		if tx.dialect == Postgres {
			query = query.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
		}
		var rows []OracleSelfServiceUser
		if err := query.Find(&rows).Error; err != nil {
			return err
		}
		for _, row := range rows {
			stored[row.UserID] = row
		}
	}
	now := time.Now().UTC()
	rows := make([]OracleSelfServiceUser, len(users))
	for i, u := range users {
		row, err := u.row(stored, now)
		if err != nil {
			return fmt.Errorf("oracle.selfServiceUsers[%d]: %w", i, err)
		}
		rows[i] = row
	}
	return tx.db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&rows).Error
}

// row is the user as the file leaves it, given the stored users and the load's time.
func (u *FixtureOracleSelfServiceUser) row(stored map[int64]OracleSelfServiceUser, now time.Time) (OracleSelfServiceUser, error) {
	row := OracleSelfServiceUser{UserID: u.UserID, LoginID: u.LoginID, ContactPartyID: u.ContactPartyID}
	if old, found := stored[u.UserID]; found {
		row.CreatedBy, row.CreationDate = old.CreatedBy, old.CreationDate
		row.LastUpdatedBy, row.LastUpdateDate = old.LastUpdatedBy, old.LastUpdateDate
		if old.LoginID != u.LoginID || old.ContactPartyID != u.ContactPartyID {
			row.LastUpdatedBy, row.LastUpdateDate = OracleSeedActor, now
		}
	} else {
		row.CreatedBy, row.CreationDate = OracleSeedActor, now
	}
	if u.CreatedBy != "" {
		row.CreatedBy = u.CreatedBy
	}
	// check has read the dates.
	creationDate, _ := fixtureTime("", u.CreationDate)
	lastUpdateDate, _ := fixtureTime("", u.LastUpdateDate)
	if creationDate != nil {
		row.CreationDate = *creationDate
	}
	if _, found := stored[u.UserID]; !found {
		// A new row was last updated when it was created.
		row.LastUpdatedBy, row.LastUpdateDate = row.CreatedBy, row.CreationDate
	}
	if u.LastUpdatedBy != "" {
		row.LastUpdatedBy = u.LastUpdatedBy
	}
	if lastUpdateDate != nil {
		row.LastUpdateDate = *lastUpdateDate
	}
	if row.LastUpdateDate.Before(row.CreationDate) {
		return row, fmt.Errorf("lastUpdateDate %s is before creationDate %s",
			row.LastUpdateDate.Format(time.RFC3339), row.CreationDate.Format(time.RFC3339))
	}
	return row, nil
}

func (tx *Tx) upsertOracleRegistrations(registrations []FixtureOracleRegistration) error {
	if len(registrations) == 0 {
		return nil
	}
	rows := make([]OracleRegistration, len(registrations))
	for i, r := range registrations {
		rows[i] = OracleRegistration{RegistrationID: r.RegistrationID, UserID: r.UserID, AccountPartyID: r.AccountPartyID, RequestTypeCd: r.RequestTypeCd}
	}
	return tx.db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&rows).Error
}
