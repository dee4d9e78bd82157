package storetest

import (
	"errors"
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
	"time"
)

// Cluster is a throwaway PostgreSQL server of the test's own, on a free loopback port, that
// the test stops and starts at will (database outages, start-up waits). It never touches
// the shared server of TEST_DATABASE_URL.
type Cluster struct {
	t   testing.TB
	bin string // where initdb and pg_ctl are
	dir string // owned by the server's user: data, socket and log
	// port is chosen when first needed; portShared: URL has handed it out, so Start may
	// not move to another when it turns out taken.
	port       int
	portShared bool
	// asPostgres runs a command as the postgres user when the test runs as root, which
	// initdb refuses to be.
	asPostgres []string
}

// clusterDirPrefix names the clusters' directories under /tmp; ownerFile in each names the
// test process that made it, so that a later run can tell an orphan (its test binary
// killed before its cleanup ran) from a cluster in use.
const (
	clusterDirPrefix = "custaccess-pg-"
	ownerFile        = "owner"
)

// NewCluster creates (initdb) a cluster without starting it, after removing the clusters
// of test processes that no longer run. Without PostgreSQL's server binaries the test is
// skipped, or fails when CI=true.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	bin := serverBinaries()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but PostgreSQL's initdb and pg_ctl are not installed")
		}
		t.Skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
	}
	asPostgres := asPostgresUser(t)
	// Under /tmp, which the postgres user can traverse whatever TMPDIR is, and short
	// enough a path for the server's Unix socket.
	base := "/tmp"
	if _, err := os.Stat(base); err != nil {
		base = os.TempDir()
	}
	sweepOrphanClusters(t, base, bin, asPostgres)
	dir, err := os.MkdirTemp(base, clusterDirPrefix)
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{t: t, bin: bin, dir: dir, asPostgres: asPostgres}
	t.Cleanup(func() {
		_ = c.signalAll(syscall.SIGCONT) // a paused server would ignore the stop
		_ = c.pgCtl("stop", "-m", "immediate")
		_ = os.RemoveAll(dir)
	})
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(processIdentity(os.Getpid())), 0o644); err != nil {
		t.Fatal(err)
	}
	if len(asPostgres) > 0 {
		account, _ := user.Lookup("postgres")
		uid, _ := strconv.Atoi(account.Uid)
		gid, _ := strconv.Atoi(account.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.run(filepath.Join(bin, "initdb"), "-D", c.dataDir(), "-U", "postgres", "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v", err)
	}
	return c
}

// asPostgresUser is the command prefix that runs a command as the postgres user when the
// test runs as root, else nothing.
func asPostgresUser(t testing.TB) []string {
	if os.Geteuid() != 0 {
		return nil
	}
	if _, err := user.Lookup("postgres"); err != nil {
		t.Fatalf("running as root, initdb needs the postgres user: %v", err)
	}
	return []string{"runuser", "-u", "postgres", "--"}
}

// orphanAgeWithoutOwner is how old a cluster directory without an owner file (made by an
// older version of this package) must be to count as an orphan.
const orphanAgeWithoutOwner = time.Hour

// sweepOrphanClusters stops the servers of, and removes, the cluster directories whose
// test process is gone.
func sweepOrphanClusters(t testing.TB, base, bin string, asPostgres []string) {
	dirs, _ := filepath.Glob(filepath.Join(base, clusterDirPrefix+"*"))
	for _, dir := range dirs {
		owner, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err == nil {
			pid, _, _ := strings.Cut(string(owner), " ")
			if n, err := strconv.Atoi(pid); err == nil && processIdentity(n) == string(owner) {
				continue // its test is still running
			}
		} else if info, err := os.Stat(dir); err != nil || time.Since(info.ModTime()) < orphanAgeWithoutOwner {
			continue
		}
		orphan := &Cluster{t: t, bin: bin, dir: dir, asPostgres: asPostgres}
		_ = orphan.signalAll(syscall.SIGCONT)
		_ = orphan.pgCtl("stop", "-m", "immediate")
		if err := os.RemoveAll(dir); err == nil {
			t.Logf("removed the orphaned cluster %s", dir)
		}
	}
}

// processIdentity is "PID STARTTIME" of a running process, or "" when none has the pid:
// the start time tells a process from a later one that reuses its pid.
func processIdentity(pid int) string {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// The fields after the command name, which ends with the last ')': the 3rd onwards;
	// the start time is the 22nd.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(fields) < 20 {
		return ""
	}
	return strconv.Itoa(pid) + " " + fields[19]
}

// StartCluster creates and starts a cluster.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	c := NewCluster(t)
	c.Start()
	return c
}

// URL reaches the cluster's postgres database as its superuser. From now on the cluster
// keeps its port.
func (c *Cluster) URL() string {
	c.choosePort()
	c.portShared = true
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *Cluster) choosePort() {
	if c.port == 0 {
		c.port = freePort(c.t)
	}
}

// Start starts the server and waits until it accepts connections. A port taken since it
// was chosen is replaced by another, unless URL has handed it out.
func (c *Cluster) Start() {
	c.t.Helper()
	c.choosePort()
	for attempt := 1; ; attempt++ {
		logFile := filepath.Join(c.dir, "server.log")
		_ = os.Remove(logFile)
		options := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, c.dir)
		err := c.pgCtl("start", "-l", logFile, "-o", options)
		if err == nil {
			return
		}
		log, _ := os.ReadFile(logFile)
		if strings.Contains(string(log), "could not bind") && !c.portShared && attempt < 5 {
			c.port = freePort(c.t)
			continue
		}
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
	// A postmaster.pid left behind (a machine restarted) may name another process by now.
	if cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", postmaster)); err != nil || !strings.Contains(string(cmdline), c.dataDir()) {
		return fmt.Errorf("process %d is not this cluster's server", postmaster)
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
	for i, pid := range pids {
		err := syscall.Kill(pid, signal)
		if errors.Is(err, syscall.ESRCH) && i > 0 {
			continue // a child that ended since the listing (a session that closed): nothing to signal
		}
		if err != nil {
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
