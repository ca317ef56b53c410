package cmd

import "panther/parsers/custom"

// decodeLogType compiles the custom log type specs (AnalysisType: log_type)
// found among detections, so rules may name them in LogTypes and replay
// parses them.
var decodeLogType = custom.Decode
