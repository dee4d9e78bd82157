package oracle

// Test-only exports, for the external tests (package oracle_test) that drive the whole
// stack through servertest and compare with this package's own names.

const (
	HeaderFrameworkVersion = headerFrameworkVersion
	HeaderMetadataContext  = headerMetadataContext
	ResourcesPath          = oracleResourcesPath
)

// ADFError is an Oracle error as the handlers and the family build it.
type ADFError = adfError

// Detail is the message of the error, as the text form shows it alone.
func (e *adfError) Detail() string { return e.detail() }

// NewADFError builds an error of a catalogue entry.
func NewADFError(code adfCode, args ...any) *ADFError { return newADFError(code, args...) }

// Catalogue entries the tests build errors of.
var (
	CSSUserNotFound           = cssUserNotFound
	ADFAuthenticationRequired = adfAuthenticationRequired
	ADFUnsupportedVersion     = adfUnsupportedVersion
	ADFSystem                 = adfSystem
)

// SelfServiceUserPath is the path of a self-service user.
func SelfServiceUserPath(userID int64) string { return selfServiceUserPath(userID) }

// PointerTo returns a pointer to v.
func PointerTo[T any](v T) *T { return pointerTo(v) }

// UpdateLogin is the LastUpdateLogin a caller of this login stamps.
func UpdateLogin(login string) string { return (&oracleCaller{login: login}).updateLogin() }

// RoleAttributeNames and UserAttributeNames are the Go attribute lists, in order.
func RoleAttributeNames() []string {
	names := make([]string, len(roleAttributes))
	for i, a := range roleAttributes {
		names[i] = a.name
	}
	return names
}

func UserAttributeNames() []string {
	names := make([]string, len(userAttributes))
	for i, a := range userAttributes {
		names[i] = a.name
	}
	return names
}

func HistoryAttributeNames() []string {
	names := make([]string, len(historyAttributes))
	for i, a := range historyAttributes {
		names[i] = a.name
	}
	return names
}
