package deploy

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/auditbridge/auditbridge/integration/testutil"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// objects is every object of the manifests, by kind and name.
type objects struct {
	deployments  map[string]*appsv1.Deployment
	statefulSets map[string]*appsv1.StatefulSet
	services     map[string]*corev1.Service
	configMaps   map[string]*corev1.ConfigMap
	pdbs         map[string]*policyv1.PodDisruptionBudget
}

// load decodes every document of deploy/kubernetes/*.yaml strictly into
// its API type.
func load(t *testing.T) objects {
	t.Helper()
	o := objects{map[string]*appsv1.Deployment{}, map[string]*appsv1.StatefulSet{}, map[string]*corev1.Service{},
		map[string]*corev1.ConfigMap{}, map[string]*policyv1.PodDisruptionBudget{}}
	files, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(), "deploy", "kubernetes", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no manifests in deploy/kubernetes")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(b), -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			where := fmt.Sprintf("%s document %d", filepath.Base(f), i+1)
			var head struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			var obj any
			var name func() string
			switch head.APIVersion + " " + head.Kind {
			case "apps/v1 Deployment":
				d := &appsv1.Deployment{}
				obj, name = d, func() string { o.deployments[d.Name] = d; return d.Name }
			case "apps/v1 StatefulSet":
				s := &appsv1.StatefulSet{}
				obj, name = s, func() string { o.statefulSets[s.Name] = s; return s.Name }
			case "v1 Service":
				s := &corev1.Service{}
				obj, name = s, func() string { o.services[s.Name] = s; return s.Name }
			case "v1 ConfigMap":
				c := &corev1.ConfigMap{}
				obj, name = c, func() string { o.configMaps[c.Name] = c; return c.Name }
			case "policy/v1 PodDisruptionBudget":
				p := &policyv1.PodDisruptionBudget{}
				obj, name = p, func() string { o.pdbs[p.Name] = p; return p.Name }
			default:
				t.Fatalf("%s: unexpected %s %s", where, head.APIVersion, head.Kind)
			}
			if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
				t.Fatalf("%s: strict decoding into %s: %v", where, head.Kind, err)
			}
			if name() == "" {
				t.Errorf("%s: %s without a name", where, head.Kind)
			}
		}
	}
	return o
}

func TestManifests(t *testing.T) {
	o := load(t)
	bridge, nats := o.deployments["auditbridge"], o.statefulSets["nats"]
	if bridge == nil || nats == nil {
		t.Fatalf("want Deployment auditbridge and StatefulSet nats; have %d deployments, %d statefulsets",
			len(o.deployments), len(o.statefulSets))
	}
	t.Run("selectors match pod labels", func(t *testing.T) {
		pods := map[string]map[string]string{"auditbridge": bridge.Spec.Template.Labels, "nats": nats.Spec.Template.Labels}
		for _, sel := range []struct {
			what string
			sel  map[string]string
		}{
			{"deployment auditbridge", bridge.Spec.Selector.MatchLabels},
			{"statefulset nats", nats.Spec.Selector.MatchLabels},
		} {
			if !matchesAny(sel.sel, pods) {
				t.Errorf("%s selector %v matches no pod template", sel.what, sel.sel)
			}
		}
		for name, s := range o.services {
			if !matchesAny(s.Spec.Selector, pods) {
				t.Errorf("service %s selector %v matches no pod template", name, s.Spec.Selector)
			}
		}
		for name, p := range o.pdbs {
			if !matchesAny(p.Spec.Selector.MatchLabels, pods) {
				t.Errorf("pdb %s selector matches no pod template", name)
			}
		}
	})
	t.Run("bridge readiness is /readyz on the admin port", func(t *testing.T) {
		c := bridge.Spec.Template.Spec.Containers[0]
		if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" || p.HTTPGet.Port.String() != "admin" {
			t.Errorf("readiness probe %+v, want GET /readyz on port admin", p)
		}
		if !hasPort(c.Ports, "admin", 9880) || !hasPort(c.Ports, "hec", 8088) {
			t.Errorf("container ports %+v, want admin 9880 and hec 8088", c.Ports)
		}
		if *bridge.Spec.Replicas < 2 {
			t.Errorf("%d bridge replicas, want at least 2", *bridge.Spec.Replicas)
		}
	})
	t.Run("three NATS nodes with JetStream storage", func(t *testing.T) {
		if *nats.Spec.Replicas != 3 || len(nats.Spec.VolumeClaimTemplates) != 1 {
			t.Errorf("statefulset nats: %d replicas, %d volume claim templates; want 3 and 1",
				*nats.Spec.Replicas, len(nats.Spec.VolumeClaimTemplates))
		}
		if o.services[nats.Spec.ServiceName] == nil || o.services[nats.Spec.ServiceName].Spec.ClusterIP != "None" {
			t.Errorf("statefulset nats: serviceName %q is not a headless service here", nats.Spec.ServiceName)
		}
	})
	t.Run("config maps and env names exist", func(t *testing.T) {
		known := knownVariables(t)
		c := bridge.Spec.Template.Spec.Containers[0]
		names := map[string]bool{}
		for _, e := range c.Env {
			names[e.Name] = true
		}
		for _, ef := range c.EnvFrom {
			cm := o.configMaps[ef.ConfigMapRef.Name]
			if cm == nil {
				t.Fatalf("envFrom config map %q is not in the manifests", ef.ConfigMapRef.Name)
			}
			for k := range cm.Data {
				names[k] = true
			}
		}
		for n := range names {
			if !known[n] {
				t.Errorf("%s is not a variable `auditbridge env` knows", n)
			}
		}
		if !names["AUDITBRIDGE_NATS_URL"] {
			t.Error("the bridges are not pointed at the NATS cluster (AUDITBRIDGE_NATS_URL)")
		}
	})
}

// TestNATSConfigs: both NATS configurations are accepted by `nats-server -t`.
func TestNATSConfigs(t *testing.T) {
	o := load(t)
	k8s := filepath.Join(t.TempDir(), "nats.conf")
	if err := os.WriteFile(k8s, []byte(o.configMaps["nats-config"].Data["nats.conf"]), 0o600); err != nil {
		t.Fatal(err)
	}
	vm := filepath.Join(testutil.RepoRoot(), "deploy", "nats-cluster", "nats.conf")
	for _, f := range []string{k8s, vm} {
		cmd := exec.Command(natsServer(t), "-c", f, "-t")
		cmd.Env = append(os.Environ(), "SERVER_NAME=nats-0", "NATS_SERVER_NAME=nats-1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("nats-server -t %s: %v\n%s", f, err, out)
		}
	}
}

func matchesAny(sel map[string]string, pods map[string]map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for _, labels := range pods {
		ok := true
		for k, v := range sel {
			ok = ok && labels[k] == v
		}
		if ok {
			return true
		}
	}
	return false
}

func hasPort(ports []corev1.ContainerPort, name string, n int32) bool {
	for _, p := range ports {
		if p.Name == name && p.ContainerPort == n {
			return true
		}
	}
	return false
}

// knownVariables is every AUDITBRIDGE_ name (and its _FILE form) that
// `auditbridge env` lists.
func knownVariables(t *testing.T) map[string]bool {
	out, err := exec.Command(testutil.BridgeBinary(t), "env").Output()
	if err != nil {
		t.Fatalf("auditbridge env: %v", err)
	}
	known := map[string]bool{}
	for _, m := range regexp.MustCompile(`AUDITBRIDGE_[A-Z0-9_]+`).FindAll(out, -1) {
		known[string(m)] = true
	}
	if len(known) < 20 {
		t.Fatalf("auditbridge env listed only %d variables:\n%s", len(known), bytes.TrimSpace(out))
	}
	return known
}

var (
	natsOnce sync.Once
	natsBin  string
	natsErr  error
)

// natsServer builds the pinned nats-server once per test process.
func natsServer(t *testing.T) string {
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
