package cmd

import (
	"os"
	"strings"
	"testing"
)

// TestMain clears the PANTHER_ variables of the environment the tests run
// in: settings come from it (viper's AutomaticEnv), and the tests that
// need one set it themselves (t.Setenv).
func TestMain(m *testing.M) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "PANTHER_") && k != "PANTHER_BENCH_GZ_MB" {
			os.Unsetenv(k)
		}
	}
	os.Exit(m.Run())
}
