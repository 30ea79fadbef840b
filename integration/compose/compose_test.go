// Package compose validates docker-compose.yml without a Docker engine: it
// loads the file with the compose-spec Go loader and checks that services,
// ports, volumes, tokens and the bridge's environment agree with each other
// and with the variables the auditbridge binary knows.
package compose

import (
	"context"
	"net"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/integration/testutil"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

func loadProject(t *testing.T) *types.Project {
	t.Helper()
	root := testutil.RepoRoot()
	details := types.ConfigDetails{
		WorkingDir:  root,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(root, "docker-compose.yml")}},
		Environment: types.Mapping{},
	}
	p, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("auditbridge-demo", true)
	})
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, ok := p.Services[name]
	if !ok {
		t.Fatalf("service %q missing", name)
	}
	return s
}

func env(s types.ServiceConfig) map[string]string {
	m := map[string]string{}
	for k, v := range s.Environment {
		if v != nil {
			m[k] = *v
		}
	}
	return m
}

func targets(s types.ServiceConfig) []uint32 {
	var out []uint32
	for _, p := range s.Ports {
		out = append(out, p.Target)
	}
	return out
}

// knownVariables runs `auditbridge env` and returns every variable it lists.
func knownVariables(t *testing.T) map[string]bool {
	t.Helper()
	out, err := exec.Command(testutil.BridgeBinary(t), "env").Output()
	if err != nil {
		t.Fatalf("auditbridge env: %v", err)
	}
	known := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^(AUDITBRIDGE_[A-Z0-9_]+)\s`).FindAllStringSubmatch(string(out), -1) {
		known[m[1]] = true
	}
	if len(known) < 20 {
		t.Fatalf("auditbridge env listed only %d variables", len(known))
	}
	return known
}

func TestServicesPresent(t *testing.T) {
	p := loadProject(t)
	for _, name := range []string{"auditbridge", "simulator", "elasticsearch", "kibana", "splunk", "syslog-ng"} {
		service(t, p, name)
	}
}

func TestBridgeEnvironmentIsKnown(t *testing.T) {
	p := loadProject(t)
	known := knownVariables(t)
	for name := range env(service(t, p, "auditbridge")) {
		base := strings.TrimSuffix(name, "_FILE")
		if strings.HasPrefix(name, "AUDITBRIDGE_") && !known[name] && !known[base] {
			t.Errorf("auditbridge service sets %s, which the binary does not read", name)
		}
	}
}

// addrPort returns host and port of a host:port or URL value.
func addrPort(t *testing.T, v string) (string, uint32) {
	t.Helper()
	if u, err := url.Parse(v); err == nil && u.Host != "" {
		v = u.Host
	}
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		t.Fatalf("%q is not host:port: %v", v, err)
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		t.Fatalf("%q: bad port", v)
	}
	return host, uint32(n)
}

func TestEndpointsPointAtServices(t *testing.T) {
	p := loadProject(t)
	bridge := env(service(t, p, "auditbridge"))
	cases := []struct {
		variable, service string
		port              uint32
	}{
		{"AUDITBRIDGE_SPLUNK_URL", "splunk", 8088},
		{"AUDITBRIDGE_ES_ADDRESSES", "elasticsearch", 9200},
		{"AUDITBRIDGE_SYSLOG_ADDRESS", "syslog-ng", 601},
		{"AUDITBRIDGE_TFC_ADDRESS", "simulator", 8080},
	}
	for _, c := range cases {
		host, port := addrPort(t, bridge[c.variable])
		if host != c.service || port != c.port {
			t.Errorf("%s = %q, want service %s port %d", c.variable, bridge[c.variable], c.service, c.port)
		}
		if !slices.Contains(targets(service(t, p, c.service)), port) {
			t.Errorf("service %s does not expose port %d that %s uses", c.service, port, c.variable)
		}
		if !slices.Contains(service(t, p, "auditbridge").GetDependencies(), c.service) {
			t.Errorf("auditbridge does not depend on %s", c.service)
		}
	}
	for _, v := range []string{"AUDITBRIDGE_HEC_ADDR", "AUDITBRIDGE_ADMIN_ADDR"} {
		_, port := addrPort(t, bridge[v])
		if !slices.Contains(targets(service(t, p, "auditbridge")), port) {
			t.Errorf("auditbridge does not publish %s port %d", v, port)
		}
	}
}

func TestSimulatorAndTokensAgree(t *testing.T) {
	p := loadProject(t)
	bridge := env(service(t, p, "auditbridge"))
	sim := service(t, p, "simulator")
	flags := map[string]string{}
	for i := 0; i+1 < len(sim.Command); i++ {
		if strings.HasPrefix(sim.Command[i], "--") {
			flags[sim.Command[i]] = sim.Command[i+1]
		}
	}
	if sim.Command[0] != "simulate" {
		t.Fatalf("simulator command = %v, want auditbridge simulate", sim.Command)
	}
	host, port := addrPort(t, flags["--hec-url"])
	_, hecPort := addrPort(t, bridge["AUDITBRIDGE_HEC_ADDR"])
	if host != "auditbridge" || port != hecPort {
		t.Errorf("simulator posts to %s, the bridge's HEC listens on port %d", flags["--hec-url"], hecPort)
	}
	if !slices.Contains(strings.Split(bridge["AUDITBRIDGE_HEC_TOKENS"], ","), flags["--hec-token"]) {
		t.Error("the simulator's HEC token is not one of AUDITBRIDGE_HEC_TOKENS")
	}
	if flags["--tfc-token"] != bridge["AUDITBRIDGE_TFC_TOKEN"] {
		t.Error("the simulator's audit-trail token differs from AUDITBRIDGE_TFC_TOKEN")
	}
	_, apiPort := addrPort(t, flags["--api-addr"])
	if _, tfcPort := addrPort(t, bridge["AUDITBRIDGE_TFC_ADDRESS"]); apiPort != tfcPort {
		t.Errorf("simulator serves the API on %d, the bridge polls port %d", apiPort, tfcPort)
	}
	if splunk := env(service(t, p, "splunk")); splunk["SPLUNK_HEC_TOKEN"] != bridge["AUDITBRIDGE_SPLUNK_TOKEN"] {
		t.Error("AUDITBRIDGE_SPLUNK_TOKEN differs from the Splunk service's SPLUNK_HEC_TOKEN")
	}
	if sim.Image != service(t, p, "auditbridge").Image {
		t.Errorf("simulator image %q is not the bridge image", sim.Image)
	}
}

func TestVolumes(t *testing.T) {
	p := loadProject(t)
	bridge := service(t, p, "auditbridge")
	dataDir := env(bridge)["AUDITBRIDGE_DATA_DIR"]
	found := false
	for _, v := range bridge.Volumes {
		if v.Target == dataDir && v.Type == types.VolumeTypeVolume {
			found = true
		}
	}
	if !found {
		t.Errorf("AUDITBRIDGE_DATA_DIR %q is not on a named volume: the spool would not survive a container restart", dataDir)
	}
	for name, s := range p.Services {
		for _, v := range s.Volumes {
			switch v.Type {
			case types.VolumeTypeVolume:
				if _, ok := p.Volumes[v.Source]; !ok {
					t.Errorf("service %s mounts undeclared volume %q", name, v.Source)
				}
			case types.VolumeTypeBind:
				rel, _ := filepath.Rel(testutil.RepoRoot(), v.Source)
				if _, err := exec.Command("test", "-e", v.Source).Output(); err != nil {
					t.Errorf("service %s binds %s, which is not in the repository", name, rel)
				}
			}
		}
	}
}
