package egain

// Test-only exports for the whole-stack tests of package egain_test, which drive the
// service through servertest and so cannot be in package egain.

// WSError's limits, which checkWSErrorLimits checks bodies against.
const (
	MaxDeveloperMessageLength = maxDeveloperMessageLength
	MaxUserMessageLength      = maxUserMessageLength
	MaxDetailKeyLength        = maxDetailKeyLength
	MaxDetailValueLength      = maxDetailValueLength
)

// Request bodies of bodies_test.go.
const Namespace = egainNamespace

var (
	XMLGrantBody = xmlGrantBody
	XMLGrants    = xmlGrants
)

// SetCatalogueViolation sets what a use of the catalogue that breaks it does (TestMain makes
// it panic, so that it fails the test that made it).
func SetCatalogueViolation(report func(problem string)) { egainCatalogueViolation = report }
