package egain_test

import (
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// hrefPattern finds links in JSON ("href":"…") and XML (href="…") bodies.
var hrefPattern = regexp.MustCompile(`"href":"([^"]+)"|href="([^"]+)"`)

// TestHrefsResolve follows every href and Location the eGain API writes, in JSON and in
// XML, from the grants a create writes and the customer's own grants, until no new one
// appears: every one answers 200 to a client that may see every customer.
func TestHrefsResolve(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		client := h.ClientToken("crm-sync")
		var queue []string
		for _, body := range []string{servertest.GrantBody("1000", "1002", "1020"), servertest.GrantBody("1002", "1000"), servertest.GrantBody("2000", "2001")} {
			rec := h.Do(servertest.Post(client, body))
			if rec.Code != http.StatusCreated {
				t.Fatalf("create: %d %s", rec.Code, rec.Body)
			}
			queue = append(queue, rec.Header().Get("Location"))
		}
		seen := map[string]bool{}
		follow := func(token, path string) {
			for _, mediaType := range []string{jsonType, xmlType} {
				r := servertest.Get(token, path)
				r.Headers = map[string]string{"Accept": mediaType}
				rec := h.Do(r)
				if rec.Code != http.StatusOK {
					t.Errorf("%s (%s): %d %s", path, mediaType, rec.Code, rec.Body)
					continue
				}
				if location := rec.Header().Get("Location"); location != "" {
					queue = append(queue, location)
				}
				for _, m := range hrefPattern.FindAllStringSubmatch(rec.Body.String(), -1) {
					queue = append(queue, m[1]+m[2])
				}
			}
		}
		follow(h.CustomerToken("1002"), servertest.OwnGrantsPath)
		for len(queue) > 0 {
			path := queue[0]
			queue = queue[1:]
			if seen[path] {
				continue
			}
			seen[path] = true
			follow(client, path)
		}
		var followed []string
		for path := range seen {
			followed = append(followed, path)
		}
		slices.Sort(followed)
		// The three Locations, the grants' customer links, and each customer's self link
		// (2000 is only granted on: no list links to it).
		want := []string{}
		for _, id := range []string{"1000", "1002", "1020", "2001"} {
			want = append(want, servertest.CustomerPath(id))
		}
		want = append(want, servertest.GrantsPath("1000"), servertest.GrantsPath("1002"), servertest.GrantsPath("2000"))
		slices.Sort(want)
		if !slices.Equal(followed, want) {
			t.Errorf("followed %v\nwant %v", followed, want)
		}
	})
}
