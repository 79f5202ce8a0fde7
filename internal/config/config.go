// Package config reads the service's settings from environment variables, in one place, with
// the defaults documented in the README.
package config

import (
	"fmt"
	"math"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	// The zone database travels in every binary that reads TIME_ZONE: the container image
	// (scratch) has no /usr/share/zoneinfo.
	_ "time/tzdata"

	"createinfo/internal/audit"
	"createinfo/internal/auth"
	"createinfo/internal/reqbody"
	"createinfo/models"
)

// Config holds every setting of the server and the seed command.
type Config struct {
	// DatabaseURL is the PostgreSQL connection string (DATABASE_URL, required).
	DatabaseURL string
	// ListenAddr is the HTTP listen address (LISTEN_ADDR, default ":8080").
	ListenAddr string
	// Env is "development" or "production" (APP_ENV, default "development"). Production turns
	// off GraphiQL and introspection.
	Env string
	// MaxResults is the most applications one lookup may match before it answers
	// TOO_MANY_RESULTS (MAX_RESULTS, default 200).
	MaxResults int
	// TimeZone is the bank's zone for the legacy date and time strings (TIME_ZONE, default
	// models.DefaultZoneName; the zone database is embedded, so any IANA name loads).
	TimeZone *time.Location
	// LoaderWait is how long a dataloader gathers keys before its batch query (LOADER_WAIT,
	// default 1ms; the library's own default of 16ms is paid once per tree level).
	LoaderWait time.Duration
	// CodeCacheTTL is how long the code tables (industry, job, …) are cached in the process
	// (CODE_CACHE_TTL, default 5m; 0 reads them on every lookup).
	CodeCacheTTL time.Duration
	// RequestTimeout bounds one lookup, database work included (REQUEST_TIMEOUT, default 5s).
	RequestTimeout time.Duration
	// StatementTimeout is PostgreSQL's statement_timeout on every connection, so a query
	// abandoned by a cancelled request does not keep running (STATEMENT_TIMEOUT, default 5s).
	StatementTimeout time.Duration
	// DBMaxOpenConns and DBMaxIdleConns size the connection pool (DB_MAX_OPEN_CONNS default
	// 16, DB_MAX_IDLE_CONNS default 16); DBConnMaxLifetime recycles connections
	// (DB_CONN_MAX_LIFETIME, default 30m).
	DBMaxOpenConns    int
	DBMaxIdleConns    int
	DBConnMaxLifetime time.Duration
	// MaxInFlight bounds the lookups running at once (MAX_IN_FLIGHT, default 64); one that
	// cannot start within QueueWait (QUEUE_WAIT, default 1s) answers SERVICE_UNAVAILABLE.
	MaxInFlight int
	QueueWait   time.Duration
	// MaxBodyBytes caps a request body (MAX_BODY_BYTES, default 65536).
	MaxBodyBytes int64
	// ShutdownTimeout bounds the graceful shutdown (SHUTDOWN_TIMEOUT, default 15s).
	ShutdownTimeout time.Duration
	// DrainDelay is how long, after SIGTERM, /readyz answers 503 while the server still
	// accepts requests, so that a load balancer stops routing first (DRAIN_DELAY, default 0).
	DrainDelay time.Duration
	// APIKeys are the calling systems' keys (API_KEYS=id:hex-sha256-of-secret[,…]). Required
	// in production; in development, none turns authentication off.
	APIKeys []auth.Key
	// OIDC is the bank's OpenID Provider whose access tokens are accepted (OIDC_ISSUER,
	// OIDC_AUDIENCE, OIDC_AGENT_CLAIM default preferred_username, OIDC_ROLES_CLAIM default
	// roles, OIDC_ROLE_MAP e.g. agent:CS-Agents,integration:CRM-Systems); Issuer "" accepts
	// none.
	OIDC auth.TokenConfig
	// ConsoleClientID is the console's public client at the provider (OIDC_CONSOLE_CLIENT_ID):
	// the console signs agents in with authorization code and PKCE.
	ConsoleClientID string
	// RevealsPerHour caps each agent's revealApplication calls in the last hour
	// (REVEALS_PER_HOUR, default 20): past it, TOO_MANY_REQUESTS.
	RevealsPerHour int
	// AgentLookupsPerHour and AgentCustomersPerHour are the insider-abuse thresholds: an agent
	// over either in the last hour is flagged, not stopped (AGENT_LOOKUPS_PER_HOUR default 120,
	// AGENT_DISTINCT_CUSTOMERS_PER_HOUR default 60; 0 turns one off).
	AgentLookupsPerHour   int
	AgentCustomersPerHour int
	// AuditHMACKey keys the HMACs of phone and ID numbers in the audit trail (AUDIT_HMAC_KEY,
	// at least 32 characters; required in production, random per process in development).
	AuditHMACKey []byte
	// AuditChainKey keys the MACs that chain the audit rows (AUDIT_CHAIN_KEY, at least 32
	// characters; required in production; in development a fixed, published key). The
	// database must never hold it: whoever holds it can rewrite the trail undetected.
	AuditChainKey []byte
	// AuditCheckpointEvery is how often the service logs a signed checkpoint of the audit
	// chain while it writes rows (AUDIT_CHECKPOINT_INTERVAL, default 1m).
	AuditCheckpointEvery time.Duration
	// AuditSynchronousCommit is PostgreSQL's synchronous_commit for the audit writer's
	// transactions, set in each of them whatever the server's default (AUDIT_SYNCHRONOUS_COMMIT:
	// on, remote_apply, remote_write or local; default on). With synchronous_standby_names set,
	// on and remote_apply return only once a synchronous standby has the rows: an acknowledged
	// row survives a failover to it. off is refused: a row could be lost while its answer left.
	AuditSynchronousCommit string
	// AuditRequireSyncStandby refuses lookups (SERVICE_UNAVAILABLE) while no synchronous
	// standby is connected to the primary (AUDIT_REQUIRE_SYNC_STANDBY, default false).
	AuditRequireSyncStandby bool
	// BodyReadTimeout bounds the reading of a request body, before the request may take a
	// lookup slot (BODY_READ_TIMEOUT, default 2s).
	BodyReadTimeout time.Duration
	// RefusedPerClient refused (unauthenticated) requests per RefusedWindow are recorded one
	// by one for each client address; the rest answer TOO_MANY_REQUESTS and are counted in one
	// audit row per address and window (REFUSED_PER_CLIENT default 10, 0 no limit;
	// REFUSED_WINDOW default 1m).
	RefusedPerClient int
	RefusedWindow    time.Duration
	// RefusedTotal bounds the refused requests recorded one by one per RefusedWindow across
	// every address; past it, all refusals are counted in one aggregated row per window
	// (REFUSED_TOTAL, default 200, 0 no bound): a flood from many addresses adds a bounded
	// number of rows too.
	RefusedTotal int
	// TrustedProxies are the proxies (load balancers) whose X-Forwarded-For is believed: a
	// request from one of them is the client's the rightmost hop not in these (TRUSTED_PROXIES,
	// comma-separated CIDRs or addresses, default none: nobody's header is believed).
	TrustedProxies []netip.Prefix
	// DBRole, when set, is the role every connection switches to (DB_ROLE, e.g.
	// createinfo_service: reads the account schema, appends to the audit trail).
	DBRole string
	// TrustedDocumentsOnly makes /graphql run only the trusted documents: the console's and the
	// legacy one, named by hash or sent in full (TRUSTED_DOCUMENTS_ONLY, default true in
	// production, false in development so that GraphiQL and ad-hoc queries work).
	TrustedDocumentsOnly bool
	// DebugAddr, when set, serves Go's pprof profiles there (DEBUG_ADDR, default off). Keep it
	// on loopback: profiles show the process's memory.
	DebugAddr string
	// MetricsAddr, when set, serves Prometheus metrics at /metrics there (METRICS_ADDR,
	// default off). Keep it on loopback or an internal network.
	MetricsAddr string
	// ReplicaURLs are PostgreSQL streaming replicas the lookups read from
	// (DATABASE_REPLICA_URLS, comma-separated, default none: everything on DATABASE_URL).
	ReplicaURLs []string
	// ReplicaMaxLag takes a replica out of rotation while it lags more (REPLICA_MAX_LAG,
	// default 10s); ReplicaCheckInterval is how often each replica is checked
	// (REPLICA_CHECK_INTERVAL, default 2s).
	ReplicaMaxLag        time.Duration
	ReplicaCheckInterval time.Duration
	// GCPercent is the garbage collector's GOGC (GO_GC_PERCENT, default 400; "off" leaves
	// collection to the memory limit alone). A lookup allocates about 0.7 MB over a live heap of
	// about 10 MB, so Go's default of 100 collects every twenty lookups and a quarter of the
	// CPU went to the collector; 400 collects a quarter as often for about 25 MB more heap.
	GCPercent int
	// MemoryLimit is the runtime's soft memory limit in bytes (GO_MEMORY_LIMIT, default
	// 100MiB; accepts B, KiB, MiB and GiB suffixes, "off" for none): past it the collector runs
	// as often as needed whatever GCPercent says, so a burst of large trees cannot take the
	// process past it for long.
	MemoryLimit int64
}

// AuditSynchronousCommitLevels are the values AUDIT_SYNCHRONOUS_COMMIT accepts: PostgreSQL's
// synchronous_commit levels except off, under which a committed row may be lost in a crash
// of the primary itself, after its lookup's answer has left.
var AuditSynchronousCommitLevels = []string{"on", "remote_apply", "remote_write", "local"}

// DevelopmentChainKey is the audit chain key outside production when AUDIT_CHAIN_KEY is unset:
// published here, so it protects nothing; it only lets a development trail verify across
// restarts.
const DevelopmentChainKey = "createinfo-development-audit-chain-key-not-secret"

// Production reports whether the service runs in production mode.
func (c Config) Production() bool { return c.Env == "production" }

// FromEnv reads the configuration from the environment, applying defaults.
func FromEnv() (Config, error) { return parse(os.Getenv) }

// FromMap reads the configuration from the variables in env as FromEnv reads the process's,
// for checks of a deployment's settings (deploy/).
func FromMap(env map[string]string) (Config, error) {
	return parse(func(k string) string { return env[k] })
}

func parse(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	c := Config{
		DatabaseURL:          getenv("DATABASE_URL"),
		ListenAddr:           p.str("LISTEN_ADDR", ":8080"),
		Env:                  p.str("APP_ENV", "development"),
		MaxResults:           p.int("MAX_RESULTS", 200),
		LoaderWait:           p.duration("LOADER_WAIT", time.Millisecond),
		CodeCacheTTL:         p.duration("CODE_CACHE_TTL", 5*time.Minute),
		RequestTimeout:       p.duration("REQUEST_TIMEOUT", 5*time.Second),
		StatementTimeout:     p.duration("STATEMENT_TIMEOUT", 5*time.Second),
		DBMaxOpenConns:       p.int("DB_MAX_OPEN_CONNS", 16),
		DBMaxIdleConns:       p.int("DB_MAX_IDLE_CONNS", 16),
		DBConnMaxLifetime:    p.duration("DB_CONN_MAX_LIFETIME", 30*time.Minute),
		MaxBodyBytes:         int64(p.int("MAX_BODY_BYTES", reqbody.DefaultMaxBytes)),
		BodyReadTimeout:      p.duration("BODY_READ_TIMEOUT", 2*time.Second),
		RefusedPerClient:     p.int("REFUSED_PER_CLIENT", 10),
		RefusedWindow:        p.duration("REFUSED_WINDOW", time.Minute),
		RefusedTotal:         p.int("REFUSED_TOTAL", 200),
		TrustedProxies:       p.prefixes("TRUSTED_PROXIES"),
		AuditCheckpointEvery: p.duration("AUDIT_CHECKPOINT_INTERVAL", time.Minute),
		MaxInFlight:          p.int("MAX_IN_FLIGHT", 64),
		QueueWait:            p.duration("QUEUE_WAIT", time.Second),
		ShutdownTimeout:      p.duration("SHUTDOWN_TIMEOUT", 15*time.Second),
		DrainDelay:           p.duration("DRAIN_DELAY", 0),
		DebugAddr:            getenv("DEBUG_ADDR"),
		MetricsAddr:          getenv("METRICS_ADDR"),
		ReplicaMaxLag:        p.duration("REPLICA_MAX_LAG", 10*time.Second),
		GCPercent:            p.gcPercent("GO_GC_PERCENT", 400),
		MemoryLimit:          p.bytes("GO_MEMORY_LIMIT", 100<<20),
	}
	c.ReplicaCheckInterval = p.duration("REPLICA_CHECK_INTERVAL", 2*time.Second)
	for _, u := range strings.Split(getenv("DATABASE_REPLICA_URLS"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			c.ReplicaURLs = append(c.ReplicaURLs, u)
		}
	}
	if c.ReplicaCheckInterval <= 0 {
		p.fail("REPLICA_CHECK_INTERVAL", c.ReplicaCheckInterval.String(), "set a positive duration such as 2s, or unset it for the default")
	}
	c.DBRole = getenv("DB_ROLE")
	c.OIDC = auth.TokenConfig{Issuer: getenv("OIDC_ISSUER"), Audience: getenv("OIDC_AUDIENCE"),
		AgentClaim: p.str("OIDC_AGENT_CLAIM", "preferred_username"), RolesClaim: p.str("OIDC_ROLES_CLAIM", "roles")}
	c.ConsoleClientID = getenv("OIDC_CONSOLE_CLIENT_ID")
	if m, err := auth.ParseRoleMap(p.str("OIDC_ROLE_MAP", "agent:CS-Agents,integration:CRM-Systems")); err != nil {
		p.errs = append(p.errs, err)
	} else {
		c.OIDC.RoleMap = m
	}
	if c.OIDC.Issuer != "" && c.OIDC.Audience == "" {
		p.errs = append(p.errs, fmt.Errorf("OIDC_ISSUER needs OIDC_AUDIENCE: the audience the tokens are issued for"))
	}
	c.RevealsPerHour = p.int("REVEALS_PER_HOUR", 20)
	c.AgentLookupsPerHour = p.int("AGENT_LOOKUPS_PER_HOUR", 120)
	c.AgentCustomersPerHour = p.int("AGENT_DISTINCT_CUSTOMERS_PER_HOUR", 60)
	c.AuditSynchronousCommit = p.oneOf("AUDIT_SYNCHRONOUS_COMMIT", "on", AuditSynchronousCommitLevels)
	c.AuditRequireSyncStandby = p.bool("AUDIT_REQUIRE_SYNC_STANDBY", false)
	if c.AuditRequireSyncStandby && !audit.WaitsForStandby(c.AuditSynchronousCommit) {
		p.need("AUDIT_REQUIRE_SYNC_STANDBY", "is true, which needs a commit that waits for the standby: set AUDIT_SYNCHRONOUS_COMMIT to on, remote_apply or remote_write (not local), or AUDIT_REQUIRE_SYNC_STANDBY to false")
	}
	c.TrustedDocumentsOnly = p.bool("TRUSTED_DOCUMENTS_ONLY", c.Env == "production")
	if keys, err := auth.ParseKeys(getenv("API_KEYS")); err != nil {
		p.errs = append(p.errs, fmt.Errorf("%w; make each entry with bin/apikey <key id>", err))
	} else {
		c.APIKeys = keys
	}
	if k := getenv("AUDIT_HMAC_KEY"); k != "" {
		if len(k) < 32 {
			p.need("AUDIT_HMAC_KEY", "is shorter than 32 characters: set at least 32 random characters (openssl rand -hex 32)")
		}
		c.AuditHMACKey = []byte(k)
	}
	if k := getenv("AUDIT_CHAIN_KEY"); k != "" {
		if len(k) < 32 {
			p.need("AUDIT_CHAIN_KEY", "is shorter than 32 characters: set at least 32 random characters (openssl rand -hex 32), kept out of the database")
		}
		c.AuditChainKey = []byte(k)
	}
	if c.Env == "production" {
		if c.AuditChainKey == nil {
			p.need("AUDIT_CHAIN_KEY", "is required in production: set at least 32 random characters (openssl rand -hex 32), kept out of the database")
		}
		if len(c.APIKeys) == 0 && c.OIDC.Issuer == "" {
			p.need("OIDC_ISSUER", "or API_KEYS is required in production (no authentication otherwise): set OIDC_ISSUER to the bank's OpenID Provider, or API_KEYS to id:sha256 entries each made with bin/apikey <key id>")
		}
		if c.AuditHMACKey == nil {
			p.need("AUDIT_HMAC_KEY", "is required in production: set at least 32 random characters (openssl rand -hex 32)")
		}
	}
	zone := p.str("TIME_ZONE", models.DefaultZoneName)
	loc, err := time.LoadLocation(zone)
	if err != nil {
		p.fail("TIME_ZONE", zone, "set an IANA zone name such as Asia/Taipei")
	}
	c.TimeZone = loc
	if c.AuditChainKey == nil {
		c.AuditChainKey = []byte(DevelopmentChainKey)
	}
	if c.RefusedTotal < 0 {
		p.fail("REFUSED_TOTAL", strconv.Itoa(c.RefusedTotal), "set 0 (no bound) or a positive count such as 200")
	}
	if c.RefusedWindow <= 0 {
		p.fail("REFUSED_WINDOW", c.RefusedWindow.String(), "set a positive duration such as 1m, or unset it for the default")
	}
	if c.DatabaseURL == "" {
		p.need("DATABASE_URL", "is required: set a PostgreSQL URL such as postgres://user@host:5432/db (make -s localdb prints one)")
	}
	if c.Env != "development" && c.Env != "production" {
		p.fail("APP_ENV", c.Env, "set development or production")
	}
	if c.MaxResults < 1 {
		p.fail("MAX_RESULTS", strconv.Itoa(c.MaxResults), "set a whole number of at least 1")
	}
	if c.DBMaxOpenConns < 1 {
		p.fail("DB_MAX_OPEN_CONNS", strconv.Itoa(c.DBMaxOpenConns), "set a whole number of at least 1")
	}
	if c.GCPercent < 0 && c.MemoryLimit == math.MaxInt64 {
		p.need("GO_GC_PERCENT", "is off and so is GO_MEMORY_LIMIT, so the heap would never be collected: set GO_MEMORY_LIMIT to a size such as 100MiB, or GO_GC_PERCENT to a percentage")
	}
	if len(p.errs) > 0 {
		return Config{}, p.errs
	}
	return c, nil
}

// Errors is every setting the environment got wrong, so that one start-up names them all:
// one line each, naming the variable and what to set it to.
type Errors []error

func (e Errors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "config: %d setting(s) to fix:", len(e))
	for _, err := range e {
		b.WriteString("\n  ")
		b.WriteString(err.Error())
	}
	return b.String()
}

func (e Errors) Unwrap() []error { return e }

// parser collects every bad variable into errs.
type parser struct {
	getenv func(string) string
	errs   Errors
}

// fail records a variable whose value cannot be used; todo says what to set instead.
func (p *parser) fail(name, value, todo string) {
	p.errs = append(p.errs, fmt.Errorf("%s=%q is not valid: %s", name, value, todo))
}

// need records a variable that is missing or unusable for a reason other than its syntax.
func (p *parser) need(name, problem string) {
	p.errs = append(p.errs, fmt.Errorf("%s %s", name, problem))
}

func (p *parser) str(name, def string) string {
	if v := p.getenv(name); v != "" {
		return v
	}
	return def
}

func (p *parser) int(name string, def int) int {
	v := p.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.fail(name, v, "set a whole number")
	}
	return n
}

func (p *parser) bool(name string, def bool) bool {
	v := p.getenv(name)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, v, "set true or false")
	}
	return b
}

// oneOf reads a value that must be one of allowed.
func (p *parser) oneOf(name, def string, allowed []string) string {
	v := p.str(name, def)
	if !slices.Contains(allowed, v) {
		p.fail(name, v, "set one of "+strings.Join(allowed, ", "))
	}
	return v
}

func (p *parser) duration(name string, def time.Duration) time.Duration {
	v := p.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		p.fail(name, v, "set a duration such as 500ms or 5s")
	}
	return d
}

// prefixes reads comma-separated CIDRs; a bare address is its own /32 or /128.
func (p *parser) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for _, v := range strings.Split(p.getenv(name), ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		pf, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				p.fail(name, v, "set comma-separated CIDRs such as 10.0.0.0/8 or addresses, or unset it")
				continue
			}
			pf = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, pf.Masked())
	}
	return out
}

// gcPercent reads a GOGC value: a percentage of at least 1, or "off" (-1).
func (p *parser) gcPercent(name string, def int) int {
	v := p.getenv(name)
	switch v {
	case "":
		return def
	case "off":
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		p.fail(name, v, "set a percentage of at least 1, or off")
	}
	return n
}

// byteUnits are the suffixes bytes accepts, as GOMEMLIMIT spells them.
var byteUnits = []struct {
	suffix string
	size   int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

// bytes reads a size such as 100MiB (GOMEMLIMIT's syntax), or "off" (math.MaxInt64: no limit).
func (p *parser) bytes(name string, def int64) int64 {
	v := p.getenv(name)
	switch v {
	case "":
		return def
	case "off":
		return math.MaxInt64
	}
	num, unit := v, int64(1)
	for _, u := range byteUnits {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			num, unit = n, u.size
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 1 || n > math.MaxInt64/unit {
		p.fail(name, v, "set a size such as 100MiB, or off")
		return def
	}
	return n * unit
}
