package server_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The import rule of DESIGN.md, checked against the real import graph that `go list` reports,
// so an arrow the design forbids fails a test instead of waiting for a reviewer to notice it.

const modulePath = "github.com/custaccess/custaccess"

// allowed says which of the module's packages a package may import. Patterns are relative to
// the module path; "*" stands for one path element and a trailing "/..." for the package and
// everything below it. Packages outside the module (standard library, third party) are not
// checked.
type allowed struct {
	imports []string // by any file of the package
	tests   []string // by its _test.go files as well (package p and package p_test)
}

// testHelpers are what a server-side package's tests may import besides its own arrows: the
// whole-stack harness, fresh databases and the store's types, the assembled server (external tests of a vendor
// package drive it through the full stack), the generated types, and the contract itself
// (openapitest reads it as written).
// Store, gen and openapi get none of them: their tests must not reach up into the server.
var testHelpers = []string{"server/internal/servertest", "store/storetest", "store", "server", "gen", "openapi", "openapi/openapitest"}

// vendor is a vendor API's package: it builds on the shared pipeline and the layers below,
// and never on another vendor.
var vendor = allowed{
	imports: []string{"server/internal/httpapi", "server/auth", "server/internal/untrusted", "gen", "store"},
	tests:   testHelpers,
}

// arrows is the import rule: every package of the module must match exactly one key.
var arrows = map[string]allowed{
	// The binary composes the server and the store. Its tests also use the generated Go SDK
	// (sdk_e2e_test.go) and fresh databases.
	"cmd/...": {
		imports: []string{"server", "server/auth", "store"},
		tests:   append([]string{"gen/client"}, testHelpers...),
	},

	// server.go composes the vendor APIs over the shared pipeline.
	"server": {
		imports: []string{"server/internal/*", "server/auth", "gen", "store"},
		tests:   testHelpers,
	},
	"server/internal/egain":  vendor,
	"server/internal/reltio": vendor,
	// Oracle reads ADF's q through adfq, which is Oracle's alone.
	"server/internal/oracle": {
		imports: slices.Concat(vendor.imports, []string{"server/internal/oracle/adfq"}),
		tests:   vendor.tests,
	},
	// The q grammar and its SQL: a leaf that knows nothing of the project, so the store's
	// and the server's types never reach the parser (its fuzz target runs alone).
	"server/internal/oracle/adfq": {},
	"server/internal/oauth":       vendor,
	"server/internal/httpapi": {
		imports: []string{"server/auth", "server/internal/untrusted", "gen", "store", "openapi"},
		tests:   testHelpers,
	},
	"server/auth":               {imports: []string{"server/internal/untrusted"}, tests: testHelpers},
	"server/internal/untrusted": {tests: testHelpers},
	// The harness checks every eGain response against eGain's catalogue, wherever the test.
	"server/internal/servertest": {
		imports: []string{"server", "server/auth", "gen", "store", "store/storetest", "server/internal/httpapi", "server/internal/untrusted", "server/internal/egain"},
		tests:   testHelpers,
	},

	// The store knows nothing above it, not even in its tests.
	"store":           {tests: []string{"store/storetest"}},
	"store/storetest": {imports: []string{"store"}},

	// Generated code and the contract are leaves.
	"gen/...": {},
	"openapi": {},
	// The contract as tests read it.
	"openapi/openapitest": {imports: []string{"openapi"}},
	// TypeScript only today: a Go package here would be a client and import nothing of ours.
	"sdk/...": {},
}

// listedPackage is the part of `go list -json` the rule reads.
type listedPackage struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

func TestArchitectureImportRule(t *testing.T) {
	pkgs := listModulePackages(t)
	// An empty or partial listing would pass vacuously.
	for _, must := range []string{"server", "store", "gen"} {
		if !slices.ContainsFunc(pkgs, func(p listedPackage) bool { return p.ImportPath == modulePath+"/"+must }) {
			t.Fatalf("go list did not report %s/%s; got %d packages", modulePath, must, len(pkgs))
		}
	}
	for _, problem := range checkImports(arrows, pkgs) {
		t.Error(problem)
	}
}

// TestArchitectureImportRuleReports feeds forbidden arrows through the same check, so a broken
// matcher cannot make the real test pass silently.
func TestArchitectureImportRuleReports(t *testing.T) {
	p := func(rel string) string { return modulePath + "/" + rel }
	pkgs := []listedPackage{
		{ImportPath: p("server/internal/egain"), Imports: []string{"context", p("server/internal/httpapi"), p("server/internal/oracle")}},
		{ImportPath: p("server/internal/httpapi"), Imports: []string{p("server/internal/egain"), p("gen")}},
		{ImportPath: p("server/auth"), Imports: []string{p("server/internal/untrusted"), p("server/internal/httpapi")}},
		{ImportPath: p("store"), Imports: []string{"gorm.io/gorm", p("gen")}, XTestImports: []string{p("store"), p("store/storetest"), p("server")}},
		{ImportPath: p("store/storetest"), Imports: []string{p("store")}},
		{ImportPath: p("server/internal/reltio"), TestImports: []string{p("server/internal/servertest")}, XTestImports: []string{p("server"), p("server/internal/oauth")}},
		{ImportPath: p("server/internal/metrics")},
		{ImportPath: p("cmd/custaccess"), Imports: []string{p("server"), p("store/storetest")}, TestImports: []string{p("gen/client"), p("store/storetest")}},
	}
	want := []string{
		`server/internal/egain imports server/internal/oracle`,
		`server/internal/httpapi imports server/internal/egain`,
		`server/auth imports server/internal/httpapi`,
		`store imports gen`,
		`store (test files) imports server`,
		`server/internal/reltio (test files) imports server/internal/oauth`,
		`no rule for package server/internal/metrics`,
		`cmd/custaccess imports store/storetest`,
	}
	got := checkImports(arrows, pkgs)
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w+":") }) {
			t.Errorf("not reported: %s", w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}

	// A key that overlaps another is a mistake in the table, not a choice between them.
	overlapping := map[string]allowed{"server/...": {}, "server/auth": {}}
	if got := checkImports(overlapping, []listedPackage{{ImportPath: p("server/auth")}}); len(got) != 1 || !strings.Contains(got[0], "more than one rule") {
		t.Errorf("overlapping rules: got %q", got)
	}
}

// listModulePackages asks the go command for every package of the module, from the module
// root so the pattern means the same wherever the test runs.
func listModulePackages(t *testing.T) []listedPackage {
	t.Helper()
	gomod, err := exec.CommandContext(t.Context(), "go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	cmd := exec.CommandContext(t.Context(), "go", "list", "-deps=false", "-json", modulePath+"/...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list in %s: %v\n%s", root, err, stderr.Bytes())
	}
	var pkgs []listedPackage
	// go list -json writes one JSON object after another, not an array.
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("reading go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// checkImports returns one line per package without exactly one rule and per import of the
// module that the package's rule does not allow, naming both by their module-relative paths.
func checkImports(rules map[string]allowed, pkgs []listedPackage) []string {
	var problems []string
	for _, pkg := range pkgs {
		name, ok := inModule(pkg.ImportPath)
		if !ok {
			continue
		}
		var keys []string
		for key := range rules {
			if matches(key, name) {
				keys = append(keys, key)
			}
		}
		slices.Sort(keys)
		switch len(keys) {
		case 0:
			problems = append(problems, fmt.Sprintf("no rule for package %s: add it to the table in architecture_test.go", name))
			continue
		case 1:
		default:
			problems = append(problems, fmt.Sprintf("package %s matches more than one rule (%s): make the table's keys disjoint", name, strings.Join(keys, ", ")))
			continue
		}
		rule := rules[keys[0]]
		check := func(imports []string, where string, patterns ...[]string) {
			for _, imp := range imports {
				target, ok := inModule(imp)
				// A package's external test imports the package itself.
				if !ok || target == name {
					continue
				}
				if !slices.ContainsFunc(slices.Concat(patterns...), func(pat string) bool { return matches(pat, target) }) {
					problem := fmt.Sprintf("%s%s imports %s: not an arrow of rule %q", name, where, target, keys[0])
					// Test files of package p and of p_test may share an import: say it once.
					if !slices.Contains(problems, problem) {
						problems = append(problems, problem)
					}
				}
			}
		}
		check(pkg.Imports, "", rule.imports)
		check(pkg.TestImports, " (test files)", rule.imports, rule.tests)
		check(pkg.XTestImports, " (test files)", rule.imports, rule.tests)
	}
	return problems
}

// inModule gives path relative to the module, or false for a package outside it.
func inModule(path string) (string, bool) {
	if path == modulePath {
		return ".", true
	}
	rel, ok := strings.CutPrefix(path, modulePath+"/")
	return rel, ok
}

// matches tells whether a module-relative package path fits a pattern of the table.
func matches(pattern, path string) bool {
	pat, elems := strings.Split(pattern, "/"), strings.Split(path, "/")
	if pat[len(pat)-1] == "..." {
		pat = pat[:len(pat)-1]
		if len(elems) < len(pat) {
			return false
		}
		elems = elems[:len(pat)]
	}
	if len(pat) != len(elems) {
		return false
	}
	for i := range pat {
		if pat[i] != "*" && pat[i] != elems[i] {
			return false
		}
	}
	return true
}
