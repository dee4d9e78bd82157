package oracle_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/server/internal/servertest"
)

// qPath is a page of sam's roles (all of them fit) filtered by q.
func qPath(q string) string {
	return servertest.RolesPath(servertest.Sam) + "?limit=500&q=" + url.QueryEscape(q)
}

// qMatch is a q that matches the roles ids, under a framework version.
func qMatch(name, version, q string, ids ...int64) readCase {
	if ids == nil {
		ids = []int64{}
	}
	return readCase{name: name, version: version, path: qPath(q), ids: ids}
}

// qRefusal is a q refused under a framework version: 400 ADF_REST_INVALID_PARAMETER at q
// (a plain-text detail before version 4), the detail naming token and its position (where
// at first occurs in q), or the end of q when at is empty.
func qRefusal(name, version, q, at, token string) readCase {
	c := readCase{name: name, version: version, path: qPath(q), status: 400, code: "ADF_REST_INVALID_PARAMETER", at: "q"}
	if version < "4" {
		c.code, c.at = "", ""
	}
	want := fmt.Sprintf("at the end of q (position %d)", len([]rune(q))+1)
	if at != "" {
		want = fmt.Sprintf("%q at position %d", token, len([]rune(q[:strings.Index(q, at)]))+1)
	}
	c.check = func(t *testing.T, body []byte) {
		detail := string(body)
		if c.code != "" {
			detail = qDetail(t, body)
		}
		if !strings.Contains(detail, want) {
			t.Errorf("detail %q does not name %s", detail, want)
		}
	}
	return c
}

// TestQGrammar: q through the whole stack on each database, by framework version — every
// operator, precedence, quoting, types, keyword and attribute case, bounds, and injection
// attempts, which are refused or match nothing. Sam's active roles are 2–15 (User) and
// 16–29 (Account Administrator) on Acme, Globex, Account 0 … Account 10 and O'Brien; Sons
// in that order; 30 is ended (listFixture, seedListRoles). Nothing changes on any request.
func TestQGrammar(t *testing.T) {
	now := time.Now().UTC()
	today, yesterday, tomorrow := now.Format(time.DateOnly), now.AddDate(0, 0, -1).Format(time.DateOnly), now.AddDate(0, 0, 1).Format(time.DateOnly)
	active := idsFrom(2, 29)
	users, admins := idsFrom(2, 15), idsFrom(16, 29)
	accountDigit := append(idsFrom(4, 13), idsFrom(18, 27)...) // Account 0 … Account 9
	withFinder := func(c readCase) readCase {
		c.path += "&finder=AllRolesFinder"
		return c
	}
	runReadCases(t, []readCase{
		// rowmatch (version 4): every operator
		qMatch("=", "4", "RoleId = 16", 16),
		qMatch("!=", "4", "RoleId != 16 AND RoleId < 5", 2, 3, 4),
		qMatch("<>", "4", "RoleId <> 2 AND RoleId <= 4", 3, 4),
		qMatch("<", "4", "RoleId < 3", 2),
		qMatch("<=", "4", "RoleId <= 3", 2, 3),
		qMatch(">", "4", "RoleId > 27", 28, 29),
		qMatch(">=", "4", "RoleId >= 28", 28, 29),
		qMatch("IN", "4", "RoleId IN (2, 16, 30)", 2, 16),
		qMatch("NOT IN", "4", "RoleId NOT IN (2, 16) AND RoleId < 5", 3, 4),
		qMatch("BETWEEN", "4", "RoleId BETWEEN 10 AND 12", 10, 11, 12),
		qMatch("NOT BETWEEN", "4", "RoleId NOT BETWEEN 3 AND 29", 2),
		qMatch("LIKE %", "4", "AccountPartyName LIKE 'Acme%'", 2, 16),
		qMatch("LIKE is case-sensitive", "4", "AccountPartyName LIKE 'acme%'"),
		qMatch("LIKE _", "4", "AccountPartyName LIKE 'Account _'", accountDigit...),
		qMatch("NOT LIKE", "4", "AccountPartyName NOT LIKE 'Account%'", 2, 3, 15, 16, 17, 29),
		qMatch("UPPER", "4", "UPPER(AccountPartyName) LIKE 'ACME%'", 2, 16),
		qMatch("LOWER", "4", "LOWER(RoleValue) = 'user'", users...),
		qMatch("IS NULL", "4", "RequestTypeCd IS NULL", active...),
		qMatch("IS NOT NULL", "4", "RequestTypeCd IS NOT NULL"),
		qMatch("text = is case-sensitive", "4", "AccountPartyName = 'acme corp'"),
		qMatch("text <", "4", "AccountPartyName < 'B'", append(append([]int64{2}, idsFrom(4, 14)...), append([]int64{16}, idsFrom(18, 28)...)...)...),
		qMatch("text IN", "4", "AccountPartyNumber IN ('CDRM_1001', 'CDRM_1002')", 2, 3, 5, 6, 16, 17, 19, 20),
		qMatch("number", "4", "AccountPartyId = 300100000000002", 3, 17),
		qMatch("quoted number", "4", "RoleId = '16'", 16),
		// quoting
		qMatch("quoted with a space", "4", "AccountPartyName = 'Acme Corp'", 2, 16),
		qMatch("doubled quote and a semicolon", "4", "AccountPartyName = 'O''Brien; Sons'", 15, 29),
		qMatch("empty string", "4", "AccountPartyName = ''"),
		// precedence
		qMatch("AND binds tighter than OR", "4", "RoleId = 2 OR RoleId = 3 AND RelationshipTypeCd = 'ORA_CSS_ACC_ADMIN'", 2),
		qMatch("parentheses", "4", "(RoleId = 2 OR RoleId = 16) AND RelationshipTypeCd = 'ORA_CSS_ACC_ADMIN'", 16),
		qMatch("NOT binds to one condition", "4", "NOT RelationshipTypeCd = 'ORA_CSS_USER' AND RoleId < 18", 16, 17),
		qMatch("NOT of a group", "4", "NOT (RoleId > 3 OR RoleId = 2)", 3),
		qMatch("the issue's example", "4", "RelationshipTypeCd='ORA_CSS_USER' and AccountPartyId > 0", users...),
		qMatch("version 2", "2", "RelationshipTypeCd = 'ORA_CSS_ACC_ADMIN'", admins...),
		qMatch("version 9", "9", "RelationshipTypeCd = 'ORA_CSS_ACC_ADMIN' AND RoleId < 18", 16, 17),
		// keyword and attribute case
		qMatch("keywords any case", "4", "RelationshipTypeCd iN ('ORA_CSS_USER') aNd RoleId bEtWeEn 2 and 3 oR RoleId = 4", 2, 3, 4),
		qRefusal("attribute names are exact", "4", "roleid = 2", "roleid", "roleid"),
		qRefusal("attribute names are exact, v1", "1", "RoleID=2", "RoleID", "RoleID"),
		// types
		qRefusal("number given text", "4", "RoleId = 'abc'", "'abc'", "'abc'"),
		qRefusal("text given a number", "4", "AccountPartyName = 5", "5", "5"),
		qRefusal("text unquoted", "4", "RelationshipTypeCd = ORA_CSS_USER", "ORA_CSS_USER", "ORA_CSS_USER"),
		qRefusal("LIKE on a number", "4", "RoleId LIKE '1%'", "LIKE", "LIKE"),
		qRefusal("UPPER on a number", "4", "UPPER(RoleId) = '1'", "RoleId)", "RoleId"),
		qRefusal("a flag", "4", "CanDeleteFlag = 'true'", "CanDeleteFlag", "CanDeleteFlag"),
		qRefusal("a date given a timestamp", "4", "StartDate = '"+today+"T00:00:00Z'", "'"+today, "'"+today+"T00:00:00Z'"),
		qRefusal("a timestamp with a fraction", "4", "CreationDate = '"+today+"T00:00:00.5Z'", "'"+today, "'"+today+"T00:00:00.5Z'"),
		qMatch("date =", "4", "StartDate = '"+today+"'", active...),
		qMatch("date <", "4", "StartDate < '"+today+"'"),
		qMatch("date >=", "4", "StartDate >= '"+today+"'", active...),
		qMatch("date !=", "4", "StartDate != '"+today+"'"),
		qMatch("date BETWEEN", "4", "StartDate BETWEEN '"+yesterday+"' AND '"+tomorrow+"'", active...),
		qMatch("timestamp, whole day", "4", "CreationDate = '"+today+"'", active...),
		qMatch("timestamp <", "4", "CreationDate < '"+today+"T00:00:00Z'"),
		qMatch("timestamp > with an offset", "4", "LastUpdateDate > '"+yesterday+"T12:00:00+00:00'", active...),
		qMatch("timestamp without a zone", "4", "CreationDate < '"+tomorrow+"T00:00:00'", active...),
		withFinder(qMatch("date IS NOT NULL, ended roles too", "4", "EndDate IS NOT NULL", 30)),
		withFinder(qMatch("date = on an ended role", "4", "EndDate = '"+today+"' OR RoleId = 2", 2, 30)),
		// query-by-example (version 1)
		qMatch("v1 =", "1", "RoleId=16", 16),
		qMatch("v1 =>", "1", "RoleId=>27", 28, 29),
		qMatch("v1 >", "1", "RoleId>27", 28, 29),
		qMatch("v1 =<", "1", "RoleId=<3", 2),
		qMatch("v1 ==", "1", "RoleId==16", 16),
		qMatch("v1 !=", "1", "RelationshipTypeCd!=ORA_CSS_USER;RoleId=<18", 16, 17),
		qMatch("v1 IN", "1", "RoleId=IN (2,16,30)", 2, 16),
		qMatch("v1 BETWEEN", "1", "RoleId=BETWEEN 10 AND 12", 10, 11, 12),
		qMatch("v1 LIKE *", "1", "AccountPartyName=LIKE Acme*", 2, 16),
		qMatch("v1 LIKE * first, quoted", "1", "AccountPartyName=LIKE '*; Sons'", 15, 29),
		qMatch("v1 NOT LIKE", "1", "AccountPartyName=NOT LIKE Account*", 2, 3, 15, 16, 17, 29),
		qMatch("v1 IS NULL", "1", "RequestTypeCd=IS NULL", active...),
		qMatch("v1 IS NOT NULL", "1", "RequestTypeCd=IS NOT NULL"),
		qMatch("v1 two terms", "1", "RelationshipTypeCd=ORA_CSS_USER;RoleId=<4", 2, 3),
		qMatch("v1 empty terms", "1", ";RoleId=16;", 16),
		qMatch("v1 date", "1", "StartDate="+today, active...),
		qMatch("v1 is the default", "", "RoleId=16", 16),
		// injection attempts: refused, or matching nothing
		qRefusal("OR 1=1", "4", "RoleId = 2 OR 1=1", "1=1", "1"),
		qRefusal("' OR 1=1 --", "4", "AccountPartyName = '' OR 1=1 --'", "1=1", "1"),
		qMatch("' OR 1=1 -- quoted", "4", "AccountPartyName = ''' OR 1=1 --'"),
		qRefusal(";DROP", "4", "RoleId = 2;DROP TABLE oracle_self_service_roles", ";DROP", ";"),
		qRefusal("unicode quotes", "4", "AccountPartyName = ’Acme Corp’", "’Acme", "’"),
		qRefusal("unicode opening quote", "4", "AccountPartyName = ‘Acme Corp‘", "‘Acme", "‘"),
		qMatch("unicode quotes quoted", "4", "AccountPartyName = '‘Acme Corp’'"),
		qRefusal("-- comment", "4", "AccountPartyName = 'x' -- comment", "-- comment", "-"),
		qRefusal("/* */ comment", "4", "AccountPartyName = 'x' /* */", "/* */", "/"),
		qRefusal("UNION", "4", "RoleId = 2 UNION SELECT role_id FROM oracle_self_service_roles", "UNION", "UNION"),
		qMatch("UNION quoted", "4", "AccountPartyName = 'x'' UNION SELECT 1 --'"),
		qMatch(";DROP quoted", "4", "AccountPartyName = 'Acme Corp'';DROP TABLE oracle_accounts;--'"),
		qRefusal("v1 OR 1=1", "1", "RoleId=2 OR 1=1", "OR 1=1", "OR"),
		qMatch("v1 '1'='1' quoted", "1", "AccountPartyName='x'' OR ''1''=''1'"),
		qRefusal("v1 ;DROP", "1", "RoleId=2;DROP TABLE oracle_self_service_roles", "DROP", "DROP"),
		qRefusal("v1 unicode quotes", "1", "AccountPartyName=’Acme’", "’", "’"),
		qRefusal("v1 --", "1", "RoleId=2 --", "--", "--"),
		qRefusal("v1 /* */", "1", "RoleId=2 /* */", "/*", "/*"),
		qRefusal("v1 UNION", "1", "RoleId=2 UNION SELECT 1", "UNION", "UNION"),
		// bounds
		qMatch("ten deep", "4", strings.Repeat("(", 10)+"RoleId = 2"+strings.Repeat(")", 10), 2),
		qRefusal("eleven deep", "4", strings.Repeat("(", 11)+"RoleId = 2"+strings.Repeat(")", 11), "(RoleId", "("),
		qRefusal("51 conditions", "4", strings.Repeat("RoleId = 2 OR ", 50)+"RoleId = 3", "RoleId = 3", "RoleId"),
		qMatch("200 values", "4", "RoleId IN ("+strings.Repeat("2, ", 199)+"3)", 2, 3),
		qRefusal("201 values", "4", "RoleId IN ("+strings.Repeat("2, ", 200)+"3)", "3)", "3"),
		{name: "longer than 4000 characters", version: "4", path: qPath("AccountPartyName = '" + strings.Repeat("x", 4000) + "'"),
			status: 400, code: "ADF_REST_INVALID_PARAMETER", at: "q"},
		qRefusal("unclosed (", "4", "(RoleId = 2", "", ""),
	})
}
