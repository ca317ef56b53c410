package packs

import "embed"

// FS is the shipped pack manifests (*.yml, AnalysisType: pack).
//
//go:embed *.yml
var FS embed.FS
