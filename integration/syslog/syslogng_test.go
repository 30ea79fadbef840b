package syslog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

// syslogNG is one syslog-ng process with a listener per transport; each
// listener writes what it parsed to <dir>/<name>.log as one JSON object per
// line.
type syslogNG struct {
	t     *testing.T
	dir   string
	conf  string
	ports map[string]int
	cmd   *exec.Cmd
	done  chan struct{}
}

// template exposes the parsed header fields and every SD param.
const template = `$(format-json --leave-initial-dot --pair facility=$FACILITY_NUM --pair severity=$LEVEL_NUM ` +
	`--pair host=$HOST --pair program=$PROGRAM --pair pid=$PID --pair msgid=$MSGID --pair isodate=$ISODATE ` +
	`--pair message=$MSG --key .SDATA.*)\n`

// listeners name each source and its driver; {port} is the port, {pki}
// the directory of the test PKI.
func listeners() []struct{ name, driver string } {
	return []struct{ name, driver string }{
		{"udp", `syslog(ip("127.0.0.1") port({port}) transport("udp") so-rcvbuf(8388608))`},
		{"tcp", `syslog(ip("127.0.0.1") port({port}) transport("tcp"))`},
		{"newline", `network(ip("127.0.0.1") port({port}) transport("tcp") flags(syslog-protocol))`},
		{"tls", `syslog(ip("127.0.0.1") port({port}) transport("tls") tls(key-file("{pki}/server-key.pem") cert-file("{pki}/server.pem") peer-verify(optional-untrusted)))`},
		{"mtls", `syslog(ip("127.0.0.1") port({port}) transport("tls") tls(key-file("{pki}/server-key.pem") cert-file("{pki}/server.pem") ca-file("{pki}/ca.pem") peer-verify(required-trusted)))`},
		{"bsd_udp", `network(ip("127.0.0.1") port({port}) transport("udp"))`},
		{"bsd_tcp", `network(ip("127.0.0.1") port({port}) transport("tcp"))`},
	}
}

// newSyslogNG starts syslog-ng. durable puts a reliable disk-buffer in
// front of every file destination, so messages syslog-ng has read survive
// its own restart.
func newSyslogNG(t *testing.T, pkiDir string, durable bool) *syslogNG {
	t.Helper()
	if _, err := exec.LookPath("syslog-ng"); err != nil {
		t.Skip("syslog-ng not installed (.ci/run installs syslog-ng-core)")
	}
	s := &syslogNG{t: t, dir: t.TempDir(), ports: map[string]int{}}
	var conf strings.Builder
	conf.WriteString("@version: 3.38\noptions { keep-hostname(yes); keep-timestamp(yes); chain-hostnames(no); " +
		"use-dns(no); dns-cache(no); use-fqdn(no); stats-freq(0); frac-digits(6); log-msg-size(1048576); };\n")
	for _, l := range listeners() {
		port := testutil.FreePort(t)
		s.ports[l.name] = port
		driver := strings.NewReplacer("{port}", fmt.Sprint(port), "{pki}", pkiDir).Replace(l.driver)
		fmt.Fprintf(&conf, "source s_%s { %s; };\n", l.name, driver)
		buffer := ""
		if durable {
			buffer = fmt.Sprintf(`disk-buffer(reliable(yes) disk-buf-size(16777216) dir("%s"))`, s.dir)
		}
		fmt.Fprintf(&conf, "destination d_%s { file(\"%s\" template(\"%s\") %s); };\n",
			l.name, filepath.Join(s.dir, l.name+".log"), strings.ReplaceAll(template, `"`, `\"`), buffer)
		fmt.Fprintf(&conf, "log { source(s_%s); destination(d_%[1]s); flags(flow-control); };\n", l.name)
	}
	s.conf = filepath.Join(s.dir, "syslog-ng.conf")
	if err := os.WriteFile(s.conf, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *syslogNG) addr(name string) string {
	return fmt.Sprintf("127.0.0.1:%d", s.ports[name])
}

// start runs syslog-ng in the foreground and waits for its TCP listeners.
func (s *syslogNG) start() {
	s.t.Helper()
	cmd := exec.Command("syslog-ng", "-F", "-v", "-e", "--no-caps", "-f", s.conf,
		"-p", filepath.Join(s.dir, "syslog-ng.pid"), "-R", filepath.Join(s.dir, "syslog-ng.persist"),
		"-c", filepath.Join(s.dir, "syslog-ng.ctl"))
	cmd.Env = append(os.Environ(), "TZ=UTC")
	logf, err := os.OpenFile(filepath.Join(s.dir, "stderr.txt"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start syslog-ng: %v", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(s.done) }()
	for _, name := range []string{"tcp", "newline", "tls", "mtls", "bsd_tcp"} {
		if err := waitListening(s.addr(name), s.done, 15*time.Second); err != nil {
			b, _ := os.ReadFile(filepath.Join(s.dir, "stderr.txt"))
			s.t.Fatalf("syslog-ng: %v\n%s", err, b)
		}
	}
}

// waitListening polls addr until it accepts, syslog-ng exits, or timeout.
func waitListening(addr string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			return c.Close()
		}
		select {
		case <-exited:
			return fmt.Errorf("exited before listening on %s", addr)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not listening after %s: %w", addr, timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM (syslog-ng flushes its destinations) and waits.
func (s *syslogNG) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		s.t.Error("syslog-ng did not stop on SIGTERM within 20s")
	}
	s.cmd = nil
}

// restart stops and starts syslog-ng on the same ports.
func (s *syslogNG) restart() {
	s.stop()
	s.start()
}

// record is one message as syslog-ng parsed it.
type record struct {
	Facility string                       `json:"facility"`
	Severity string                       `json:"severity"`
	Host     string                       `json:"host"`
	Program  string                       `json:"program"`
	PID      string                       `json:"pid"`
	MsgID    string                       `json:"msgid"`
	ISODate  string                       `json:"isodate"`
	Message  string                       `json:"message"`
	SData    map[string]map[string]string `json:".SDATA"`
}

// records reads a listener's output file.
func (s *syslogNG) records(t testing.TB, name string) []record {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.dir, name+".log"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	// syslog-ng may be half way through writing the last line: read only
	// up to the last newline.
	b = b[:bytes.LastIndexByte(b, '\n')+1]
	var out []record
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s.log line %d: %v: %s", name, len(out)+1, err, sc.Bytes())
		}
		out = append(out, r)
	}
	return out
}
