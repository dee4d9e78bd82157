package oracle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/custaccess/custaccess/store"
)

// Entity tags of roles and self-service users (RFC 9110 §8.8.3), as ADF serves them: the
// ETag header of an item, and the same value without its quotes as the changeIndicator of
// the item's self link.

// roleChangeIndicator is a role's version as ADF's changeIndicator: "<RoleId>-<RowVersion>".
// RowVersion grows with every write of the role, so the value changes whenever it does.
func roleChangeIndicator(view *store.OracleRoleView) string {
	return strconv.FormatInt(view.RoleID, 10) + "-" + strconv.FormatInt(view.RowVersion, 10)
}

// roleETag is the ETag header of a role.
func roleETag(view *store.OracleRoleView) string { return `"` + roleChangeIndicator(view) + `"` }

// entityTag is one tag of an If-Match or If-None-Match list.
type entityTag struct {
	weak   bool
	opaque string // with its quotes
}

// parseEntityTags reads a header's list: "*" (any), or comma-separated tags. ok is false
// for a list that is not one; it then matches nothing.
func parseEntityTags(header string) (any bool, tags []entityTag, ok bool) {
	rest := strings.TrimSpace(header)
	if rest == "*" {
		return true, nil, true
	}
	for rest != "" {
		var tag entityTag
		if strings.HasPrefix(rest, "W/") {
			tag.weak, rest = true, rest[2:]
		}
		if !strings.HasPrefix(rest, `"`) {
			return false, nil, false
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return false, nil, false
		}
		tag.opaque, rest = rest[:end+2], strings.TrimSpace(rest[end+2:])
		tags = append(tags, tag)
		if rest == "" {
			break
		}
		if rest[0] != ',' {
			return false, nil, false
		}
		rest = strings.TrimLeft(rest[1:], " \t,")
	}
	return false, tags, len(tags) > 0
}

// ifMatchHolds tells whether an If-Match header (nil: absent) admits an item (a role or a
// user) whose ETag is current: "*" or one of its tags, compared strongly (a weak tag never matches).
func ifMatchHolds(header *string, current string) bool {
	if header == nil {
		return true
	}
	any, tags, ok := parseEntityTags(*header)
	if !ok {
		return false
	}
	if any {
		return true
	}
	for _, t := range tags {
		if !t.weak && t.opaque == current {
			return true
		}
	}
	return false
}

// ifNoneMatchFails tells whether an If-None-Match header (nil: absent) names an item (a role
// or a user) whose ETag is current, compared weakly: the client's copy is current (304).
func ifNoneMatchFails(header *string, current string) bool {
	if header == nil {
		return false
	}
	any, tags, ok := parseEntityTags(*header)
	if !ok {
		return false
	}
	if any {
		return true
	}
	for _, t := range tags {
		if t.opaque == current {
			return true
		}
	}
	return false
}

// requireIfMatch refuses a write whose If-Match the role, as stored now, fails.
func requireIfMatch(header *string, role *store.OracleSelfServiceRole) error {
	view := store.OracleRoleView{RoleID: role.RoleID, RowVersion: role.RowVersion}
	if current := roleETag(&view); !ifMatchHolds(header, current) {
		return newADFError(cssChangedMeanwhile, role.RoleID, current).at("If-Match")
	}
	return nil
}

// userChangeIndicator is a self-service user's entity tag without its quotes:
// "<UserId>-<digest>", the digest (64 bits of SHA-256, in hex) of every attribute the user's
// item shows, and, when the item embeds its roles, of every attribute of each embedded role
// (the flags included, which follow the caller and the account's other administrators), and
// when it embeds its history, of the ids of the entries shown and whether there are more.
// The users are kept by the seed file and have no version a write bumps, so the tag is made
// from what the item shows: it changes whenever the item does, LastUpdateDate included,
// which every write of one of the user's roles stamps (to the stored precision, finer than
// the second the item shows).
func userChangeIndicator(u *store.OracleUserView, children *embeddedChildren) string {
	h := sha256.New()
	// Views as JSON: every attribute, its absence (null) told apart from an empty value.
	write := func(v any) {
		shown, err := json.Marshal(v)
		if err != nil {
			panic(err) // structs of strings, integers, times and flags always encode
		}
		h.Write(shown)
	}
	write(u)
	if children.expand.roles {
		h.Write([]byte("\x00roles"))
		for _, r := range children.roles[u.UserID] {
			write(r.view)
			write([2]bool{r.canUpdate, r.canDelete})
		}
	}
	if children.expand.history {
		// An entry never changes once made (its id is its event's seq and its role's id):
		// the ids of the page shown, and whether more follow, tell every change of it.
		h.Write([]byte("\x00history"))
		entries := children.history[u.UserID]
		for _, e := range entries[:min(len(entries), defaultPageLimit)] {
			h.Write([]byte("\x00" + e.id))
		}
		write(len(entries) > defaultPageLimit)
	}
	return strconv.FormatInt(u.UserID, 10) + "-" + hex.EncodeToString(h.Sum(nil)[:8])
}
