// Package detections holds the shipped detection content — Lua rules with
// their YAML specs, helper modules, data models and saved queries — embedded
// in the binary so `panther test` and `panther replay` work with no
// arguments on a fresh machine.
//
// Layout: rules/<log family>/<name>.{yml,lua}; policies/<service>/ (cloud
// security policies, AnalysisType: policy); helpers/ (AnalysisType:
// global, loaded with require(GlobalID)); datamodels/; queries/.
package detections

import "embed"

// FS is the shipped content.
//
//go:embed rules policies helpers datamodels queries correlations alert_rules
var FS embed.FS
