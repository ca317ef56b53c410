package cmd

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/tester/coverage"
)

// coverageOptions are the coverage flags of `panther test`.
type coverageOptions struct {
	On      bool
	Format  string  // table, lcov, json
	Out     string  // a file; "" is stdout
	Minimum float64 // percent; 0 is no floor
}

func coverageFlags(c *cobra.Command, o *coverageOptions) {
	f := c.Flags()
	f.BoolVar(&o.On, "coverage", false, "report the Lua lines the tests ran, per file and in total (with --run ONE_ID: its listing)")
	f.StringVar(&o.Format, "coverage-format", "table", "coverage output: table, lcov or json")
	f.StringVar(&o.Out, "coverage-out", "", "write the coverage to `FILE` (default: stdout, after the tests)")
	f.Float64Var(&o.Minimum, "minimum-coverage", 0, "fail when the total line coverage is under this percent (implies --coverage; setting minimum_coverage)")
	bindSetting(c, "minimum-coverage", "minimum_coverage")
}

// check validates the flags; --minimum-coverage or a format imply --coverage.
func (o *coverageOptions) check(c *cobra.Command) error {
	if !slices.Contains(coverage.Formats, o.Format) {
		return usageErr("--coverage-format %q: one of %s", o.Format, strings.Join(coverage.Formats, ", "))
	}
	if o.Minimum < 0 || o.Minimum > 100 {
		return usageErr("--minimum-coverage %g: a percent from 0 to 100", o.Minimum)
	}
	if o.Minimum > 0 || c.Flags().Changed("coverage-format") || o.Out != "" {
		o.On = true
	}
	return nil
}

// coverageFiles are the files the run concerns: those of the detections
// selected, and the helpers and data models they ran.
func coverageFiles(set *engine.Set, ran []*engine.Detection) []engine.FileCoverage {
	ids := map[string]bool{}
	for _, d := range ran {
		ids[d.ID] = true
	}
	var out []engine.FileCoverage
	for _, f := range set.Coverage() {
		mine := slices.ContainsFunc(f.IDs, func(id string) bool { return ids[id] })
		if mine || f.Kind != engine.TypeRule && f.Kind != engine.TypeScheduledRule && f.Kind != engine.TypePolicy && f.Covered() > 0 {
			out = append(out, f)
		}
	}
	return out
}

// writeCoverage reports the coverage after the tests: the table (or LCOV,
// JSON) of the files, and with one detection selected the listing of its
// Lua file. Under the floor, it says so and returns findings.
func writeCoverage(stdout, stderr io.Writer, set *engine.Set, ran []*engine.Detection, o coverageOptions) error {
	files := coverageFiles(set, ran)
	w := stdout
	if o.Out != "" {
		f, err := os.Create(o.Out)
		if err != nil {
			return usageErr("--coverage-out: %v", err)
		}
		defer f.Close()
		w = f
	} else if o.Format == "table" {
		fmt.Fprintln(w)
	}
	var err error
	switch o.Format {
	case "lcov":
		err = coverage.LCOV(w, files)
	case "json":
		err = coverage.JSON(w, files)
	default:
		err = coverage.Table(w, files)
		if err == nil && len(ran) == 1 && ran[0].LuaFile != "" {
			err = listing(w, set, files, ran[0])
		}
	}
	if err != nil {
		return opErr(fmt.Errorf("writing the coverage: %w", err))
	}
	if o.Out != "" {
		fmt.Fprintf(stderr, "coverage: %.1f%% of %d lines, written to %s\n", coverage.Total(files).Percent(), coverage.Total(files).Lines, o.Out)
	}
	if t := coverage.Total(files); o.Minimum > 0 && t.Percent() < o.Minimum {
		fmt.Fprintf(stderr, "panther: line coverage %.1f%% is under --minimum-coverage %g%%\n", t.Percent(), o.Minimum)
		return findings()
	}
	return nil
}

func listing(w io.Writer, set *engine.Set, files []engine.FileCoverage, d *engine.Detection) error {
	for _, f := range files {
		if f.File != d.LuaFile {
			continue
		}
		src, err := set.ReadFile(f.File)
		if err != nil {
			return err
		}
		fmt.Fprintln(w)
		return coverage.Listing(w, f, src)
	}
	return nil
}
