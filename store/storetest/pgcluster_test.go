package storetest

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestOrphanClustersAreSwept: a cluster whose test process is gone (its binary killed before
// the cleanup ran) is stopped and removed by the next cluster made; clusters whose test
// still runs, and recent directories of unknown owner, are left alone.
func TestOrphanClustersAreSwept(t *testing.T) {
	orphan := StartCluster(t)
	// As if made by a process that no longer runs: pid 1 never started at time 0.
	if err := os.WriteFile(filepath.Join(orphan.dir, ownerFile), []byte("1 0"), 0o644); err != nil {
		t.Fatal(err)
	}
	unknownOwner, err := os.MkdirTemp("/tmp", clusterDirPrefix)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(unknownOwner)
	live := NewCluster(t)

	c := NewCluster(t)
	if _, err := os.Stat(orphan.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the orphan's directory is still there: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(orphan.port), time.Second); err == nil {
		conn.Close()
		t.Error("the orphan's server still accepts connections")
	}
	for _, dir := range []string{live.dir, unknownOwner, c.dir} {
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("%s was removed: %v", dir, err)
		}
	}
}

// TestClusterPortIsChosenAtStart: a port taken between NewCluster and Start is replaced.
func TestClusterPortIsChosenAtStart(t *testing.T) {
	c := NewCluster(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	c.port = taken.Addr().(*net.TCPAddr).Port
	c.Start()
	if c.port == taken.Addr().(*net.TCPAddr).Port {
		t.Fatal("started on a port in use")
	}
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(c.port), 5*time.Second)
	if err != nil {
		t.Fatalf("the server does not listen on %d: %v", c.port, err)
	}
	conn.Close()
	if err := c.signalAll(syscall.Signal(0)); err != nil {
		t.Error(err)
	}
}
