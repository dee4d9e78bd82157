package store

// DepartmentByID loads one department.
func (tx *Tx) DepartmentByID(id int64) (*Department, error) {
	var department Department
	if err := tx.db.Where("id = ?", id).Take(&department).Error; err != nil {
		return nil, sentinel(err)
	}
	return &department, nil
}

// SignInCustomer loads the customer with the given id when it may sign in (a principal of
// eGain's oAuthCustomer scheme); ErrNotFound when there is none or it may not.
func (tx *Tx) SignInCustomer(id int64) (*Customer, error) {
	var customer Customer
	if err := tx.db.Where("id = ? AND can_sign_in = ?", id, true).Take(&customer).Error; err != nil {
		return nil, sentinel(err)
	}
	return &customer, nil
}
