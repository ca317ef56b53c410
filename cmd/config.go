package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

// Config resolves settings in the order the README's "Configuration and
// exit codes" sets: a flag the user set, then
// the PANTHER_<KEY> environment variable, then ./.panther.yml, then the user
// config file (<user config dir>/panther/config.yml). Keys are snake_case
// ("api_url"); the environment variable is the key upper-cased.
type Config struct {
	v      *viper.Viper
	getenv func(string) string
	// Files are the config files read, lowest precedence first.
	Files []string
	// each file's own settings, to resolve relative paths against it
	perFile []*viper.Viper
}

// LoadConfig reads the config files. explicit, when set, is the only file
// read, and it must exist.
func LoadConfig(app *App, explicit string) (*Config, error) {
	getenv := app.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	c := &Config{v: viper.New(), getenv: getenv}
	c.v.SetConfigType("yaml")
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
			files = append(files, filepath.Join(dir, "panther", "config.yml"))
		}
		files = append(files, filepath.Join(app.WorkDir, ".panther.yml"))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) && explicit == "" {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("config file %s: %w", f, err)
		}
		if err := c.v.MergeConfig(strings.NewReader(string(data))); err != nil {
			return nil, fmt.Errorf("config file %s: %v", f, err)
		}
		one := viper.New()
		one.SetConfigType("yaml")
		_ = one.ReadConfig(strings.NewReader(string(data)))
		c.Files = append(c.Files, f)
		c.perFile = append(c.perFile, one)
	}
	return c, nil
}

// lookup returns the raw setting for key and whether any source had it.
func (c *Config) lookup(cmd *cobra.Command, flag, key string) (string, bool) {
	if cmd != nil && flag != "" {
		if f := cmd.Flags().Lookup(flag); f != nil && f.Changed {
			return f.Value.String(), true
		}
	}
	if c == nil {
		return "", false
	}
	if v := c.getenv("PANTHER_" + strings.ToUpper(key)); v != "" {
		return v, true
	}
	if c.v.IsSet(key) {
		return c.v.GetString(key), true
	}
	return "", false
}

// String resolves a string setting; def when nothing sets it. A flag left
// at its default counts as unset, so its default is passed as def.
func (c *Config) String(cmd *cobra.Command, flag, key, def string) string {
	if v, ok := c.lookup(cmd, flag, key); ok {
		return v
	}
	return def
}

// Int resolves an integer setting.
func (c *Config) Int(cmd *cobra.Command, flag, key string, def int) (int, error) {
	v, ok := c.lookup(cmd, flag, key)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, usageErr("setting %s: %q is not a whole number", key, v)
	}
	return n, nil
}

// Duration resolves a duration setting ("1s", "250ms").
func (c *Config) Duration(cmd *cobra.Command, flag, key string, def time.Duration) (time.Duration, error) {
	v, ok := c.lookup(cmd, flag, key)
	if !ok {
		return def, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		return 0, usageErr("setting %s: %q is not a duration (like 500ms or 2s)", key, v)
	}
	return d, nil
}

// Bool resolves a boolean setting.
func (c *Config) Bool(cmd *cobra.Command, flag, key string, def bool) (bool, error) {
	v, ok := c.lookup(cmd, flag, key)
	if !ok {
		return def, nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return false, usageErr("setting %s: %q is not true or false", key, v)
	}
	return b, nil
}

// Strings resolves a list setting: a flag's values, a comma-separated
// environment variable, or a YAML list.
func (c *Config) Strings(cmd *cobra.Command, flag, key string, def []string) []string {
	if cmd != nil && flag != "" {
		if f := cmd.Flags().Lookup(flag); f != nil && f.Changed {
			if s, err := cmd.Flags().GetStringArray(flag); err == nil {
				return s
			}
			if s, err := cmd.Flags().GetStringSlice(flag); err == nil {
				return s
			}
		}
	}
	if c == nil {
		return def
	}
	if v := c.getenv("PANTHER_" + strings.ToUpper(key)); v != "" {
		return strings.Split(v, ",")
	}
	if c.v.IsSet(key) {
		return c.v.GetStringSlice(key)
	}
	return def
}

// Paths resolves a list-of-paths setting. Relative paths from a config file
// are relative to that file's folder, so `detections: [.]` in a
// repository's .panther.yml means the repository wherever panther runs.
func (c *Config) Paths(cmd *cobra.Command, flag, key string) []string {
	if cmd != nil && flag != "" {
		if f := cmd.Flags().Lookup(flag); f != nil && f.Changed {
			return c.Strings(cmd, flag, key, nil)
		}
	}
	if c == nil {
		return nil
	}
	if v := c.getenv("PANTHER_" + strings.ToUpper(key)); v != "" {
		return strings.Split(v, ",")
	}
	for i := len(c.perFile) - 1; i >= 0; i-- {
		if !c.perFile[i].IsSet(key) {
			continue
		}
		var out []string
		for _, p := range c.perFile[i].GetStringSlice(key) {
			if !filepath.IsAbs(p) {
				p = filepath.Join(filepath.Dir(c.Files[i]), p)
			}
			out = append(out, p)
		}
		return out
	}
	return nil
}
