// Package packs builds, verifies and uploads rule packs, and holds the
// shipped pack manifests (*.yml, AnalysisType: pack; see FS). The backend
// that stores them is packs/server; the commands are `panther pack` and
// `panther upload`.
//
// A pack archive is a zip of the pack's closure (Closure) with
// manifest.json first. The decisions, and why:
//
//   - Closure. A pack holds the detections its PackDefinition.IDs names
//     and what they need to load and pass their tests on their own: the
//     helpers their Lua require()s, found statically by ScanRequires
//     (gopher-lua's own lexer, so comments and long strings are Lua's; only
//     string literal arguments, since a pack must be known without running
//     it — a non-literal require is a build error at file:line), helpers
//     required by helpers, the enabled data models whose LogTypes meet the
//     rules' LogTypes, the queries scheduled rules name, custom log types,
//     fixture files, and the pack spec itself. TestBuiltPackStandsAlone
//     proves the unzipped pack validates and passes its tests alone.
//   - Layout. Files keep their paths relative to the deepest folder that
//     holds them all (Built.Root), so a spec's Filename still resolves.
//     Loading the zip with Source{Display: Root} shows the user's own
//     paths in every message.
//   - Determinism. Entries sorted by path, a fixed time (2000-01-01 UTC)
//     and mode (0644), deflate at level 6: the same content gives the same
//     bytes (compress/flate promises that within one Go release). The pack
//     digest is computed over the manifest's paths and sha256s only
//     (ComputeDigest, which `sha256sum` reproduces), never over zip bytes,
//     so it is stable across tool versions and zip libraries; idempotent
//     uploads key on it.
//   - Checks. Check loads an archive exactly as `panther validate` and
//     `panther test` load a folder (engine.Load, tester.Run): the CLI
//     runs it before writing a zip, the server before accepting one.
//   - Safety. OpenArchive refuses zip bombs (entry count and declared
//     unzipped size, which archive/zip enforces while reading), paths that
//     leave the pack, symlinks and special files, duplicate entries
//     (also by case), and any file that does not match the manifest.
//   - Client. Retries network errors, 5xx and 429 with exponential backoff
//     and jitter, a bounded number of times, within the context; never
//     4xx. Retrying is safe because the server recognises a known digest,
//     activating the active version is a no-op, and a retried delete that
//     finds nothing counts as done.
package packs
