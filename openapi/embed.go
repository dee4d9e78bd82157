// Package openapi holds the contract, openapi.yaml, and embeds it so the service can serve
// it as written.
package openapi

import _ "embed"

// YAML is openapi.yaml as written.
//
//go:embed openapi.yaml
var YAML []byte
