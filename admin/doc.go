// Package admin is the loopback admin protocol between a serving process and the local
// tools, both halves in one place: the server half (Listen: admin.json with a fresh token,
// the ingest hand-off by path or upload with its progress stream, backups through the
// engine's warehouse.Backups, /metrics and pprof) and the client half (Client: HandOff,
// Backup, Post), with one token check (authorized).
//
// The embedded engine lets one process hold a data folder, so `cadrestat ingest` and
// `cadrestat backup` hand their work to the serve that holds it, found through admin.json
// in the folder; with no server running they open the folder themselves.
package admin
