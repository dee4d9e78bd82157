package httpapi

// Test-only exports for the whole-stack tests of this package (package httpapi_test).

// ValidRequestID tells whether a caller's X-Request-Id is kept.
var ValidRequestID = validRequestID

// StatusClientClosedRequest is the status logged and counted for a client that went away.
const StatusClientClosedRequest = statusClientClosedRequest
