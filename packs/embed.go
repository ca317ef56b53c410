// Package packs holds the shipped pack manifests (*.yml, AnalysisType: pack)
// and, as the packs issue lands, the Go code that builds, verifies and
// uploads packs.
package packs

import "embed"

// FS is the shipped pack manifests.
//
//go:embed *.yml
var FS embed.FS
