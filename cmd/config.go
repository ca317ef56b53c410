package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"gopkg.in/yaml.v3"

	"panther/packs"
	"panther/parsers"
)

// Settings are panther's settings, in the order docs/configuration.md
// sets: a flag the user gave, then the
// PANTHER_<KEY> environment variable, then the repository's .panther.yml
// (found from the working folder upward, as git finds .git), then the user
// config file (<user config dir>/panther/config.yml), then the flag's
// default. viper does the resolving: flags are bound with BindPFlag,
// PANTHER_ with SetEnvPrefix and AutomaticEnv, the repository file is
// found on a search path of the working folder and its parents; the result
// is decoded into this struct with unknown keys refused.
type Settings struct {
	Detections   []string      `mapstructure:"detections"`
	Filter       []string      `mapstructure:"filter"`
	MinimumTests int           `mapstructure:"minimum_tests"`
	Parallel     int           `mapstructure:"parallel"`
	LuaTimeout   time.Duration `mapstructure:"lua_timeout"`
	// InternalNetworks are the networks net.is_internal calls ours.
	InternalNetworks []string      `mapstructure:"internal_networks"`
	Workers          int           `mapstructure:"workers"`
	Lake             string        `mapstructure:"lake"`
	MaxRecordBytes   string        `mapstructure:"max_record_bytes"`
	SearchFormat     string        `mapstructure:"search_format"`
	SearchTimeout    time.Duration `mapstructure:"search_timeout"`
	SearchMemLimit   string        `mapstructure:"search_memory_limit"`
	SearchTempLimit  string        `mapstructure:"search_temp_limit"`
	APIURL           string        `mapstructure:"api_url"`
	APIToken         string        `mapstructure:"api_token"`
	APIRetries       int           `mapstructure:"api_retries"`
	APITimeout       time.Duration `mapstructure:"api_timeout"`
	ServeData        string        `mapstructure:"serve_data"`
	ServeListen      string        `mapstructure:"serve_listen"`
	ServeTLSCert     string        `mapstructure:"serve_tls_cert"`
	ServeTLSKey      string        `mapstructure:"serve_tls_key"`
	ServeTokens      []string      `mapstructure:"serve_tokens"`
	ServeMaxUpload   string        `mapstructure:"serve_max_upload"`
	ServeMaxUnzip    string        `mapstructure:"serve_max_unzipped"`
	ServeMaxFiles    int           `mapstructure:"serve_max_files"`
	ServeShutdown    time.Duration `mapstructure:"serve_shutdown_timeout"`
	ServeLogLevel    string        `mapstructure:"serve_log_level"`
	// The live service of serve.
	ServeLake       string        `mapstructure:"serve_lake"`
	ServeNoLake     bool          `mapstructure:"serve_no_lake"`
	ServeCommit     time.Duration `mapstructure:"serve_commit_interval"`
	ServeSyslog     []string      `mapstructure:"serve_syslog"`
	ServeKafka      []string      `mapstructure:"serve_kafka"`
	ServeMaxBody    string        `mapstructure:"serve_max_body"`
	ServeMaxDecomp  string        `mapstructure:"serve_max_decompressed"`
	ServeMaxQueue   string        `mapstructure:"serve_max_queue"`
	ServeIngestRate float64       `mapstructure:"serve_ingest_rate"`
	ServeCheck      time.Duration `mapstructure:"serve_check_timeout"`
	ServeRetention  string        `mapstructure:"serve_retention"`
	// The alert store of serve.
	ServeAlertRules   []string `mapstructure:"serve_alert_rules"`
	ServeDestinations string   `mapstructure:"serve_destinations"`

	// MinimumCoverage is panther test's floor of Lua line coverage (%).
	MinimumCoverage float64 `mapstructure:"minimum_coverage"`
}

// settingDefaults are the defaults of the settings that have one besides
// the zero value. A flag bound to a key brings its own default.
var settingDefaults = map[string]any{
	"max_record_bytes": "16MiB", "api_retries": 4, "api_timeout": 2 * time.Minute,
	"serve_listen": "127.0.0.1:8080", "serve_max_upload": "64MiB", "serve_max_unzipped": "256MiB",
	"serve_log_level": "info", "serve_max_files": packs.DefaultLimits.MaxFiles,
	"serve_commit_interval": 10 * time.Second, "serve_max_body": "64MiB", "serve_max_decompressed": "256MiB",
	"serve_max_queue": "64MiB",
}

// pathKeys are the settings that name files or folders: relative paths in a
// config file are relative to that file's folder, so `detections: [.]` in
// a repository's .panther.yml means the repository wherever panther runs.
var pathKeys = []string{"detections", "lake", "serve_data", "serve_tls_cert", "serve_tls_key", "serve_lake"}

// setDefaults gives every key a default (its zero value when it has no
// other), so that viper knows every key: AutomaticEnv then reads the
// PANTHER_ variable of each when the settings are decoded.
func setDefaults(v *viper.Viper) {
	t := reflect.TypeFor[Settings]()
	for i := range t.NumField() {
		f := t.Field(i)
		k := f.Tag.Get("mapstructure")
		def, ok := settingDefaults[k]
		switch {
		case ok:
		case f.Type.Kind() == reflect.Slice:
			def = []string{}
		default:
			def = reflect.Zero(f.Type).Interface()
		}
		v.SetDefault(k, def)
	}
}

// SettingKeys lists every settings key, sorted.
func SettingKeys() []string {
	var keys []string
	t := reflect.TypeFor[Settings]()
	for i := range t.NumField() {
		keys = append(keys, t.Field(i).Tag.Get("mapstructure"))
	}
	slices.Sort(keys)
	return keys
}

// repoConfigName is the repository config file, found upward.
const repoConfigName = ".panther"

// Config holds the settings of one command line.
type Config struct {
	v *viper.Viper
	// Files are the config files read, lowest precedence first.
	Files []string
	// Settings are the settings in effect, once Bind decoded them.
	Settings Settings
	// setBy maps a key to the file:line that set it (the last file wins).
	setBy map[string]string
	cmd   *cobra.Command
}

// LoadConfig reads the config files and validates their keys. explicit,
// when set, is the only file read, and it must exist.
func LoadConfig(app *App, explicit string) (*Config, error) {
	c := &Config{v: viper.New(), setBy: map[string]string{}}
	c.v.SetEnvPrefix("PANTHER")
	c.v.AutomaticEnv()
	setDefaults(c.v)
	var files []string
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return nil, fmt.Errorf("config file: %w", err)
		}
		files = []string{explicit}
	} else {
		dir := app.ConfigDir
		if dir == "" {
			dir, _ = os.UserConfigDir()
		}
		if dir != "" {
			if f := filepath.Join(dir, "panther", "config.yml"); exists(f) {
				files = append(files, f)
			}
		}
		repo, err := findRepoConfig(app.WorkDir)
		if err != nil {
			return nil, err
		}
		if repo != "" {
			files = append(files, repo)
		}
	}
	for _, f := range files {
		if err := c.merge(f); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func exists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// findRepoConfig finds .panther.yml in dir or the nearest of its parents,
// with viper's config search path: as git finds .git.
func findRepoConfig(dir string) (string, error) {
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	fv := viper.New()
	fv.SetConfigName(repoConfigName)
	for d := abs; ; d = filepath.Dir(d) {
		fv.AddConfigPath(d)
		if filepath.Dir(d) == d {
			break
		}
	}
	err = fv.ReadInConfig()
	var nf viper.ConfigFileNotFoundError
	switch {
	case errors.As(err, &nf):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("config file %s: %v", fv.ConfigFileUsed(), err)
	}
	return fv.ConfigFileUsed(), nil
}

// merge reads one config file over the files read before: its keys are
// checked (an unknown key is an error naming its line and the nearest
// key), its relative paths made relative to its folder.
func (c *Config) merge(file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("config file %s: %w", file, err)
	}
	lines, err := checkConfigKeys(file, data)
	if err != nil {
		return err
	}
	one := viper.New()
	one.SetConfigType(configType(file))
	if err := one.ReadConfig(strings.NewReader(string(data))); err != nil {
		return fmt.Errorf("config file %s: %v", file, err)
	}
	m := one.AllSettings()
	for _, k := range pathKeys {
		if v, ok := m[k]; ok {
			m[k] = relativeTo(filepath.Dir(file), v)
		}
	}
	if err := c.v.MergeConfigMap(m); err != nil {
		return fmt.Errorf("config file %s: %v", file, err)
	}
	for k, line := range lines {
		c.setBy[k] = fmt.Sprintf("%s:%d", file, line)
	}
	c.Files = append(c.Files, file)
	return nil
}

func configType(file string) string {
	switch ext := strings.TrimPrefix(filepath.Ext(file), "."); ext {
	case "json", "toml":
		return ext
	}
	return "yaml"
}

// checkConfigKeys returns the line of each top-level key of a YAML config
// file, or an error for a key that is not a setting.
func checkConfigKeys(file string, data []byte) (map[string]int, error) {
	lines := map[string]int{}
	if configType(file) != "yaml" {
		return lines, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("config file %s: %v", file, err)
	}
	if len(doc.Content) == 0 {
		return lines, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("config file %s:%d: expected keys and values (detections: [rules], lake: ./lake, ...)", file, root.Line)
	}
	keys := SettingKeys()
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if !slices.Contains(keys, k.Value) {
			hint := "'panther config' lists the settings"
			if n := parsers.Nearest(k.Value, keys); n != "" {
				hint = "did you mean " + n + "?"
			}
			return nil, fmt.Errorf("config file %s:%d: unknown key %s (%s)", file, k.Line, k.Value, hint)
		}
		lines[k.Value] = k.Line
	}
	return lines, nil
}

// relativeTo makes the relative paths of a path setting (a string or a
// list) relative to dir.
func relativeTo(dir string, v any) any {
	join := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return shortPath(filepath.Join(dir, p))
	}
	switch x := v.(type) {
	case string:
		return join(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			if s, ok := e.(string); ok {
				out[i] = join(s)
			} else {
				out[i] = e
			}
		}
		return out
	}
	return v
}

// shortPath returns p relative to the working directory when that is
// shorter (as the go command prints paths), so that messages about files
// of a repository found through its .panther.yml read like those of a
// path given on the command line: rules/x.yml, ../rules/x.yml.
func shortPath(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && len(rel) < len(p) {
		return rel
	}
	return p
}

// settingAnnotation marks a flag with the settings key it sets.
const settingAnnotation = "panther_setting"

// bindSetting says that flag of c sets key: Bind binds them.
func bindSetting(c *cobra.Command, flag, key string) {
	f := c.Flags().Lookup(flag)
	if f == nil {
		f = c.PersistentFlags().Lookup(flag)
	}
	if f == nil {
		panic("bindSetting: no flag " + flag)
	}
	if f.Annotations == nil {
		f.Annotations = map[string][]string{}
	}
	f.Annotations[settingAnnotation] = []string{key}
}

// Bind binds the flags of the command that runs to their settings
// (BindPFlag) and decodes the settings in effect, refusing unknown keys.
func (c *Config) Bind(cmd *cobra.Command) error {
	c.cmd = cmd
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if keys := f.Annotations[settingAnnotation]; len(keys) == 1 && err == nil {
			err = c.v.BindPFlag(keys[0], f)
		}
	})
	if err != nil {
		return err
	}
	var s Settings
	if err := c.v.UnmarshalExact(&s); err != nil {
		return fmt.Errorf("settings: %v", strings.ReplaceAll(err.Error(), "\n", " "))
	}
	c.Settings = s
	return nil
}

// Source says where the value of key comes from: "flag --x", "env
// PANTHER_X", "file F:L" or "default".
func (c *Config) Source(key string) string {
	if c.cmd != nil {
		var from string
		c.cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if ks := f.Annotations[settingAnnotation]; len(ks) == 1 && ks[0] == key && f.Changed {
				from = "flag --" + f.Name
			}
		})
		if from != "" {
			return from
		}
	}
	env := "PANTHER_" + strings.ToUpper(key)
	if _, ok := os.LookupEnv(env); ok {
		return "env " + env
	}
	if f, ok := c.setBy[key]; ok {
		return "file " + f
	}
	return "default"
}

// Value is the value of key in effect, as viper holds it.
func (c *Config) Value(key string) any { return c.v.Get(key) }
