package store

// UserByLogin loads a user with its actions and foreign departments.
func (tx *Tx) UserByLogin(login string) (*User, error) {
	var user User
	err := tx.db.Preload("Actions").Preload("ForeignDepartments").Where("login = ?", login).Take(&user).Error
	if err != nil {
		return nil, sentinel(err)
	}
	return &user, nil
}

// ClientByClientID loads a client application.
func (tx *Tx) ClientByClientID(clientID string) (*Client, error) {
	var client Client
	err := tx.db.Where("client_id = ?", clientID).Take(&client).Error
	if err != nil {
		return nil, sentinel(err)
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
