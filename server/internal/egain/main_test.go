package egain_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server/internal/egain"
	"github.com/custaccess/custaccess/server/internal/servertest"
)

// TestMain fails a run of the whole package in which some code of the eGain catalogue was
// never produced by a response (servertest.CheckEgainResponse records them, for every
// response of Harness.Do and serve): every code is tested through the stack. A run narrowed
// by -run or -skip checks nothing.
func TestMain(m *testing.M) {
	flag.Parse()
	// A use of the catalogue that breaks it fails the test that made it.
	egain.SetCatalogueViolation(func(problem string) { panic("eGain error catalogue broken: " + problem) })
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.skip").Value.String() == "" {
		if missing := egainCodesNeverSeen(); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: no test produced the eGain error code(s) %s\n", strings.Join(missing, ", "))
			code = 1
		}
	}
	os.Exit(code)
}

func egainCodesNeverSeen() []string {
	var missing []string
	for _, code := range egain.CatalogueCodes() {
		if _, seen := servertest.EgainCodesSeen.Load(code); !seen {
			missing = append(missing, code)
		}
	}
	return missing
}
