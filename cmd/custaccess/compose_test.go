package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// configVariables lists the environment variables the binary reads, found in its source:
// every one is a string literal of a non-test file of this package.
func configVariables(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`"((?:CUSTACCESS_[A-Z_]+)|DATABASE_URL)"`)
	var names []string
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		source, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, match := range literal.FindAllStringSubmatch(string(source), -1) {
			if !slices.Contains(names, match[1]) {
				names = append(names, match[1])
			}
		}
	}
	slices.Sort(names)
	if len(names) < 20 {
		t.Fatalf("found only %v: the scan is broken", names)
	}
	return names
}

// TestDockerComposeFile keeps docker-compose.yml and the Dockerfile honest where no Docker
// engine runs: the compose file must parse, build the service's image from the
// Dockerfile, wire it to PostgreSQL through health checks, and set only variables the
// binary reads; the Dockerfile must build a static binary in one stage and run it as a
// non-root user in another. Every variable is documented in the usage text and README.
func TestDockerComposeFile(t *testing.T) {
	variables := configVariables(t)
	data, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	type healthcheck struct {
		Test []string `yaml:"test"`
	}
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Build       string            `yaml:"build"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			DependsOn   map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
			Healthcheck *healthcheck `yaml:"healthcheck"`
			Ports       []string     `yaml:"ports"`
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
	if service.Build != "." {
		t.Errorf("custaccess is not built from the Dockerfile here (build: %q)", service.Build)
	}
	if service.Healthcheck == nil || !slices.Equal(service.Healthcheck.Test, []string{"CMD", "/custaccess", "healthcheck"}) {
		t.Errorf("custaccess's health check does not ask /healthz through the binary: %+v", service.Healthcheck)
	}
	if len(service.Command) == 0 || service.Command[0] != "serve" {
		t.Errorf("command %v does not run serve", service.Command)
	}
	// The production shape: no demo data, no secret with a default, no port for the world.
	if slices.Contains(service.Command, "--demo") {
		t.Errorf("command %v loads the demo dataset", service.Command)
	}
	required := regexp.MustCompile(`\$\{(\w+):\?[^}]+\}`)
	if m := required.FindStringSubmatch(service.Environment["CUSTACCESS_TOKEN_SECRET"]); m == nil || m[1] != "CUSTACCESS_TOKEN_SECRET" {
		t.Errorf("CUSTACCESS_TOKEN_SECRET is %q, want ${CUSTACCESS_TOKEN_SECRET:?message}: required, without a default", service.Environment["CUSTACCESS_TOKEN_SECRET"])
	}
	password := regexp.MustCompile(`^postgres://custaccess:([^@]*)@`).FindStringSubmatch(service.Environment["DATABASE_URL"])
	if password == nil || !required.MatchString(password[1]) || password[1] != postgres.Environment["POSTGRES_PASSWORD"] {
		t.Errorf("DATABASE_URL's password %v and POSTGRES_PASSWORD %q must be the same required variable",
			password, postgres.Environment["POSTGRES_PASSWORD"])
	}
	if len(service.Ports) == 0 {
		t.Error("custaccess publishes no port")
	}
	for _, port := range service.Ports {
		if !strings.HasPrefix(port, "127.0.0.1:") {
			t.Errorf("port %q is published on every interface, want 127.0.0.1 only", port)
		}
	}
	if len(postgres.Ports) > 0 {
		t.Errorf("postgres publishes %v", postgres.Ports)
	}
	for name := range service.Environment {
		if !slices.Contains(variables, name) {
			t.Errorf("custaccess sets %s, which the binary does not read", name)
		}
	}
	if !strings.HasPrefix(service.Environment["DATABASE_URL"], "postgres://") {
		t.Error("custaccess does not use PostgreSQL")
	}

	dockerfile, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := string(dockerfile)
	for _, want := range []string{
		"AS build", "CGO_ENABLED=0 go build", "./cmd/custaccess", "COPY --from=build /out/custaccess /custaccess",
		`ENTRYPOINT ["/custaccess"]`, `CMD ["serve"]`, `HEALTHCHECK`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if stages := regexp.MustCompile(`(?m)^FROM `).FindAllString(text, -1); len(stages) < 2 {
		t.Error("Dockerfile is not multi-stage")
	}
	user := regexp.MustCompile(`(?m)^USER (\S+)`).FindAllStringSubmatch(text, -1)
	if len(user) == 0 || strings.HasPrefix(user[len(user)-1][1], "0") || strings.HasPrefix(user[len(user)-1][1], "root") {
		t.Errorf("the final stage does not run as a non-root user: %v", user)
	}
	for _, match := range regexp.MustCompile(`\b(CUSTACCESS_[A-Z_]+)=`).FindAllStringSubmatch(text, -1) {
		if !slices.Contains(variables, match[1]) {
			t.Errorf("Dockerfile sets %s, which the binary does not read", match[1])
		}
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range variables {
		if !strings.Contains(usage, name) {
			t.Errorf("usage does not document %s", name)
		}
		if !strings.Contains(string(readme), "`"+name+"`") {
			t.Errorf("README does not document %s", name)
		}
	}
}
