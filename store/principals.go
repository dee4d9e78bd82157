package store

import (
	"database/sql"
	"errors"
)

// UserByLogin loads a user with its actions and foreign departments in one statement (every
// request of an eGain user starts with it): the user's row comes back once per action and
// once per foreign department, or once alone when it has neither.
func (tx *Tx) UserByLogin(login string) (*User, error) {
	// Scanned by hand: GORM's Scan of the joined rows into structs, and its rendering of the
	// statement for its logger, cost more than the query (issue 12). Rows is a GORM
	// statement still (observers see it).
	rows, err := tx.db.Raw(`SELECT users.id, users.login, users.name, users.home_department_id, users.reltio_customer,
	users.auditor, links.action, links.department_id
FROM users LEFT JOIN (
	SELECT user_id, action, NULL AS department_id FROM user_actions
	UNION ALL
	SELECT user_id, NULL, department_id FROM user_foreign_departments
) links ON links.user_id = users.id
WHERE users.login = ?`, login).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var user *User
	for rows.Next() {
		var (
			row            User
			linkAction     *string
			linkDepartment *int64
		)
		if err := rows.Scan(&row.ID, &row.Login, &row.Name, &row.HomeDepartmentID, &row.ReltioCustomer,
			&row.Auditor, &linkAction, &linkDepartment); err != nil {
			return nil, err
		}
		if user == nil {
			user = &row
		}
		switch {
		case linkAction != nil:
			user.Actions = append(user.Actions, UserAction{UserID: user.ID, Action: *linkAction})
		case linkDepartment != nil:
			user.ForeignDepartments = append(user.ForeignDepartments, UserForeignDepartment{UserID: user.ID, DepartmentID: *linkDepartment})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if user == nil {
		return nil, ErrNotFound
	}
	return user, nil
}

// IsAuditor tells whether the user with the login (user true) or the client application with
// the client id may read the audit trail; ErrNotFound when there is no such principal. It
// reads the one flag, not the principal's links.
func (tx *Tx) IsAuditor(user bool, subject string) (bool, error) {
	var flags []bool
	query := tx.db.Model(&Client{}).Where("client_id = ?", subject)
	if user {
		query = tx.db.Model(&User{}).Where("login = ?", subject)
	}
	if err := query.Pluck("auditor", &flags).Error; err != nil {
		return false, err
	}
	if len(flags) == 0 {
		return false, ErrNotFound
	}
	return flags[0], nil
}

// ClientByClientID loads a client application (not its Reltio roles).
func (tx *Tx) ClientByClientID(clientID string) (*Client, error) {
	// Scanned by hand: every request with a client's token reads it, and GORM's scan of the
	// struct cost more than the query (issue 12). Row is a GORM statement still (observers
	// see it).
	var client Client
	err := tx.db.Raw(`SELECT id, client_id, name, type, reltio_customer, secret_hash, auditor
FROM clients WHERE client_id = ?`, clientID).Row().Scan(&client.ID, &client.ClientID, &client.Name,
		&client.Type, &client.ReltioCustomer, &client.SecretHash, &client.Auditor)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &client, nil
}

// HasAction tells whether the user may perform the named action.
func (u *User) HasAction(action string) bool {
	for _, a := range u.Actions {
		if a.Action == action {
			return true
		}
	}
	return false
}

// WorksIn tells whether department is the user's home department or one where the user is
// a foreign user. A customer without a department is in none of them.
func (u *User) WorksIn(department *int64) bool {
	if department == nil {
		return false
	}
	if u.HomeDepartmentID != nil && *u.HomeDepartmentID == *department {
		return true
	}
	for _, f := range u.ForeignDepartments {
		if f.DepartmentID == *department {
			return true
		}
	}
	return false
}
