package oracle

import "net/http"

// The errors of the SelfServiceRoles resource: its catalogue entries, and the strict-handler
// responses of its operations.

// selfServiceRolesResource is what the framework's errors know of SelfServiceRoles.
var selfServiceRolesResource = adfResource{
	name: selfServiceRolesName,
	readOnly: func(attribute string) bool {
		a, known := roleAttributeNamed(attribute)
		return known && a.readOnly
	},
}

// The SelfServiceRoles catalogue.
var (
	cssNotUpdatableAttribute = adfCode{"JBO-27008", http.StatusBadRequest,
		"Attribute %s in %s can't be changed; only RelationshipTypeCd and RequestTypeCd can."}
	cssUserNotFound = adfCode{"JBO-25020", http.StatusNotFound,
		"The self-service user %d doesn't exist."}
	cssRoleNotFound = adfCode{"JBO-25020", http.StatusNotFound,
		"The self-service user %d has no self-service role %d."}
	cssActiveRoleNotFound = adfCode{"JBO-25020", http.StatusNotFound,
		"The self-service user %d has no active self-service role %d; it was removed on %s."}
	cssPrivilegeRequired = adfCode{"SVC_CSS_PRIVILEGE_REQUIRED", http.StatusForbidden,
		"You need the privilege %s to %s self-service roles."}
	cssContactMismatch = adfCode{"SVC_CSS_CONTACT_MISMATCH", http.StatusBadRequest,
		"Contact %d isn't the contact of self-service user %d (%d)."}
	cssLoginMismatch = adfCode{"SVC_CSS_LOGIN_MISMATCH", http.StatusBadRequest,
		"Login %q isn't the login of self-service user %d."}
	cssAccountNotOfContact = adfCode{"SVC_CSS_ACCOUNT_MISMATCH", http.StatusBadRequest,
		"Account %d isn't an account of contact %d, the contact of self-service user %d."}
	cssInvalidRelationshipType = adfCode{"SVC_CSS_INVALID_RELATIONSHIP_TYPE", http.StatusBadRequest,
		"Attribute RelationshipTypeCd in SelfServiceRoles: %s is not an enabled code of lookup ORA_SVC_CSS_REL_TYPE_CD."}
	cssInvalidRequestType = adfCode{"SVC_CSS_INVALID_REQUEST_TYPE", http.StatusBadRequest,
		"Attribute RequestTypeCd in SelfServiceRoles: %s is not an enabled code of lookup ORA_SVC_CSS_REQ_TYPE_CD."}
	cssDuplicateRole = adfCode{"JBO-25013", http.StatusBadRequest,
		"Self-service user %d already has an active %s role on account %d; send Upsert-Mode: true to update it."}
	cssLastAccountAdmin = adfCode{"SVC_CSS_LAST_ACCOUNT_ADMIN", http.StatusBadRequest,
		"Role %d is the last active account administrator of account %d; removing it needs the privilege SVC_DELETE_LAST_ACCOUNT_ADMIN_ROLE_PRIV."}
	cssLastAccountAdminWithAccess = adfCode{"SVC_CSS_LAST_ACCOUNT_ADMIN", http.StatusBadRequest,
		"Role %d is the self-service access of user %d to account %d; removing it also ends role %d, the last active account administrator of the account, which needs the privilege SVC_DELETE_LAST_ACCOUNT_ADMIN_ROLE_PRIV."}
	cssChangedMeanwhile = adfCode{"JBO-25014", http.StatusPreconditionFailed,
		"Another user has changed the self-service role %d (its entity tag is now %s); read it again before changing it."}
	cssRoleEnded = adfCode{"SVC_CSS_ROLE_ENDED", http.StatusBadRequest,
		"Role %d was removed on %s and can't be changed."}
)

// oracleFailure is the error response of every SelfServiceRoles operation.

func (f oracleFailure) VisitCreateSelfServiceRoleResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f oracleFailure) VisitListSelfServiceRolesResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f oracleFailure) VisitGetSelfServiceRoleResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f oracleFailure) VisitUpdateSelfServiceRoleResponse(w http.ResponseWriter) error {
	return f.write(w)
}

func (f oracleFailure) VisitDeleteSelfServiceRoleResponse(w http.ResponseWriter) error {
	return f.write(w)
}
