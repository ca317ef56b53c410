package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"panther/engine"
	"panther/lake"
	"panther/parsers"
	"panther/parsers/input"
	"panther/scan"
)

func init() { register(func(app *App) *cobra.Command { return NewCmdScan(app, nil) }) }

// ScanOptions are what `panther scan` runs with: its streams and clock,
// and its flags.
type ScanOptions struct {
	IO  *IOStreams
	Now func() time.Time
	Ctx context.Context

	Inputs       []string
	Detections   []engine.Source
	Load         engine.LoadOptions
	Policies     []string
	Filters      []string
	Format       string
	FailOn       string // a severity, or "none"
	Lake         string
	Account      string
	Region       string
	TerraformDir string
	MaxFileBytes int64
	Workers      int
	MaxPerPolicy int
	Verbose      bool
}

// NewCmdScan builds `panther scan`; runF replaces scanRun in tests of the
// flags.
func NewCmdScan(app *App, runF func(*ScanOptions) error) *cobra.Command {
	opts := &ScanOptions{IO: app.IO, Now: app.Now}
	var detections []string
	var maxFile string
	c := &cobra.Command{
		Use:   "scan [PATH...|-]",
		Short: "Check cloud resources against policies: AWS Config, AWS CLI output, Terraform plans",
		Long: `Run the policies (AnalysisType: policy) on cloud resources: AWS Config
snapshots and history files (as delivered to S3) and aws configservice output,
AWS CLI describe/get output, Terraform plans (terraform show -json), and
resources in Panther's shape. Files, folders, globs and - for stdin; gzip,
zstd and bzip2 are recognised by content.

Every enabled policy whose ResourceTypes include a resource's type runs on
it, unless one of its Suppressions (resource id patterns, * and ?) matches.
Each check passes, fails, or errors (a Lua error is never a pass).

With --lake, every check is written to the lake's compliance table, so that
panther search answers "when did this bucket become public"; an input
already in the lake (same content) is not written twice.

See docs/scan.md for what each input gives, and panther resourcetypes for
the resource types and their fields.

Exit codes: 0 ok; 1 when a policy at or above --fail-on fails, or a policy
errors; 2 usage; 3 when an input could not be read or the lake failed.`,
		Example: `  panther scan 123456789012_Config_eu-west-1_ConfigSnapshot_*.json.gz
  terraform show -json plan.out > plan.json && panther scan plan.json --format sarif > scan.sarif
  aws iam get-credential-report > cred.json && panther scan cred.json --fail-on high
  aws ec2 describe-security-groups | panther scan - --region eu-west-1
  panther scan ./snapshots/ --lake ./lake`,
		Args: cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Ctx = c.Context()
			opts.Inputs = args
			if len(args) == 0 {
				return usageErr("give the resources to scan (files, folders, globs, or - for stdin); try: panther scan testdata/scan")
			}
			if !slices.Contains(scan.Formats, opts.Format) {
				return usageErr("--format %q: one of %s", opts.Format, strings.Join(scan.Formats, ", "))
			}
			if opts.FailOn != "none" {
				sev, ok := engine.NormalizeSeverity(opts.FailOn)
				if !ok {
					return usageErr("--fail-on %q: one of info, low, medium, high, critical, none", opts.FailOn)
				}
				opts.FailOn = sev
			}
			if maxFile != "" {
				n, err := parseSize(maxFile)
				if err != nil {
					return usageErr("--max-file-size: %v", err)
				}
				opts.MaxFileBytes = int64(n)
			}
			srcs, err := app.detectionSources(c, detections)
			if err != nil {
				return err
			}
			opts.Detections = srcs
			if opts.Load, err = app.loadOptions(c); err != nil {
				return err
			}
			if opts.Workers, err = app.cfg.Int(c, "workers", "workers", 0); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return scanRun(opts)
		},
	}
	f := c.Flags()
	f.StringArrayVar(&detections, "detections", nil, "detection trees (default: the detections setting, else the shipped set)")
	f.StringArrayVar(&opts.Policies, "policy", nil, "run only this policy, even if disabled (repeatable)")
	f.StringArrayVar(&opts.Filters, "filter", nil, "run only policies matching Key=V1,V2 or Key!=V (repeatable, as panther test)")
	f.StringVar(&opts.Format, "format", "pretty", "output: pretty, json, junit or sarif")
	f.StringVar(&opts.FailOn, "fail-on", "info", "exit 1 when a policy of this severity or higher fails (info, low, medium, high, critical, or none)")
	f.StringVar(&opts.Lake, "lake", "", "write every check to the compliance table of the Parquet lake in this folder")
	f.StringVar(&opts.Account, "account", "", "AccountId of inputs that do not carry it (most AWS CLI output)")
	f.StringVar(&opts.Region, "region", "", "Region of inputs that do not carry it (most AWS CLI output, Terraform plans without a provider region)")
	f.StringVar(&opts.TerraformDir, "terraform-dir", "", "where the .tf files of the plans are, to locate resources (default: each plan's folder)")
	f.StringVar(&maxFile, "max-file-size", "", "largest input, decompressed (default 512MiB); one input is in memory at a time")
	f.Int("workers", 0, "parallel workers (default: all cores; setting workers)")
	f.IntVar(&opts.MaxPerPolicy, "max-per-policy", 20, "resources listed under each failing policy in pretty output (-1: all)")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "also list the policies that passed")
	luaTimeoutFlag(c)
	return c
}

// selectPolicies applies --policy and --filter; nil means every enabled
// policy.
func selectPolicies(set *engine.Set, ids, filters []string) ([]*engine.Detection, error) {
	if len(ids) == 0 && len(filters) == 0 {
		return nil, nil
	}
	if bad := set.ValidateIDs(ids); len(bad) > 0 {
		return nil, usageErr("--policy: %s", strings.Join(bad, "; "))
	}
	var flts []engine.Filter
	for _, f := range filters {
		flt, err := engine.ParseFilter(f)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		flts = append(flts, flt)
	}
	var out []*engine.Detection
	for _, d := range set.Select(flts) {
		if d.Kind != engine.TypePolicy {
			continue
		}
		if len(ids) > 0 {
			if slices.Contains(ids, d.ID) {
				out = append(out, d)
			}
			continue
		}
		if d.Enabled {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, usageErr("no policy matches --policy/--filter")
	}
	return out, nil
}

func scanRun(opts *ScanOptions) error {
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	errOut := opts.IO.ErrOut
	set := engine.Load(opts.Detections, opts.Load)
	if n := set.Diagnostics.Errors(); n > 0 {
		for _, d := range set.Diagnostics {
			if d.Level == engine.LevelError {
				fmt.Fprintln(errOut, d.String())
			}
		}
		fmt.Fprintf(errOut, "panther: %d problem(s) in the detections; the rest run\n", n)
	}
	policies, err := selectPolicies(set, opts.Policies, opts.Filters)
	if err != nil {
		return err
	}
	sc := scan.NewScanner(set, scan.Options{Policies: policies, Workers: opts.Workers, Budget: opts.Load.Budget})
	if len(sc.Policies()) == 0 {
		return usageErr("no policy to run: the detections hold no enabled policy (AnalysisType: policy)")
	}
	rep, err := scan.NewReporter(opts.Format, opts.IO.Out, scan.ReportOptions{Color: opts.IO.Color, Verbose: opts.Verbose,
		MaxPerPolicy: opts.MaxPerPolicy, ToolVersion: Version})
	if err != nil {
		return usageErr("%v", err)
	}

	inputErrors := 0
	srcs, expandErrs := input.Expand(opts.Inputs)
	for _, e := range expandErrs {
		inputErrors++
		fmt.Fprintln(errOut, "panther: "+e.Error())
	}
	now := opts.Now().UTC()
	rd := scan.NewReader(scan.ReadOptions{MaxFileBytes: opts.MaxFileBytes, Account: opts.Account, Region: opts.Region,
		Now: func() time.Time { return now }, TerraformDir: opts.TerraformDir, Stdin: opts.IO.In, Digests: opts.Lake != "",
		OnError: func(err error) {
			var ie *scan.InputError
			if errors.As(err, &ie) {
				inputErrors++
			}
			fmt.Fprintln(errOut, "panther: "+err.Error())
		}})

	var lw *lake.Writer
	var sink *scan.LakeSink
	if opts.Lake != "" {
		reg, _ := parsers.NewRegistry() // no log tables: scans write rows only
		if lw, err = lake.Open(ctx, opts.Lake, reg, lake.Options{Now: opts.Now}); err != nil {
			return opErr(err)
		}
		sink = scan.NewLakeSink(scanLake{lw}, now)
	}
	// The largest live allocation of a scan is the input being read (a
	// pointer-free buffer, cheap for the collector); a collector that
	// runs at 50% growth instead of 100% keeps the peak near it: 289 MB
	// instead of 373 MB for a 130 MB snapshot, same CPU (BenchmarkScanBinary,
	// docs/scan.md). GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	sum := scan.NewSummary()
	sum.Policies = len(sc.Policies())
	start := time.Now()
	if err := rep.Start(sc.Policies()); err != nil {
		return opErr(err)
	}
	runErr := sc.Run(ctx, func(feed scan.Emit) error {
		return rd.ReadSources(ctx, srcs, feed)
	}, func(ev scan.Evaluated) error {
		sum.Add(ev)
		if sink != nil {
			if err := sink.Add(ev); err != nil {
				return fmt.Errorf("lake: %w", err)
			}
		}
		return rep.Add(ev)
	})
	sum.Elapsed = time.Since(start)
	if lw != nil {
		if runErr == nil {
			if runErr = sink.Finish(); runErr == nil {
				if err := lw.Close(); err != nil {
					runErr = fmt.Errorf("lake: %w", err)
				}
			}
		}
		if runErr != nil {
			lw.Abort()
		}
	}
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) {
			return runErr
		}
		return opErr(runErr)
	}
	if err := rep.End(sum); err != nil {
		return opErr(err)
	}
	if opts.Format != "pretty" {
		fmt.Fprintln(errOut, sum.Line())
	}
	if sink != nil {
		msg := fmt.Sprintf("lake %s: %d compliance rows", opts.Lake, sink.Rows)
		if sink.Skipped > 0 {
			msg += fmt.Sprintf(" (%d checks of inputs already in the lake not written again)", sink.Skipped)
		}
		fmt.Fprintln(errOut, msg)
	}
	st := rd.Stats()
	if st.Resources == 0 && inputErrors == 0 {
		fmt.Fprintln(errOut, "panther: the inputs hold no resource of a type panther scan knows (panther resourcetypes lists them)")
	}
	if inputErrors > 0 {
		return &ExitError{Code: ExitOperational, Err: fmt.Errorf("%d input(s) could not be read", inputErrors)}
	}
	if sum.Errors > 0 || opts.FailOn != "none" && sum.FailedAtOrAbove(opts.FailOn) > 0 {
		return findings()
	}
	return nil
}

// scanLake adapts the lake writer to scan.LakeWriter.
type scanLake struct{ w *lake.Writer }

func (l scanLake) HasSource(d string) bool { return l.w.HasSource(d) }
func (l scanLake) WriteRow(table string, schema []parsers.Column, t time.Time, row []byte) error {
	return l.w.WriteRow(table, schema, t, row)
}
func (l scanLake) SourceDone(file, digest string, rows int64) error {
	return l.w.SourceDone(lake.SourceInfo{Digest: digest, File: file})
}
