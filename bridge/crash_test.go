package bridge

import (
	"bufio"
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

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

// fileSink appends the id of every delivered event to a file before it
// reports success (the page cache survives kill -9).
type fileSink struct {
	mu sync.Mutex
	f  *os.File
}

func (s *fileSink) Name() string                { return "file" }
func (s *fileSink) Close(context.Context) error { return s.f.Close() }
func (s *fileSink) Send(_ context.Context, b []normalize.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sb strings.Builder
	for i := range b {
		sb.WriteString(b[i].ID + "\n")
	}
	_, err := s.f.WriteString(sb.String())
	return err
}

// crashChild is the body of the child process: publish numbered events and
// record each acknowledged one, while delivering to a fileSink, until killed.
func crashChild(dir string, round int, publish bool) error {
	ctx := context.Background()
	s, err := OpenSpool(ctx, DefaultSpoolConfig(filepath.Join(dir, "spool")), hclog.NewNullLogger(), nil)
	if err != nil {
		return err
	}
	out, err := os.OpenFile(filepath.Join(dir, "delivered"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	d, err := s.NewDispatcher(ctx, &fileSink{f: out}, fastBatch(), DefaultRetryConfig(), nil)
	if err != nil {
		return err
	}
	go func() { _ = d.Run(ctx) }()
	if !publish {
		select {} // drain until the parent is satisfied and kills us
	}
	acked, err := os.OpenFile(filepath.Join(dir, "acked"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	for i := 0; ; i++ {
		evs := testEvents(fmt.Sprintf("r%d-%d", round, i), 1+i%40)
		if err := s.Publish(ctx, evs); err != nil {
			return err
		}
		var sb strings.Builder
		for _, ev := range evs {
			sb.WriteString(ev.ID + "\n")
		}
		if _, err := acked.WriteString(sb.String()); err != nil {
			return err
		}
	}
}

func TestMain(m *testing.M) {
	if dir := os.Getenv("BRIDGE_CRASH_CHILD"); dir != "" {
		var round int
		fmt.Sscan(os.Getenv("BRIDGE_CRASH_ROUND"), &round)
		err := crashChild(dir, round, os.Getenv("BRIDGE_CRASH_DRAIN") == "")
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	os.Exit(m.Run())
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// endLine ends path with a newline if a killed writer left a partial line.
func endLine(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 || b[len(b)-1] == '\n' {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("\n"); err != nil {
		t.Fatal(err)
	}
}

func readIDs(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		ids[sc.Text()]++
	}
	return ids
}

// TestKillNineKeepsAcknowledgedEvents SIGKILLs a publishing and delivering
// process at several points, then lets a last run drain the spool: every
// event whose Publish returned nil must have been delivered.
func TestKillNineKeepsAcknowledgedEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns and kills processes")
	}
	dir := t.TempDir()
	child := func(round int, drain bool) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "BRIDGE_CRASH_CHILD="+dir, fmt.Sprintf("BRIDGE_CRASH_ROUND=%d", round))
		if drain {
			cmd.Env = append(cmd.Env, "BRIDGE_CRASH_DRAIN=1")
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	const rounds = 20
	for r := range rounds {
		before := fileSize(filepath.Join(dir, "acked"))
		cmd := child(r, false)
		// Kill at different points: after 20 KB, 40 KB, … 100 KB more acks.
		waitFor(t, "child publishing", 60*time.Second, func() bool {
			return fileSize(filepath.Join(dir, "acked")) >= before+int64(r%5+1)*20<<10
		})
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		endLine(t, filepath.Join(dir, "acked"))
	}
	acked := readIDs(t, filepath.Join(dir, "acked"))
	for id := range acked {
		// A kill inside a write that crosses a page leaves a short write:
		// the last id recorded cut off (its event was acknowledged; a cut
		// "r1-2-1" of "r1-2-12" is an acknowledged id too).
		if strings.Count(id, "-") != 2 || strings.HasSuffix(id, "-") {
			delete(acked, id)
		}
	}
	if len(acked) == 0 {
		t.Fatal("no event was acknowledged before the kills")
	}
	cmd := child(rounds, true)
	defer func() { _ = cmd.Process.Signal(syscall.SIGKILL); _ = cmd.Wait() }()
	var missing []string
	dups := 0
	for deadline := time.Now().Add(60 * time.Second); ; {
		delivered := readIDs(t, filepath.Join(dir, "delivered"))
		missing, dups = missing[:0], 0
		for id := range acked {
			if delivered[id] == 0 {
				missing = append(missing, id)
			}
			dups += max(0, delivered[id]-1)
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged events never delivered, e.g. %v",
				len(missing), len(acked), missing[:min(5, len(missing))])
		}
		time.Sleep(50 * time.Millisecond) // polling with a deadline
	}
	t.Logf("%d acknowledged events over %d kill -9 rounds, all delivered (%d duplicate deliveries)",
		len(acked), rounds, dups)
}
