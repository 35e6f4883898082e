package admin

import (
	"encoding/json"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/internal/progress"
	"github.com/cadrestat/cadrestat/service"
)

// The answer to POST /admin/ingest comes in one of two forms, chosen by the request's
// Accept header:
//
//   - application/json (or no Accept; what clients before progress send): when the load is
//     over, the report (200, or 422 with its problems), or a 500 with the message.
//   - IngestProgressType: 200 at once, then newline-delimited JSON IngestEvents flushed as
//     the load goes: {"progress": …} (bytes read of the files' total, rows checked, rows
//     written, phase) at most every ProgressEvery and at each new phase, then exactly one
//     {"report": …} (the same report, problems and all) or {"error": "load failed: …"}.
//     A stream that ends without either means the server stopped mid-load.
//
// Refusals before the load starts (token, malformed body, unreadable path, upload refused)
// keep their status codes and X-Cadrestat-Error in both forms, so the upload that follows
// UNREADABLE_PATH works as before. The stream starts (200, headers flushed) once the files
// are in, and repeats its last event after every heartbeat of silence (Config): the
// client's limit is on silence, not on the load's length. A server from before progress
// ignores Accept and answers application/json, which the client reads as before (it just
// shows no progress).
const IngestProgressType = "application/x-ndjson"

// ProgressEvery is the shortest time between two progress events of one stream.
const ProgressEvery = 200 * time.Millisecond

// LogProgressEvery is how often the server logs a long load's progress.
const LogProgressEvery = 10 * time.Second

// IngestEvent is one line of a progress stream: exactly one field is set.
type IngestEvent struct {
	Progress *progress.State `json:"progress,omitempty"`
	Report   *ingest.Report  `json:"report,omitempty"`
	Error    string          `json:"error,omitempty"`
	// Code goes with Error: the X-Cadrestat-Error code the answer would have carried had
	// it not been streamed (NO_SPACE, LOAD_FAILED).
	Code string `json:"code,omitempty"`
}

// wantsProgress reports whether the client asked for the progress stream.
func wantsProgress(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == IngestProgressType {
			return true
		}
	}
	return false
}

// loadOptions logs a long load's progress every LogProgressEvery (a short one logs
// nothing) and passes each report on to also, when not nil; stop ends the log.
func loadOptions(files []ingest.File, log *slog.Logger, also func(progress.State)) (opt ingest.Options, stop func()) {
	set, stop := progress.LogEvery(log, "admin ingest", LogProgressEvery, "files", len(files))
	return ingest.Options{Progress: func(s progress.State) {
		set(s)
		if also != nil {
			also(s)
		}
	}}, stop
}

// streamLoad runs the load, writing its progress as it goes and its report at the end.
// Every heartbeat without an event repeats the last one, so a client can tell a long
// silent phase (the engine's commit) from a server that stopped: it gives up after a
// silence, not after a total time.
func streamLoad(w http.ResponseWriter, r *http.Request, svc *service.Service, files []ingest.File, log *slog.Logger, heartbeat time.Duration) {
	w.Header().Set("Content-Type", IngestProgressType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	rc.Flush() // the client's wait for an answer ends here
	enc := json.NewEncoder(w)
	var mu sync.Mutex
	var lastSent time.Time
	over := false // the report or error is sent: a late heartbeat must not follow it
	lastState := progress.State{Phase: ingest.PhaseRead}
	send := func(ev IngestEvent) {
		mu.Lock()
		defer mu.Unlock()
		if over {
			return
		}
		over = ev.Report != nil || ev.Error != ""
		if ev.Progress != nil {
			lastState = *ev.Progress
		}
		lastSent = time.Now()
		if enc.Encode(ev) == nil {
			rc.Flush()
		}
	}
	beat := time.NewTicker(heartbeat / 2)
	done := make(chan struct{})
	defer func() { beat.Stop(); close(done) }()
	go func() {
		for {
			select {
			case <-done:
				return
			case <-beat.C:
				mu.Lock()
				quiet, s := time.Since(lastSent) >= heartbeat, lastState
				mu.Unlock()
				if quiet {
					send(IngestEvent{Progress: &s})
				}
			}
		}
	}()
	var last time.Time
	phase := ""
	start := time.Now()
	opt, stop := loadOptions(files, log, func(s progress.State) {
		// Calls never overlap (ingest.Options.Progress), so last and phase need no lock.
		if now := time.Now(); s.Phase != phase || now.Sub(last) >= ProgressEvery {
			last, phase = now, s.Phase
			send(IngestEvent{Progress: &s})
		}
	})
	rep, err := svc.LoadWith(r.Context(), files, opt)
	stop()
	if err != nil {
		log.Error("admin ingest failed", "err", err)
		_, code, msg := loadFailure(err)
		send(IngestEvent{Error: msg, Code: code})
		return
	}
	logFinished(log, files, rep, start)
	send(IngestEvent{Report: rep})
}

// logFinished ends the log of a load long enough to have logged its progress.
func logFinished(log *slog.Logger, files []ingest.File, rep *ingest.Report, start time.Time) {
	if d := time.Since(start); d >= LogProgressEvery {
		log.Info("admin ingest finished", "files", len(files), "rows", rep.Rows, "changed", rep.Changed, "problems", len(rep.Problems), "elapsed_s", int(d.Seconds()))
	}
}
