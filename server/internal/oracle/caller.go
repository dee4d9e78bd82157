package oracle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/untrusted"
	"github.com/custaccess/custaccess/store"
)

// Oracle privileges the self-service role operations check.
const (
	privilegeManageRoles     = store.PrivilegeManageSelfServiceRoles
	privilegeViewRoles       = store.PrivilegeViewSelfServiceRoles
	privilegeDeleteLastAdmin = store.PrivilegeDeleteLastAccountAdmin
)

// maxWhoColumn is the length of CreatedBy and LastUpdatedBy, as Oracle documents them.
const maxWhoColumn = 64

// oracleCaller is the user calling an Oracle operation with its privileges as stored now:
// they are read at every request, so a change takes effect at once.
type oracleCaller struct {
	login string
	// who names the caller in CreatedBy and LastUpdatedBy: its login, cut to their length
	// (logins have none).
	who        string
	privileges []string
}

// loadOracleCaller finds the token's user; one that no longer exists has an invalid token.
func loadOracleCaller(ctx context.Context, tx *store.Tx) (*oracleCaller, error) {
	claims := auth.PrincipalFrom(ctx)
	if claims == nil {
		return nil, newADFError(adfAuthenticationRequired)
	}
	privileges, err := tx.OraclePrivilegesOf(claims.Subject)
	if errors.Is(err, store.ErrNotFound) {
		return nil, newADFError(adfInvalidToken)
	}
	if err != nil {
		return nil, err
	}
	who, _ := untrusted.Cut(claims.Subject, maxWhoColumn)
	return &oracleCaller{login: claims.Subject, who: who, privileges: privileges}, nil
}

func (c *oracleCaller) holds(privilege string) bool { return slices.Contains(c.privileges, privilege) }

func (c *oracleCaller) canManage() bool { return c.holds(privilegeManageRoles) }

// requireManage: creating, changing and removing roles needs the manage privilege.
func (c *oracleCaller) requireManage(action string) error {
	if !c.canManage() {
		return newADFError(cssPrivilegeRequired, privilegeManageRoles, action)
	}
	return nil
}

// requireRead: reading roles needs the view or the manage privilege.
func (c *oracleCaller) requireRead() error {
	if !c.canManage() && !c.holds(privilegeViewRoles) {
		return newADFError(cssPrivilegeRequired, privilegeViewRoles+" or "+privilegeManageRoles, "read")
	}
	return nil
}

// updateLogin is the LastUpdateLogin the caller stamps. Oracle stamps the id of the login
// session that made the change; this service has no sessions, so it stamps what stands in
// for one: 32 hexadecimal characters (the attribute's length) derived from the caller's
// login, the same for every change the caller makes.
func (c *oracleCaller) updateLogin() string {
	sum := sha256.Sum256([]byte(c.login))
	return strings.ToUpper(hex.EncodeToString(sum[:16]))
}
