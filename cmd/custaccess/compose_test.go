package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// configVariables are the environment variables the binary reads.
var configVariables = []string{"CUSTACCESS_ADDR", "CUSTACCESS_DATA_DIR", "DATABASE_URL", "CUSTACCESS_TOKEN_SECRET"}

// TestDockerComposeFile keeps docker-compose.yml honest where no Docker engine runs: it must
// parse, wire the service to PostgreSQL through a health check, and set only variables the
// binary reads.
func TestDockerComposeFile(t *testing.T) {
	data, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Environment map[string]string `yaml:"environment"`
			DependsOn   map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
			Healthcheck *struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &compose); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	service, ok := compose.Services["custaccess"]
	if !ok {
		t.Fatal("no custaccess service")
	}
	postgres, ok := compose.Services["postgres"]
	if !ok || postgres.Healthcheck == nil {
		t.Fatal("no postgres service with a health check")
	}
	if service.DependsOn["postgres"].Condition != "service_healthy" {
		t.Error("custaccess does not wait for a healthy postgres")
	}
	for name := range service.Environment {
		if !slices.Contains(configVariables, name) && !strings.HasPrefix(name, "GO") {
			t.Errorf("custaccess sets %s, which the binary does not read", name)
		}
	}
	if !strings.HasPrefix(service.Environment["DATABASE_URL"], "postgres://") {
		t.Error("custaccess does not use PostgreSQL")
	}
	for _, name := range configVariables {
		if !strings.Contains(usage, name) {
			t.Errorf("usage does not document %s", name)
		}
	}
}
