package storetest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Cluster is a throwaway PostgreSQL server of the test's own, on a free loopback port, that
// the test stops and starts at will (database outages, start-up waits). It never touches
// the shared server of TEST_DATABASE_URL.
type Cluster struct {
	t    testing.TB
	bin  string // where initdb and pg_ctl are
	dir  string // owned by the server's user: data, socket and log
	port int
	// asPostgres runs a command as the postgres user when the test runs as root, which
	// initdb refuses to be.
	asPostgres []string
}

// NewCluster creates (initdb) a cluster without starting it. Without PostgreSQL's server
// binaries the test is skipped, or fails when CI=true.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	bin := serverBinaries()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but PostgreSQL's initdb and pg_ctl are not installed")
		}
		t.Skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
	}
	// Under /tmp, which the postgres user can traverse whatever TMPDIR is, and short
	// enough a path for the server's Unix socket.
	base := "/tmp"
	if _, err := os.Stat(base); err != nil {
		base = os.TempDir()
	}
	dir, err := os.MkdirTemp(base, "custaccess-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{t: t, bin: bin, dir: dir, port: freePort(t)}
	t.Cleanup(func() {
		_ = c.signalAll(syscall.SIGCONT) // a paused server would ignore the stop
		_ = c.pgCtl("stop", "-m", "immediate")
		_ = os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		account, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, initdb needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(account.Uid)
		gid, _ := strconv.Atoi(account.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.asPostgres = []string{"runuser", "-u", "postgres", "--"}
	}
	if err := c.run(filepath.Join(bin, "initdb"), "-D", c.dataDir(), "-U", "postgres", "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v", err)
	}
	return c
}

// StartCluster creates and starts a cluster.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	c := NewCluster(t)
	c.Start()
	return c
}

// URL reaches the cluster's postgres database as its superuser.
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	options := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, c.dir)
	if err := c.pgCtl("start", "-l", filepath.Join(c.dir, "server.log"), "-o", options); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		c.t.Fatalf("start PostgreSQL: %v\n%s", err, log)
	}
}

// Stop shuts the server down as an administrator would (fast mode: open sessions are
// ended, nothing in flight is committed half-way).
func (c *Cluster) Stop() {
	c.t.Helper()
	if err := c.pgCtl("stop", "-m", "fast"); err != nil {
		c.t.Fatalf("stop PostgreSQL: %v", err)
	}
}

// Pause freezes the server and every session (SIGSTOP): connections are accepted by the
// kernel but nothing answers, as when a database host hangs. Resume undoes it.
func (c *Cluster) Pause() {
	c.t.Helper()
	if err := c.signalAll(syscall.SIGSTOP); err != nil {
		c.t.Fatal(err)
	}
}

// Resume lets a paused server run again.
func (c *Cluster) Resume() {
	c.t.Helper()
	if err := c.signalAll(syscall.SIGCONT); err != nil {
		c.t.Fatal(err)
	}
}

// signalAll signals the postmaster and its children (the sessions and background workers).
func (c *Cluster) signalAll(signal syscall.Signal) error {
	pidFile, err := os.ReadFile(filepath.Join(c.dataDir(), "postmaster.pid"))
	if err != nil {
		return fmt.Errorf("the server is not running: %w", err)
	}
	postmaster, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(pidFile), "\n", 2)[0]))
	if err != nil {
		return fmt.Errorf("postmaster.pid: %w", err)
	}
	pids := []int{postmaster}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, stat := range stats {
		data, err := os.ReadFile(stat)
		if err != nil {
			continue
		}
		// The fields after the command name, which ends with the last ')': state, then ppid.
		fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(postmaster) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(stat)))
			pids = append(pids, pid)
		}
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, signal); err != nil {
			return fmt.Errorf("signal %d: %w", pid, err)
		}
	}
	return nil
}

func (c *Cluster) dataDir() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) pgCtl(args ...string) error {
	return c.run(filepath.Join(c.bin, "pg_ctl"), append([]string{"-D", c.dataDir(), "-w", "-t", "60"}, args...)...)
}

func (c *Cluster) run(name string, args ...string) error {
	argv := append(slices.Clone(c.asPostgres), append([]string{name}, args...)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v: %w\n%s", argv, err, out)
	}
	return nil
}

// serverBinaries finds the newest installed PostgreSQL's bin directory, or "".
func serverBinaries() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir
		}
	}
	if path, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(path)
	}
	return ""
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
