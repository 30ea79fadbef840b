package faults

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

// peer is a sink-side server that counts event ids and can go down (its
// listener closed: connection refused) and come back on the same port, or
// answer slowly.
type peer struct {
	mu    sync.Mutex
	ids   map[string]int
	addr  string
	srv   *http.Server
	delay time.Duration
	h     func(p *peer, w http.ResponseWriter, r *http.Request)
}

func newPeer(t *testing.T, h func(p *peer, w http.ResponseWriter, r *http.Request)) *peer {
	p := &peer{ids: map[string]int{}, addr: fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)), h: h}
	p.up(t)
	t.Cleanup(p.down)
	return p
}

func (p *peer) up(t *testing.T) {
	t.Helper()
	var l net.Listener
	var err error
	for range 50 { // the port may linger briefly after down
		if l, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("peer up on %s: %v", p.addr, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		d := p.delay
		p.mu.Unlock()
		time.Sleep(d)
		p.h(p, w, r)
	})}
	p.mu.Lock()
	p.srv = srv
	p.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

func (p *peer) down() {
	p.mu.Lock()
	srv := p.srv
	p.srv = nil
	p.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

func (p *peer) setDelay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

func (p *peer) count(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ids[id]++
}

func (p *peer) delivered() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.ids))
	for k, v := range p.ids {
		out[k] = v
	}
	return out
}

// hecPeer speaks Splunk HEC: concatenated {"event":{…native…}} objects.
func hecPeer(t *testing.T) *peer {
	return newPeer(t, func(p *peer, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/services/collector/health" {
			io.WriteString(w, `{"text":"HEC is healthy","code":17}`)
			return
		}
		if r.Header.Get("Authorization") != "Splunk faults-splunk-token" {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"text":"Invalid token","code":4}`)
			return
		}
		dec := json.NewDecoder(r.Body)
		var ids []string
		for {
			var e struct {
				Event struct {
					ID string `json:"id"`
				} `json:"event"`
			}
			if err := dec.Decode(&e); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"text":"Invalid data format","code":6}`)
				return
			}
			ids = append(ids, e.Event.ID)
		}
		for _, id := range ids {
			p.count(id)
		}
		io.WriteString(w, `{"text":"Success","code":0}`)
	})
}

// bulkPeer speaks the Elasticsearch _bulk API with create semantics: a
// second create of an _id answers 409 and is not stored twice.
func bulkPeer(t *testing.T) *peer {
	seen := map[string]bool{}
	var mu sync.Mutex
	return newPeer(t, func(p *peer, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet && r.URL.Path == "/" {
			io.WriteString(w, `{"name":"faults","cluster_name":"faults","version":{"number":"8.19.7","build_flavor":"default"},"tagline":"You Know, for Search"}`)
			return
		}
		if !bytes.HasSuffix([]byte(r.URL.Path), []byte("/_bulk")) {
			io.WriteString(w, `{"acknowledged":true}`)
			return
		}
		sc := bufio.NewScanner(r.Body)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		var items []string
		for sc.Scan() {
			var action struct {
				Create struct {
					ID string `json:"_id"`
				} `json:"create"`
			}
			if json.Unmarshal(sc.Bytes(), &action) != nil || action.Create.ID == "" {
				continue
			}
			sc.Scan() // the document
			id := action.Create.ID
			mu.Lock()
			status := 201
			if seen[id] {
				status = 409
			} else {
				seen[id] = true
				p.count(id)
			}
			mu.Unlock()
			items = append(items, fmt.Sprintf(`{"create":{"_index":"ds","_id":%q,"status":%d}}`, id, status))
		}
		fmt.Fprintf(w, `{"took":1,"errors":false,"items":[%s]}`, bytes.Join(toBytes(items), []byte(",")))
	})
}

func toBytes(s []string) [][]byte {
	out := make([][]byte, len(s))
	for i := range s {
		out[i] = []byte(s[i])
	}
	return out
}

// syslogNG is a real syslog-ng receiving RFC 5424 over TCP and writing each
// message body (our native JSON) as one line.
type syslogNG struct {
	t    *testing.T
	dir  string
	port int
	cmd  *exec.Cmd
}

func startSyslogNG(t *testing.T) *syslogNG {
	t.Helper()
	if _, err := exec.LookPath("syslog-ng"); err != nil {
		t.Skip("syslog-ng not installed (.ci/run installs syslog-ng-core)")
	}
	s := &syslogNG{t: t, dir: t.TempDir(), port: testutil.FreePort(t)}
	conf := fmt.Sprintf(`@version: 3.38
options { keep-hostname(yes); };
source s { syslog(ip("127.0.0.1") port(%d) transport("tcp") log-msg-size(1048576)); };
destination d { file("%s" template("$MSG\n")); };
log { source(s); destination(d); };
`, s.port, filepath.Join(s.dir, "out.ndjson"))
	if err := os.WriteFile(filepath.Join(s.dir, "sng.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *syslogNG) start() {
	s.t.Helper()
	s.cmd = exec.Command("syslog-ng", "-F", "--no-caps", "-f", filepath.Join(s.dir, "sng.conf"),
		"-p", filepath.Join(s.dir, "pid"), "-R", filepath.Join(s.dir, "persist"), "-c", filepath.Join(s.dir, "ctl"))
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	if err := testutil.WaitTCP(fmt.Sprintf("127.0.0.1:%d", s.port), 20*time.Second); err != nil {
		s.t.Fatal(err)
	}
}

func (s *syslogNG) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	_ = s.cmd.Wait()
	s.cmd = nil
}

func (s *syslogNG) delivered() map[string]int {
	return readIDs(s.t, filepath.Join(s.dir, "out.ndjson"))
}

// readIDs counts the event ids of an NDJSON file.
func readIDs(t *testing.T, path string) map[string]int { return testutil.ReadIDs(t, path) }
