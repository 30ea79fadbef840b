package cluster

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

// TestSizing prints the figures of the README's "Scaling" section; it runs
// only with AUDITBRIDGE_SIZING=1 (minutes of CPU on a small machine):
//
//	AUDITBRIDGE_SIZING=1 go test -count=1 -v -timeout 30m -run TestSizing ./cluster
//
// For the embedded spool (one bridge) and a 3-node R3 cluster (two
// bridges) it posts events as 100-event HEC requests from 4 producers to
// the file sink and reports the CPU of every process (utime+stime from
// /proc) per event, events per CPU-second, the bridges' peak RSS, and, with
// the sink unreachable so everything stays spooled, the store's disk use per
// million events.
func TestSizing(t *testing.T) {
	if os.Getenv("AUDITBRIDGE_SIZING") != "1" {
		t.Skip("set AUDITBRIDGE_SIZING=1 to measure")
	}
	const events = 200000
	t.Run("embedded", func(t *testing.T) {
		b := newBridge(t, "")
		b.Start()
		measureDelivery(t, "embedded, 1 bridge", events, []*bridge{b}, []int{b.Pid()})
	})
	t.Run("cluster R3", func(t *testing.T) {
		nc := startNATSCluster(t)
		a, b := newBridge(t, nc.urls()), newBridge(t, nc.urls())
		a.Start()
		b.Start()
		pids := []int{a.Pid(), b.Pid()}
		for _, n := range nc.nodes {
			pids = append(pids, n.cmd.Process.Pid)
		}
		measureDelivery(t, "3-node R3 cluster, 2 bridges", events, []*bridge{a, b}, pids)
		var rss []string
		for _, n := range nc.nodes {
			rss = append(rss, fmt.Sprintf("%d MiB", peakRSS(t, n.cmd.Process.Pid)>>20))
		}
		t.Logf("SIZING nats-server peak RSS: %s", strings.Join(rss, ", "))
	})
	const spooled = 100000
	dead := []string{"AUDITBRIDGE_SINKS=splunk", "AUDITBRIDGE_SPLUNK_URL=http://127.0.0.1:9", "AUDITBRIDGE_SPLUNK_TOKEN=x"}
	t.Run("disk embedded", func(t *testing.T) {
		b := newBridge(t, "", dead...)
		b.Start()
		newClient(b).postAll("disk", spooled, 100, 4, 0)
		time.Sleep(2 * time.Second) // the 1 s sync interval
		t.Logf("SIZING disk embedded: %.0f MiB per million events spooled (%s)",
			float64(du(t, b.data))/(1<<20)*1e6/spooled, b.data)
	})
	t.Run("disk cluster R3", func(t *testing.T) {
		nc := startNATSCluster(t)
		b := newBridge(t, nc.urls(), dead...)
		b.Start()
		newClient(b).postAll("disk", spooled, 100, 4, 0)
		time.Sleep(2 * time.Second)
		var total int64
		for _, n := range nc.nodes {
			total += du(t, n.dir)
		}
		t.Logf("SIZING disk R3: %.0f MiB per million events per node (%.0f MiB on the 3 nodes together)",
			float64(total)/3/(1<<20)*1e6/spooled, float64(total)/(1<<20)*1e6/spooled)
	})
}

func measureDelivery(t *testing.T, name string, events int, bridges []*bridge, pids []int) {
	t.Helper()
	before, beforeB := cpuTicks(t, pids), cpuTicks(t, pids[:len(bridges)])
	start := time.Now()
	c := newClient(bridges...)
	c.postAll("size", events, 100, 4, 0)
	acked := time.Since(start)
	_, ids, _ := c.result()
	testutil.WaitFor(t, 10*time.Minute, "every event delivered", func() bool {
		got := delivered(t, bridges...)
		return len(got) >= len(ids)
	})
	wall := time.Since(start)
	cpu := float64(cpuTicks(t, pids)-before) / 100 // USER_HZ
	cpuB := float64(cpuTicks(t, pids[:len(bridges)])-beforeB) / 100
	var rss []string
	for _, b := range bridges {
		rss = append(rss, fmt.Sprintf("%d MiB", peakRSS(t, b.Pid())>>20))
	}
	t.Logf("SIZING %s: %d events acked in %.1fs, delivered in %.1fs; CPU %.1fs (all processes) = %.0f µs/event, %.0f events per CPU-second; of it the bridges %.1fs = %.0f µs/event; bridge peak RSS %s",
		name, len(ids), acked.Seconds(), wall.Seconds(), cpu, cpu/float64(len(ids))*1e6, float64(len(ids))/cpu,
		cpuB, cpuB/float64(len(ids))*1e6, strings.Join(rss, ", "))
}

// cpuTicks sums utime+stime of pids (clock ticks).
func cpuTicks(t *testing.T, pids []int) int64 {
	var sum int64
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		sum += u + s
	}
	return sum
}

// peakRSS is VmHWM of pid in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// du is the bytes of the files under dir.
func du(t *testing.T, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
