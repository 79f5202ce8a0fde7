// Package deploy holds the Kubernetes manifests; its test validates them offline against the
// Kubernetes API types and against the server they deploy. It is the only package that
// imports k8s.io/api (a large compile).
package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"createinfo/internal/config"
	"createinfo/tools/dbtest"
	"createinfo/tools/image"
	"createinfo/tools/servertest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// serviceMonitor is the part of the Prometheus Operator's ServiceMonitor CRD
// (monitoring.coreos.com/v1, not in k8s.io/api) that the manifest may use; any other field
// is refused like an unknown field of the built-in kinds.
type serviceMonitor struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        metav1.ObjectMeta `json:"metadata"`
	Spec            struct {
		Selector  metav1.LabelSelector `json:"selector"`
		Endpoints []struct {
			Port     string `json:"port"`
			Path     string `json:"path"`
			Interval string `json:"interval"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// kinds maps each apiVersion/kind the manifests may hold to a new value of its Go type.
var kinds = map[string]func() any{
	"apps/v1/Deployment":                      func() any { return new(appsv1.Deployment) },
	"v1/Service":                              func() any { return new(corev1.Service) },
	"v1/ConfigMap":                            func() any { return new(corev1.ConfigMap) },
	"batch/v1/Job":                            func() any { return new(batchv1.Job) },
	"policy/v1/PodDisruptionBudget":           func() any { return new(policyv1.PodDisruptionBudget) },
	"autoscaling/v2/HorizontalPodAutoscaler":  func() any { return new(autoscalingv2.HorizontalPodAutoscaler) },
	"networking.k8s.io/v1/NetworkPolicy":      func() any { return new(networkingv1.NetworkPolicy) },
	"monitoring.coreos.com/v1/ServiceMonitor": func() any { return new(serviceMonitor) },
}

// decode reads every document of the YAML files in dir strictly: an unknown kind or field,
// a wrong type, fails.
func decode(dir string) (map[string]any, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	objs := map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for i, doc := range bytes.Split(b, []byte("\n---\n")) {
			j, err := yaml.YAMLToJSON(doc)
			if err != nil {
				return nil, fmt.Errorf("%s document %d: %w", f, i, err)
			}
			var tm metav1.TypeMeta
			if err := json.Unmarshal(j, &tm); err != nil {
				return nil, fmt.Errorf("%s document %d: %w", f, i, err)
			}
			key := tm.APIVersion + "/" + tm.Kind
			mk := kinds[key]
			if mk == nil {
				return nil, fmt.Errorf("%s document %d: unknown kind %q", f, i, key)
			}
			obj := mk()
			dec := json.NewDecoder(bytes.NewReader(j))
			dec.DisallowUnknownFields()
			if err := dec.Decode(obj); err != nil {
				return nil, fmt.Errorf("%s document %d (%s): %w", f, i, key, err)
			}
			if _, dup := objs[tm.Kind]; dup {
				return nil, fmt.Errorf("%s: a second %s", f, tm.Kind)
			}
			objs[tm.Kind] = obj
		}
	}
	return objs, nil
}

// TestDecoderRefusesUnknownFields is the attacker's variant of the check below: a misspelt
// field (which kubectl apply would drop silently on some versions) fails.
func TestDecoderRefusesUnknownFields(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile("deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(b), "readinessProbe:", "readynessProbe:", 1)
	os.WriteFile(filepath.Join(dir, "deployment.yaml"), []byte(bad), 0o644)
	if _, err := decode(dir); err == nil || !strings.Contains(err.Error(), `unknown field "readynessProbe"`) {
		t.Errorf("misspelt field: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "deployment.yaml"), []byte(strings.Replace(string(b), "replicas: 2", "replicas: two", 1)), 0o644)
	if _, err := decode(dir); err == nil {
		t.Errorf("a string for replicas was accepted")
	}
	os.WriteFile(filepath.Join(dir, "deployment.yaml"), b, 0o644)
	os.WriteFile(filepath.Join(dir, "x.yaml"), []byte("apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nspec:\n  endpoints:\n    - port: metrics\n      scheme: https\n"), 0o644)
	if _, err := decode(dir); err == nil || !strings.Contains(err.Error(), `unknown field "scheme"`) {
		t.Errorf("ServiceMonitor field outside the schema: %v", err)
	}
}

// TestManifests decodes deploy/*.yaml strictly and checks them against the server: the
// Deployment's literal settings pass the server's own configuration parser in production
// mode (with the ConfigMap's values), the NetworkPolicy lets the server reach OIDC_ISSUER, its
// probes hit routes that answer 200 on a running server, the ports are the ones
// configured, the memory limit leaves room above GO_MEMORY_LIMIT, and the grace period
// outlasts the drain and the shutdown.
func TestManifests(t *testing.T) {
	objs, err := decode(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != len(kinds) {
		t.Fatalf("%d kinds in deploy/, want %d", len(objs), len(kinds))
	}
	dep := objs["Deployment"].(*appsv1.Deployment)
	pod := dep.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Containers))
	}
	c := pod.Containers[0]

	// The settings, as the server reads them: the ConfigMap's values as written, secrets
	// well-formed stand-ins.
	cm := objs["ConfigMap"].(*corev1.ConfigMap)
	secrets := map[string]string{
		"DATABASE_URL": "postgres://createinfo@db:5432/createinfo", "DATABASE_REPLICA_URLS": "",
		"API_KEYS": "crm:" + strings.Repeat("ab", 32), "AUDIT_HMAC_KEY": strings.Repeat("h", 32),
		"AUDIT_CHAIN_KEY": strings.Repeat("c", 32),
	}
	env := map[string]string{}
	var optSecrets []string
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			v, ok := secrets[e.Name]
			if !ok {
				t.Errorf("%s from a secret: not a secret setting", e.Name)
			}
			env[e.Name] = v
			delete(secrets, e.Name)
			if o := e.ValueFrom.SecretKeyRef.Optional; o != nil && *o {
				optSecrets = append(optSecrets, e.Name)
			}
		case e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil:
			ref := e.ValueFrom.ConfigMapKeyRef
			v, ok := cm.Data[ref.Key]
			if ref.Name != cm.Name || !ok && (ref.Optional == nil || !*ref.Optional) {
				t.Errorf("%s from ConfigMap %s key %s: deploy/ has no such required key", e.Name, ref.Name, ref.Key)
			}
			env[e.Name] = v
		case e.ValueFrom != nil:
			t.Errorf("%s: only literal values and secret references", e.Name)
		default:
			env[e.Name] = e.Value
		}
	}
	if len(secrets) != 0 {
		t.Errorf("not taken from the secret: %v", secrets)
	}
	cfg, err := config.FromMap(env)
	if err != nil {
		t.Fatalf("the Deployment's settings:\n%v", err)
	}
	if !cfg.Production() || cfg.MetricsAddr == "" {
		t.Errorf("env %q metrics %q: want production with metrics", cfg.Env, cfg.MetricsAddr)
	}
	// The optional secrets may be left out of the Secret: the settings still parse.
	for _, k := range optSecrets {
		delete(env, k)
	}
	if _, err := config.FromMap(env); err != nil {
		t.Errorf("without the optional secrets %v:\n%v", optSecrets, err)
	}

	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if ports["http"] != int32(port(t, cfg.ListenAddr)) || ports["metrics"] != int32(port(t, cfg.MetricsAddr)) || len(ports) != 2 {
		t.Errorf("container ports %v, want http %s and metrics %s", ports, cfg.ListenAddr, cfg.MetricsAddr)
	}
	if ports["http"] != image.Port {
		t.Errorf("http port %d, the image exposes %d", ports["http"], image.Port)
	}

	// Probes: the paths are routes that answer 200 on a running server with its database.
	probes := map[string]*corev1.Probe{"/healthz": c.LivenessProbe, "/readyz": c.ReadinessProbe}
	env0 := servertest.New(t)
	for path, p := range probes {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port != intstr.FromString("http") {
			t.Errorf("probe for %s: %+v", path, p)
			continue
		}
		resp, err := http.Get(env0.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}

	// Memory: the container's limit is GO_MEMORY_LIMIT plus 20 to 40% for what the Go
	// runtime does not count (stacks, binary, fragmentation).
	limit := c.Resources.Limits[corev1.ResourceMemory]
	req := c.Resources.Requests[corev1.ResourceMemory]
	if limit.IsZero() || limit.Cmp(req) != 0 {
		t.Errorf("memory request %s limit %s: want equal, so the scheduler reserves what the limit allows", req.String(), limit.String())
	}
	if r := float64(cfg.MemoryLimit) / float64(limit.Value()); r < 0.6 || r > 0.85 {
		t.Errorf("GO_MEMORY_LIMIT %d is %.0f%% of the container's %s: want 60-85%%", cfg.MemoryLimit, r*100, limit.String())
	}
	if cpu := c.Resources.Requests[corev1.ResourceCPU]; cpu.IsZero() {
		t.Errorf("no CPU request: the HPA's utilization is relative to it")
	}
	grace := time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second
	if grace <= cfg.DrainDelay+cfg.ShutdownTimeout {
		t.Errorf("terminationGracePeriodSeconds %s, want more than DRAIN_DELAY %s + SHUTDOWN_TIMEOUT %s", grace, cfg.DrainDelay, cfg.ShutdownTimeout)
	}

	// The image's user, and the pod may not run as root.
	sc := pod.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != image.UID {
		t.Errorf("pod security context %+v, want non-root %d", sc, image.UID)
	}
	if c.SecurityContext == nil || c.SecurityContext.ReadOnlyRootFilesystem == nil || !*c.SecurityContext.ReadOnlyRootFilesystem {
		t.Errorf("container security context %+v: want a read-only root", c.SecurityContext)
	}

	// The Job runs migrate from the same image.
	job := objs["Job"].(*batchv1.Job)
	jc := job.Spec.Template.Spec.Containers
	if len(jc) != 1 || jc[0].Image != c.Image || len(jc[0].Command) != 1 || jc[0].Command[0] != image.BinDir+"/migrate" {
		t.Errorf("migrate job containers %+v", jc)
	}

	// Everything that selects the pods selects these labels.
	labels := dep.Spec.Template.Labels
	sel := map[string]map[string]string{
		"Deployment":          dep.Spec.Selector.MatchLabels,
		"Service":             objs["Service"].(*corev1.Service).Spec.Selector,
		"PodDisruptionBudget": objs["PodDisruptionBudget"].(*policyv1.PodDisruptionBudget).Spec.Selector.MatchLabels,
		"NetworkPolicy":       objs["NetworkPolicy"].(*networkingv1.NetworkPolicy).Spec.PodSelector.MatchLabels,
	}
	for kind, s := range sel {
		if len(s) == 0 {
			t.Errorf("%s selects every pod", kind)
		}
		for k, v := range s {
			if labels[k] != v {
				t.Errorf("%s selects %s=%s, the pods have %v", kind, k, v, labels)
			}
		}
	}

	// HPA on CPU, on this Deployment.
	hpa := objs["HorizontalPodAutoscaler"].(*autoscalingv2.HorizontalPodAutoscaler)
	if hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != dep.Name || len(hpa.Spec.Metrics) != 1 ||
		hpa.Spec.Metrics[0].Resource == nil || hpa.Spec.Metrics[0].Resource.Name != corev1.ResourceCPU {
		t.Errorf("HPA %+v", hpa.Spec)
	}
	if pdb := objs["PodDisruptionBudget"].(*policyv1.PodDisruptionBudget); hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 || pdb.Spec.MaxUnavailable == nil {
		t.Errorf("min replicas %v, PDB %+v: a disruption must leave one instance", hpa.Spec.MinReplicas, pdb.Spec)
	}

	// NetworkPolicy: in, only the service and metrics ports; out, only PostgreSQL, the
	// OpenID Provider on HTTPS and DNS; and the issuer configured is reachable.
	np := objs["NetworkPolicy"].(*networkingv1.NetworkPolicy)
	if cfg.OIDC.Issuer != "" {
		if p := issuerPort(t, cfg.OIDC.Issuer); !allowsEgress(np, p) {
			t.Errorf("OIDC_ISSUER %s: the NetworkPolicy allows no egress on TCP %d, so the server could not fetch its discovery document at start", cfg.OIDC.Issuer, p)
		}
	}
	var in, out []string
	for _, r := range np.Spec.Ingress {
		if len(r.From) == 0 {
			t.Errorf("an ingress rule from anywhere")
		}
		for _, p := range r.Ports {
			in = append(in, p.Port.String())
		}
	}
	for _, r := range np.Spec.Egress {
		if len(r.To) == 0 {
			t.Errorf("an egress rule to anywhere")
		}
		for _, p := range r.Ports {
			out = append(out, fmt.Sprintf("%s/%s", *p.Protocol, p.Port.String()))
		}
	}
	if strings.Join(in, " ") != fmt.Sprintf("%d %d", ports["http"], ports["metrics"]) ||
		strings.Join(out, " ") != "TCP/5432 TCP/443 UDP/53 TCP/53" || len(np.Spec.PolicyTypes) != 2 {
		t.Errorf("network policy: in %v out %v types %v", in, out, np.Spec.PolicyTypes)
	}

	// The ServiceMonitor scrapes the Service's port that leads to METRICS_ADDR.
	svc := objs["Service"].(*corev1.Service)
	sm := objs["ServiceMonitor"].(*serviceMonitor)
	if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Path != "/metrics" {
		t.Fatalf("service monitor endpoints %+v", sm.Spec.Endpoints)
	}
	found := false
	for _, p := range svc.Spec.Ports {
		if p.Name == sm.Spec.Endpoints[0].Port {
			found = ports[p.TargetPort.String()] == int32(port(t, cfg.MetricsAddr))
		}
	}
	if !found || sm.Spec.Selector.MatchLabels["app.kubernetes.io/name"] != svc.Labels["app.kubernetes.io/name"] {
		t.Errorf("the service monitor's port %q does not lead to METRICS_ADDR %s", sm.Spec.Endpoints[0].Port, cfg.MetricsAddr)
	}
}

// TestIssuerEgress is the attacker's variant of the issuer check above: an issuer on another
// port than the policy's is refused, and the port comes from the scheme when the URL has none.
func TestIssuerEgress(t *testing.T) {
	objs, err := decode(".")
	if err != nil {
		t.Fatal(err)
	}
	np := objs["NetworkPolicy"].(*networkingv1.NetworkPolicy)
	for issuer, want := range map[string]bool{
		"https://kc.bank/realms/bank":                   true,
		"https://login.microsoftonline.com/tenant/v2.0": true,
		"https://kc.bank:443/realms/bank":               true,
		"https://kc.bank:8443/realms/bank":              false,
		"http://kc.bank/realms/bank":                    false,
	} {
		if got := allowsEgress(np, issuerPort(t, issuer)); got != want {
			t.Errorf("%s: egress allowed %v, want %v", issuer, got, want)
		}
	}
	// Without the provider's rule, the default issuer is refused.
	var kept []networkingv1.NetworkPolicyEgressRule
	for _, r := range np.Spec.Egress {
		if len(r.Ports) != 1 || r.Ports[0].Port.IntValue() != 443 {
			kept = append(kept, r)
		}
	}
	if len(kept) != len(np.Spec.Egress)-1 {
		t.Fatalf("%d egress rules on 443 alone, want 1", len(np.Spec.Egress)-len(kept))
	}
	np.Spec.Egress = kept
	if allowsEgress(np, 443) {
		t.Errorf("a policy without the provider's rule allows 443")
	}
}

// issuerPort is the TCP port the server connects to for issuer's discovery document.
func issuerPort(t *testing.T, issuer string) int32 {
	u, err := url.Parse(issuer)
	if err != nil {
		t.Fatalf("OIDC_ISSUER %q: %v", issuer, err)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			t.Fatal(err)
		}
		return int32(n)
	}
	if u.Scheme == "http" {
		return 80
	}
	return 443
}

// allowsEgress tells whether np lets the pods open TCP connections to port somewhere.
func allowsEgress(np *networkingv1.NetworkPolicy, port int32) bool {
	for _, r := range np.Spec.Egress {
		for _, p := range r.Ports {
			tcp := p.Protocol == nil || *p.Protocol == corev1.ProtocolTCP
			if tcp && p.Port != nil && p.Port.IntValue() == int(port) {
				return true
			}
		}
	}
	return false
}

func port(t *testing.T, addr string) int {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("%q: %v", addr, err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
