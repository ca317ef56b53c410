package destinations

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"panther/alerts"
	"panther/parsers"
)

// Kinds of destinations.
const (
	KindWebhook   = "webhook"
	KindSlack     = "slack"
	KindTeams     = "teams"
	KindPagerDuty = "pagerduty"
	KindEmail     = "email"
)

var kinds = []string{KindWebhook, KindSlack, KindTeams, KindPagerDuty, KindEmail}

// Spec is one configured destination.
type Spec struct {
	Name string `yaml:"name"`
	Kind string `yaml:"kind"`
	// URL of webhook, slack, teams and pagerduty (default: PagerDuty's
	// Events API v2).
	URL string `yaml:"url"`
	// Secret signs webhook bodies; SecretEnv names the environment
	// variable holding it (preferred: a config file is not a vault).
	Secret    string `yaml:"secret"`
	SecretEnv string `yaml:"secret_env"`
	// RoutingKey (or RoutingKeyEnv) of a PagerDuty service.
	RoutingKey    string `yaml:"routing_key"`
	RoutingKeyEnv string `yaml:"routing_key_env"`
	// Email over SMTP: the server (host:port), sender, recipients, an
	// optional login (PLAIN, only over TLS), and a CA file to trust (a
	// private relay); STARTTLS is required unless Insecure says not.
	SMTP        string   `yaml:"smtp"`
	From        string   `yaml:"from"`
	To          []string `yaml:"to"`
	Username    string   `yaml:"username"`
	PasswordEnv string   `yaml:"password_env"`
	CAFile      string   `yaml:"ca_file"`
	Insecure    bool     `yaml:"insecure_no_starttls"`
	// Timeout of one attempt (default 10s).
	Timeout time.Duration `yaml:"timeout"`
	// Workers sending to this destination at once (default 4).
	Workers int `yaml:"workers"`
	Line    int `yaml:"-"`
}

// Retry is how failed deliveries are retried: exponential backoff from
// Base, doubling up to Max, each wait drawn in [d/2, d] (jitter), at
// most Attempts tries; then the delivery is dead (the dead-letter list).
type Retry struct {
	Attempts int           `yaml:"attempts"`
	Base     time.Duration `yaml:"base"`
	Max      time.Duration `yaml:"max"`
}

// DefaultRetry: 8 attempts over about 10 minutes.
var DefaultRetry = Retry{Attempts: 8, Base: 5 * time.Second, Max: 5 * time.Minute}

// Config is the destinations file of `panther serve`.
type Config struct {
	Destinations []Spec `yaml:"destinations"`
	// Defaults route by severity (INFO ... CRITICAL) the alerts that
	// neither their detection nor an alert rule routed.
	Defaults map[string][]string `yaml:"defaults"`
	Retry    Retry               `yaml:"retry"`
	// ConsoleURL is where links in messages point (https://panther.example.com).
	ConsoleURL string `yaml:"console_url"`
}

// Routing returns the store's routing of the defaults.
func (c *Config) Routing() alerts.Routing {
	r := alerts.Routing{BySeverity: map[alerts.Severity][]string{}}
	for sev, names := range c.Defaults {
		s, _ := alerts.ParseSeverity(sev)
		r.BySeverity[s] = names
	}
	return r
}

// Names lists the destinations.
func (c *Config) Names() []string {
	var out []string
	for _, d := range c.Destinations {
		out = append(out, d.Name)
	}
	return out
}

var (
	topKeys   = []string{"destinations", "defaults", "retry", "console_url"}
	specKeys  = []string{"name", "kind", "url", "secret", "secret_env", "routing_key", "routing_key_env", "smtp", "from", "to", "username", "password_env", "ca_file", "insecure_no_starttls", "timeout", "workers"}
	retryKeys = []string{"attempts", "base", "max"}
)

// Load reads a destinations file strictly: an unknown key, an unknown
// kind, a missing URL or a default naming no destination is an error
// with file:line. Secrets named by *_env are read from getenv.
func Load(file string, data []byte, getenv func(string) string) (*Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var errs []string
	bad := func(n *yaml.Node, format string, args ...any) {
		line := 0
		if n != nil {
			line = n.Line
		}
		errs = append(errs, fmt.Sprintf("%s:%d: %s", file, line, fmt.Sprintf(format, args...)))
	}
	c := &Config{Retry: DefaultRetry}
	if len(doc.Content) == 0 {
		return c, nil
	}
	root := doc.Content[0]
	keys := func(n *yaml.Node, known []string, prefix string) {
		if n.Kind != yaml.MappingNode {
			bad(n, "%sexpected a mapping", prefix)
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if !slices.Contains(known, k.Value) {
				hint := "valid keys: " + strings.Join(known, ", ")
				if near := parsers.Nearest(k.Value, known); near != "" {
					hint = "did you mean " + prefix + near + "?"
				}
				bad(k, "unknown key %s%s (%s)", prefix, k.Value, hint)
			}
		}
	}
	keys(root, topKeys, "")
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	if n := get(root, "retry"); n != nil {
		keys(n, retryKeys, "retry.")
		if err := n.Decode(&c.Retry); err != nil {
			bad(n, "retry: %v", err)
		}
		if c.Retry.Attempts < 1 || c.Retry.Base <= 0 || c.Retry.Max < c.Retry.Base {
			bad(n, "retry: attempts ≥ 1, base > 0 and max ≥ base (like {attempts: 8, base: 5s, max: 5m})")
		}
	}
	if n := get(root, "console_url"); n != nil {
		c.ConsoleURL = strings.TrimRight(n.Value, "/")
	}
	seen := map[string]int{}
	if n := get(root, "destinations"); n != nil {
		if n.Kind != yaml.SequenceNode {
			bad(n, "destinations: expected a list")
		}
		for _, item := range n.Content {
			keys(item, specKeys, "")
			var s Spec
			if err := item.Decode(&s); err != nil {
				bad(item, "%v", err)
				continue
			}
			s.Line = item.Line
			switch {
			case s.Name == "":
				bad(item, "a destination needs a name")
				continue
			case seen[s.Name] != 0:
				bad(item, "destination %q is defined twice (first at line %d)", s.Name, seen[s.Name])
			}
			seen[s.Name] = item.Line
			if !slices.Contains(kinds, s.Kind) {
				hint := "one of " + strings.Join(kinds, ", ")
				if near := parsers.Nearest(s.Kind, kinds); near != "" {
					hint = "did you mean " + near + "?"
				}
				bad(item, "destination %s: kind %q (%s)", s.Name, s.Kind, hint)
				continue
			}
			if s.SecretEnv != "" {
				if s.Secret = getenv(s.SecretEnv); s.Secret == "" {
					bad(item, "destination %s: the environment variable %s (secret_env) is empty", s.Name, s.SecretEnv)
				}
			}
			if s.RoutingKeyEnv != "" {
				if s.RoutingKey = getenv(s.RoutingKeyEnv); s.RoutingKey == "" {
					bad(item, "destination %s: the environment variable %s (routing_key_env) is empty", s.Name, s.RoutingKeyEnv)
				}
			}
			if s.Kind == KindPagerDuty && s.URL == "" {
				s.URL = PagerDutyEventsURL
			}
			switch s.Kind {
			case KindEmail:
				if s.SMTP == "" || s.From == "" || len(s.To) == 0 {
					bad(item, "destination %s: email needs smtp (host:port), from and to", s.Name)
				}
			default:
				u, err := url.Parse(s.URL)
				if s.URL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
					bad(item, "destination %s: url %q is not an http(s) URL", s.Name, s.URL)
				}
			}
			if s.Kind == KindWebhook && s.Secret == "" {
				bad(item, "destination %s: a webhook needs a secret (secret_env: NAME) to sign its requests", s.Name)
			}
			if s.Kind == KindPagerDuty && s.RoutingKey == "" {
				bad(item, "destination %s: pagerduty needs routing_key_env", s.Name)
			}
			if s.Timeout <= 0 {
				s.Timeout = 10 * time.Second
			}
			if s.Workers <= 0 {
				s.Workers = 4
			}
			c.Destinations = append(c.Destinations, s)
		}
	}
	if n := get(root, "defaults"); n != nil {
		if err := n.Decode(&c.Defaults); err != nil {
			bad(n, "defaults: a mapping of severity to a list of destination names: %v", err)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if _, ok := alerts.ParseSeverity(k.Value); !ok {
				bad(k, "defaults: %q is not a severity (Info, Low, Medium, High, Critical)", k.Value)
			}
			for _, name := range c.Defaults[k.Value] {
				if seen[name] == 0 {
					bad(k, "defaults.%s: no destination named %q", k.Value, name)
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return c, nil
}

func get(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
