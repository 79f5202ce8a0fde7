package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Variant is one way of running the service for the observability benchmark.
type Variant struct {
	Name string
	Env  []string // settings added to the service's
	URL  string   // where it serves
	// MetricsURL, when set, is scraped once per round, as Prometheus would.
	MetricsURL string
	Process    *Process
}

// VariantResult is the median of a variant's rounds.
type VariantResult struct {
	Variant            string
	Rounds             int
	Throughput         float64 // median req/s
	Spread             float64 // (max − min) / median of the rounds' throughput
	P50, P99           time.Duration
	Success            float64
	ThroughputPerRound []float64
	P99PerRound        []time.Duration
	Requests           uint64
	RelativeToFirst    float64 // median throughput over the first variant's
	RelativeP99ToFirst float64
	// PairedRatio is the median, over rounds, of this variant's throughput over the first
	// variant's in the same round: robust to drift between rounds.
	PairedRatio          float64
	ScrapeBytes, Scrapes int
	// CPUPerRequest is the median, over rounds, of the server process's CPU time (user +
	// system) per request: what the variant costs, much less sensitive than throughput to
	// other load on the machine.
	CPUPerRequest time.Duration
	CPUPerRound   []time.Duration
}

// Observability measures the legacy full tree on every variant, all running at once, in
// interleaved rounds (A B C A B C …) so that drift of the machine over the run hits every
// variant alike: the cost of metrics and tracing, on versus off, in the same run.
func Observability(ctx context.Context, c Config, variants []Variant, rounds, clients int, log io.Writer) ([]VariantResult, error) {
	phones, err := SamplePhones(ctx, c.Pool, c.Phones)
	if err != nil {
		return nil, err
	}
	s := Scenarios[0] // (a) legacy endpoint, full tree
	for _, v := range variants {
		cv := c
		cv.ServiceURL = v.URL
		attack(cv, s, phones, clients, c.Duration/2) // warm: pool, prepared statements, caches
	}
	per := make([][]Result, len(variants))
	cpuPer := make([][]time.Duration, len(variants))
	scrapes := make([][2]int, len(variants))
	for round := range rounds {
		// Each round starts with another variant (A B C, B C A, C A B …): none is always the
		// one measured right after the warm-up, or after the heaviest.
		for k := range variants {
			i := (round + k) % len(variants)
			v := variants[i]
			cv := c
			cv.ServiceURL = v.URL
			runtime.GC()
			cpu0 := processCPU(v.Process.Pid())
			r := attack(cv, s, phones, clients, c.Duration)
			cpu := processCPU(v.Process.Pid()) - cpu0
			if r.Requests > 0 {
				cpuPer[i] = append(cpuPer[i], cpu/time.Duration(r.Requests))
			}
			per[i] = append(per[i], r)
			if v.MetricsURL != "" {
				if n, err := scrape(v.MetricsURL); err == nil {
					scrapes[i][0] += n
					scrapes[i][1]++
				}
			}
			fmt.Fprintf(log, "round %d %-40s %3d clients: %7.0f req/s  p50 %-8v p99 %-8v ok %.1f%%  cpu/request %v\n",
				round+1, v.Name, clients, r.Throughput, r.P50, r.P99, 100*r.Success, cpuPer[i][len(cpuPer[i])-1])
		}
	}
	var out []VariantResult
	for i, v := range variants {
		rs := per[i]
		vr := VariantResult{Variant: v.Name, Rounds: len(rs), Scrapes: scrapes[i][1]}
		if scrapes[i][1] > 0 {
			vr.ScrapeBytes = scrapes[i][0] / scrapes[i][1]
		}
		var tput []float64
		var p50, p99 []time.Duration
		ok := 0.0
		for _, r := range rs {
			tput = append(tput, r.Throughput)
			p50 = append(p50, r.P50)
			p99 = append(p99, r.P99)
			vr.ThroughputPerRound = append(vr.ThroughputPerRound, r.Throughput)
			vr.P99PerRound = append(vr.P99PerRound, r.P99)
			vr.Requests += r.Requests
			ok += r.Success
		}
		vr.CPUPerRound = cpuPer[i]
		vr.CPUPerRequest = median(cpuPer[i])
		vr.Throughput = median(tput)
		vr.P50, vr.P99 = median(p50), median(p99)
		vr.Success = ok / float64(len(rs))
		if vr.Throughput > 0 {
			vr.Spread = (slices.Max(tput) - slices.Min(tput)) / vr.Throughput
		}
		out = append(out, vr)
	}
	for i := range out {
		if out[0].Throughput > 0 && out[0].P99 > 0 {
			out[i].RelativeToFirst = out[i].Throughput / out[0].Throughput
			out[i].RelativeP99ToFirst = float64(out[i].P99) / float64(out[0].P99)
		}
		var ratios []float64
		for r := range out[i].ThroughputPerRound {
			if base := out[0].ThroughputPerRound[r]; base > 0 {
				ratios = append(ratios, out[i].ThroughputPerRound[r]/base)
			}
		}
		out[i].PairedRatio = median(ratios)
	}
	return out, nil
}

func median[T float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// processCPU is the user and system time the process has used so far (/proc/PID/stat, in
// clock ticks of 10 ms).
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) is in parentheses and may hold spaces: count from after it.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func scrape(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return len(b), err
}

const (
	obsStart = "<!-- bench-observability:start -->"
	obsEnd   = "<!-- bench-observability:end -->"
)

// ObservabilityMarkdown renders the observability section of docs/BENCHMARKS.md.
func ObservabilityMarkdown(results []VariantResult, env Environment, clients int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", obsStart)
	fmt.Fprintf(&b, "Generated by `%s` on %s.\n\n", env.Command, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Machine: %s, %d cores, %s; the three servers, PostgreSQL and the load generator share it.\n", cpuModel(), runtime.NumCPU(), memTotal())
	fmt.Fprintf(&b, "- Go %s; %s.\n", strings.TrimPrefix(runtime.Version(), "go"), env.Postgres)
	fmt.Fprintf(&b, "- Data: %s.\n", env.Dataset)
	fmt.Fprintf(&b, "- Load: (a) legacy endpoint, full tree, %d clients (closed loop), %v per round after a warm-up of every variant; "+
		"the variants run side by side as three processes on one database and are measured in turn, round after round, "+
		"each round starting with the next variant, so that the machine's drift hits them alike. Each variant's /metrics is scraped once per round.\n", clients, env.Duration)
	fmt.Fprintf(&b, "- Service settings: %s.\n\n", env.Settings)
	fmt.Fprintf(&b, "| variant | rounds | server CPU per request (median) | vs off | req/s (median) | vs off | vs off, same round (median) | round spread | p50 | p99 | p99 vs off | ok | /metrics size |\n")
	fmt.Fprintf(&b, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		size := "–"
		if r.Scrapes > 0 {
			size = fmt.Sprintf("%.0f KiB", float64(r.ScrapeBytes)/1024)
		}
		cpuRatio := 0.0
		if results[0].CPUPerRequest > 0 {
			cpuRatio = float64(r.CPUPerRequest) / float64(results[0].CPUPerRequest)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %.3f | %.0f | %.3f | %.3f | %.1f%% | %s | %s | %.3f | %.1f%% | %s |\n", r.Variant, r.Rounds,
			us(r.CPUPerRequest), cpuRatio, r.Throughput, r.RelativeToFirst, r.PairedRatio, 100*r.Spread, ms(r.P50), ms(r.P99), r.RelativeP99ToFirst, 100*r.Success, size)
	}
	fmt.Fprintf(&b, "\nEach round, throughput (req/s) and server CPU per request:\n\n")
	for _, r := range results {
		var xs []string
		for i, x := range r.ThroughputPerRound {
			cpu := "–"
			if i < len(r.CPUPerRound) {
				cpu = us(r.CPUPerRound[i])
			}
			xs = append(xs, fmt.Sprintf("%.0f (%s)", x, cpu))
		}
		fmt.Fprintf(&b, "- %s: %s\n", r.Variant, strings.Join(xs, ", "))
	}
	fmt.Fprintf(&b, "%s\n", obsEnd)
	return b.String()
}

// WriteObservabilitySection replaces the observability section of the file at path (or
// appends it).
func WriteObservabilitySection(path, section string) error {
	return writeMarked(path, section, obsStart, obsEnd)
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d.Nanoseconds())/1000) }
