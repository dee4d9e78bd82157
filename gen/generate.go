// Package gen holds the code oapi-codegen generates from openapi/openapi.yaml. Never edit
// api.gen.go by hand: change the spec and run `go generate ./...`.
package gen

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen --config=cfg.yaml ../openapi/openapi.yaml
