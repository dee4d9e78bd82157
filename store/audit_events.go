package store

// The events of each API's writes. Each vendor package calls one of these, once, inside the
// write's transaction; each appends one pending event (appendAudit). A refused request
// returns an error and rolls its transaction back, its event with it.
//
// changes maps what changed to {"before": …, "after": …}: only the changed pairs, roles,
// permissions or attributes, never whole tables.

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// auditChange is one changed thing, before and after.
// Its fields are declared in the order of their keys, so that its JSON is already in the
// canonical form (keys sorted) and the write digests it as it is (canonicalChanges).
type auditChange struct {
	After  any `json:"after"`
	Before any `json:"before"`
}

// auditGrant is one eGain grant: grantee holds a grant on grantedOn.
type auditGrant struct {
	GrantedOn string `json:"grantedOn"`
	Grantee   string `json:"grantee"`
}

func formatAuditID(id int64) string { return strconv.FormatInt(id, 10) }

// AuditGrantsCreated records eGain's createCustomerGrants: the grants actually added (none
// when every grantee held one already: the request succeeded and changed nothing).
func (tx *Tx) AuditGrantsCreated(grantedOnID int64, added []int64) error {
	added = sortedCopy(added)
	grantedOn := formatAuditID(grantedOnID)
	targets := make([]AuditTarget, 1, 1+len(added))
	targets[0] = AuditTarget{Type: AuditTargetCustomer, ID: grantedOn}
	for _, id := range added {
		targets = append(targets, AuditTarget{Type: AuditTargetCustomer, ID: formatAuditID(id)})
	}
	return tx.appendAudit(AuditAPIEgain, targets, grantsCreatedChanges(grantedOn, targets[1:]))
}

// grantsCreatedChanges is the JSON of {"grants": auditChange{After: the grants on grantedOn
// of the grantees, Before: none}}, byte for byte as encoding/json writes it and in canonical
// form, written directly: eGain's create is the hottest write, and this saves the encoder's
// reflection and appendAudit's check.
func grantsCreatedChanges(grantedOn string, grantees []AuditTarget) canonicalChangesJSON {
	b := make([]byte, 0, 32+len(grantees)*(32+len(grantedOn)+12))
	b = append(b, `{"grants":{"after":[`...)
	for i, grantee := range grantees {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"grantedOn":"`...)
		b = append(b, grantedOn...) // decimal digits: nothing to escape
		b = append(b, `","grantee":"`...)
		b = append(b, grantee.ID...)
		b = append(b, `"}`...)
	}
	return append(b, `],"before":[]}}`...)
}

// AuditGrantRemoved records eGain's deleteCustomerGrant.
func (tx *Tx) AuditGrantRemoved(grantedOnID, granteeID int64) error {
	grant := auditGrant{GrantedOn: formatAuditID(grantedOnID), Grantee: formatAuditID(granteeID)}
	return tx.appendAudit(AuditAPIEgain, auditTargets(AuditTargetCustomer, grant.GrantedOn, grant.Grantee),
		map[string]auditChange{"grants": {Before: []auditGrant{grant}, After: []auditGrant{}}})
}

// AuditReltioCustomerRoles records Reltio's addCustomerRoles (replace false) or
// replaceCustomerRoles: the customer's role names before and after. Call it before the write.
func (tx *Tx) AuditReltioCustomerRoles(customerID string, names []string, replace bool) error {
	var before []string
	if err := tx.db.Model(&ReltioRole{}).Where("customer_id = ?", customerID).Pluck("name", &before).Error; err != nil {
		return err
	}
	before = sortedCopy(before)
	after := sortedCopy(names)
	if !replace {
		after = sortedCopy(append(slices.Clone(before), names...))
	}
	targets := []AuditTarget{{Type: AuditTargetReltioCustomer, ID: customerID}}
	for _, name := range sortedCopy(append(slices.Clone(before), after...)) {
		if slices.Contains(before, name) != slices.Contains(after, name) {
			targets = append(targets, AuditTarget{Type: AuditTargetReltioRole, ID: customerID + "/" + name})
		}
	}
	if before == nil {
		before = []string{}
	}
	return tx.appendAudit(AuditAPIReltio, targets, map[string]auditChange{"roles": {Before: before, After: after}})
}

func (p ReltioPermission) auditString() string {
	return p.Service + "/" + p.Resource + "/" + p.Privilege
}

// AuditReltioPermissions records Reltio's assignRolePermissions (replace false: each role
// gains permissions), replaceRolePermissions and clearRolePermissions (replace true: each
// role's permissions become these): each role's permissions before and after. roles are
// the customer's roles permissions names by id. Call it before the write.
func (tx *Tx) AuditReltioPermissions(customerID string, roles []ReltioRole, permissions map[int64][]ReltioPermission, replace bool) error {
	ids := make([]int64, 0, len(roles))
	for _, r := range roles {
		ids = append(ids, r.ID)
	}
	held, err := tx.ReltioRolePermissions(ids)
	if err != nil {
		return err
	}
	targets := []AuditTarget{{Type: AuditTargetReltioCustomer, ID: customerID}}
	changes := map[string]auditChange{}
	for _, r := range roles {
		before := []string{}
		for _, p := range held[r.ID] {
			before = append(before, p.auditString())
		}
		after := []string{}
		if !replace {
			after = append(after, before...)
		}
		for _, p := range permissions[r.ID] {
			if s := p.auditString(); !slices.Contains(after, s) {
				after = append(after, s)
			}
		}
		targets = append(targets, AuditTarget{Type: AuditTargetReltioRole, ID: customerID + "/" + r.Name})
		changes[r.Name] = auditChange{Before: before, After: after}
	}
	return tx.appendAudit(AuditAPIReltio, targets, changes)
}

// AuditReltioRoleRemoved records Reltio's deleteCustomerRole: the role and its permissions
// before, nothing after. Call it before the write.
func (tx *Tx) AuditReltioRoleRemoved(customerID string, role ReltioRole) error {
	held, err := tx.ReltioRolePermissions([]int64{role.ID})
	if err != nil {
		return err
	}
	permissions := []string{}
	for _, p := range held[role.ID] {
		permissions = append(permissions, p.auditString())
	}
	targets := []AuditTarget{{Type: AuditTargetReltioCustomer, ID: customerID}, {Type: AuditTargetReltioRole, ID: customerID + "/" + role.Name}}
	return tx.appendAudit(AuditAPIReltio, targets, map[string]auditChange{
		role.Name: {Before: map[string]any{"role": role.Name, "permissions": permissions}, After: nil},
	})
}

// rememberOracleRole keeps the first read of a role (see Tx.oracleRolesRead).
func (tx *Tx) rememberOracleRole(role OracleSelfServiceRole, err error) {
	if err != nil {
		return
	}
	if tx.oracleRolesRead == nil {
		tx.oracleRolesRead = map[int64]OracleSelfServiceRole{}
	}
	if _, seen := tx.oracleRolesRead[role.RoleID]; !seen {
		tx.oracleRolesRead[role.RoleID] = role
	}
}

// oracleAuditAttributes are the attributes of a role an event compares; the who-columns
// are the event's actor and time.
func oracleAuditAttributes(r *OracleSelfServiceRole) map[string]any {
	var requestType, registration, end any
	if r.RequestTypeCd != nil {
		requestType = *r.RequestTypeCd
	}
	if r.RegistrationID != nil {
		registration = *r.RegistrationID
	}
	if r.EndDate != nil {
		end = r.EndDate.UTC().Format(time.RFC3339)
	}
	return map[string]any{
		"UserId": r.UserID, "AccountPartyId": r.AccountPartyID, "RelationshipTypeCd": r.RelationshipTypeCd,
		"RequestTypeCd": requestType, "RegistrationId": registration,
		"StartDate": r.StartDate.UTC().Format(time.RFC3339), "EndDate": end,
	}
}

func oracleRoleTargets(r *OracleSelfServiceRole) []AuditTarget {
	return []AuditTarget{
		{Type: AuditTargetOracleUser, ID: formatAuditID(r.UserID)},
		{Type: AuditTargetOracleRole, ID: formatAuditID(r.RoleID)},
		{Type: AuditTargetOracleAccount, ID: formatAuditID(r.AccountPartyID)},
	}
}

// AuditOracleRole records Oracle's createSelfServiceRole (a new role, or with Upsert-Mode
// the active role it updated) and updateSelfServiceRole: the attributes that changed, as the
// transaction first read the role and as written. Call it after the write.
func (tx *Tx) AuditOracleRole(role *OracleSelfServiceRole) error {
	after := oracleAuditAttributes(role)
	var before map[string]any
	if read, ok := tx.oracleRolesRead[role.RoleID]; ok {
		before = oracleAuditAttributes(&read)
	}
	changes := map[string]auditChange{}
	for name, value := range after {
		var was any
		if before != nil {
			was = before[name]
		}
		if before == nil || fmt.Sprint(was) != fmt.Sprint(value) {
			changes[name] = auditChange{Before: was, After: value}
		}
	}
	return tx.appendAudit(AuditAPIOracle, oracleRoleTargets(role), changes)
}

// AuditOracleRolesEnding records Oracle's deleteSelfServiceRole: the roles it ends (the one
// named and, for ORA_CSS_USER, the user's other active roles on the account), each EndDate
// from none to end. Call it with the roles as they are before the write.
func (tx *Tx) AuditOracleRolesEnding(ending []OracleSelfServiceRole, end time.Time) error {
	var targets []AuditTarget
	changes := map[string]auditChange{}
	seen := map[AuditTarget]bool{}
	for _, r := range ending {
		for _, t := range oracleRoleTargets(&r) {
			if !seen[t] {
				seen[t] = true
				targets = append(targets, t)
			}
		}
		changes[formatAuditID(r.RoleID)+".EndDate"] = auditChange{Before: nil, After: end.UTC().Format(time.RFC3339)}
	}
	return tx.appendAudit(AuditAPIOracle, targets, changes)
}

// auditSeed records a seed file's load: one event per file, a summary of what it holds
// (counts per section, the clients whose secret it set, the principals it makes auditors).
func (tx *Tx) auditSeed(f *Fixture) error {
	name := f.Name
	if name == "" {
		name = "(unnamed)"
	}
	loaded := map[string]int{
		"departments": len(f.Departments), "customers": len(f.Customers),
		"users": len(f.Users), "clients": len(f.Clients),
	}
	if f.Reltio != nil {
		loaded["reltioServices"], loaded["reltioSystemRoles"], loaded["reltioCustomers"] = len(f.Reltio.Services), len(f.Reltio.SystemRoles), len(f.Reltio.Customers)
	}
	if f.Oracle != nil {
		loaded["oracleAccounts"], loaded["oracleContacts"] = len(f.Oracle.Accounts), len(f.Oracle.Contacts)
		loaded["oracleSelfServiceUsers"], loaded["oracleRegistrations"] = len(f.Oracle.SelfServiceUsers), len(f.Oracle.Registrations)
	}
	secretsSet, auditors := []string{}, []string{}
	for _, c := range f.Clients {
		if c.Secret != nil || c.SecretHash != nil {
			secretsSet = append(secretsSet, c.ClientID)
		}
		if c.Auditor {
			auditors = append(auditors, "client:"+c.ClientID)
		}
	}
	for _, u := range f.Users {
		if u.Auditor {
			auditors = append(auditors, "user:"+u.Login)
		}
	}
	targets := []AuditTarget{{Type: AuditTargetSeedFile, ID: name}}
	for _, id := range secretsSet {
		targets = append(targets, AuditTarget{Type: AuditTargetClient, ID: id})
	}
	return tx.appendAudit(AuditAPISeed, targets, map[string]any{
		"loaded": loaded, "clientSecretsSet": secretsSet, "auditors": auditors,
	})
}
