package cluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

var (
	natsOnce sync.Once
	natsBin  string
	natsErr  error
)

// natsServerBinary builds github.com/nats-io/nats-server/v2 at the version
// go.mod pins, once per test process.
func natsServerBinary(t *testing.T) string {
	t.Helper()
	natsOnce.Do(func() {
		dir, err := os.MkdirTemp("", "auditbridge-nats-")
		if err != nil {
			natsErr = err
			return
		}
		natsBin = filepath.Join(dir, "nats-server")
		natsErr = testutil.GoBuild(filepath.Join(testutil.RepoRoot(), "integration"), "github.com/nats-io/nats-server/v2", natsBin)
	})
	if natsErr != nil {
		t.Fatalf("build nats-server: %v", natsErr)
	}
	return natsBin
}

// node is one nats-server process of the cluster.
type node struct {
	t    *testing.T
	name string
	port int
	dir  string // JetStream store
	args []string
	logs *testutil.SyncBuffer
	cmd  *exec.Cmd
	done chan error
}

func (n *node) url() string { return fmt.Sprintf("nats://127.0.0.1:%d", n.port) }

func (n *node) start() {
	n.t.Helper()
	n.cmd = exec.Command(natsServerBinary(n.t), n.args...)
	n.cmd.Stdout, n.cmd.Stderr = n.logs, n.logs
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	n.done = make(chan error, 1)
	go func(c *exec.Cmd, done chan error) { done <- c.Wait() }(n.cmd, n.done)
	if err := testutil.WaitTCP(fmt.Sprintf("127.0.0.1:%d", n.port), 60*time.Second); err != nil {
		n.t.Fatalf("nats-server %s did not start: %v\n%s", n.name, err, n.logs.String())
	}
}

// kill sends SIGKILL and waits until the process is gone.
func (n *node) kill() {
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.done
	n.cmd = nil
}

// natsCluster is three nats-server processes with JetStream.
type natsCluster struct {
	nodes []*node
}

func startNATSCluster(t *testing.T) *natsCluster {
	t.Helper()
	const n = 3
	ports, cports := make([]int, n), make([]int, n)
	var routes []string
	for i := range n {
		ports[i], cports[i] = testutil.FreePort(t), testutil.FreePort(t)
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", cports[i]))
	}
	c := &natsCluster{}
	for i := range n {
		nd := &node{t: t, name: fmt.Sprintf("n%d", i), port: ports[i], dir: t.TempDir(), logs: &testutil.SyncBuffer{}}
		nd.args = []string{"-n", nd.name, "-a", "127.0.0.1", "-p", fmt.Sprint(ports[i]), "-js", "-sd", nd.dir,
			"--cluster_name", "auditbridge", "--cluster", fmt.Sprintf("nats://127.0.0.1:%d", cports[i]),
			"--routes", strings.Join(routes, ",")}
		c.nodes = append(c.nodes, nd)
		t.Cleanup(func() {
			nd.kill()
			if t.Failed() {
				s := nd.logs.String()
				t.Logf("nats-server %s log tail:\n%s", nd.name, s[max(0, len(s)-3000):])
			}
		})
	}
	var wg sync.WaitGroup
	for _, nd := range c.nodes {
		wg.Add(1)
		go func() { defer wg.Done(); nd.start() }()
	}
	wg.Wait()
	return c
}

func (c *natsCluster) urls() string {
	var u []string
	for _, n := range c.nodes {
		u = append(u, n.url())
	}
	return strings.Join(u, ",")
}

func (c *natsCluster) node(name string) *node {
	for _, n := range c.nodes {
		if n.name == name {
			return n
		}
	}
	return nil
}

// streamLeader asks the cluster which node leads the spool stream.
func (c *natsCluster) streamLeader(t *testing.T) string {
	t.Helper()
	nc, err := nats.Connect(c.urls())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	var leader string
	testutil.WaitFor(t, 60*time.Second, "the spool stream has a leader", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s, err := js.Stream(ctx, "AUDITBRIDGE_SPOOL")
		if err != nil {
			return false
		}
		info, err := s.Info(ctx)
		if err != nil || info.Cluster == nil || info.Cluster.Leader == "" {
			return false
		}
		leader = info.Cluster.Leader
		return true
	})
	return leader
}

// replicas is the spool stream's replication factor.
func (c *natsCluster) replicas(t *testing.T) int {
	t.Helper()
	nc, err := nats.Connect(c.urls())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, "AUDITBRIDGE_SPOOL")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info.Config.Replicas
}
