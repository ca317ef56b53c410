package live

// RunAllFields makes a pipeline run every alert function of every match,
// as it did before Generation.Fields: the baseline of BenchmarkSignals.
func RunAllFields(o *Options) { o.allFields = true }
