package audit

import (
	"context"
	"log/slog"
	"time"

	"createinfo/internal/apperr"
)

// Recorder is the one way a request gets its audit row. The HTTP guard opens each request's
// record at the door (Open: the row the callers fill, see Record); whoever refuses the request
// on its way notes why (Refuse); the executor, or the guard for a request that never reached
// it, writes the row once (Finish), and the refusal limiter writes its aggregated rows
// (Aggregate). The outcome is decided here only: the refusal noted, else what the writer of
// the row saw; the request log reads it back (Outcome). A nil Recorder records nothing (tests
// of other concerns), yet still carries the record, so that the outcome is known.
type Recorder struct {
	w   *Writer
	log *slog.Logger
}

// NewRecorder records through w (nil: nothing is written).
func NewRecorder(w *Writer, log *slog.Logger) *Recorder {
	if w == nil {
		return nil
	}
	if log == nil {
		log = slog.Default()
	}
	return &Recorder{w: w, log: log}
}

// Open returns ctx carrying rec, the request's row as the door knows it (time, ids, address,
// way in, key and agent): whoever handles the request fills it further (FromContext).
func (rc *Recorder) Open(ctx context.Context, rec *Record) context.Context {
	return NewContext(ctx, rec)
}

// Finish writes rec's row, once, and returns the outcome it holds. The outcome is the refusal
// noted by Refuse, if any, else outcome (apperr.OK or a code's String). A row already written is not written again. When the
// row cannot be written the error is logged (with the request's id, never its conditions) and
// returned: the caller fails closed.
func (rc *Recorder) Finish(ctx context.Context, rec *Record, outcome string) error {
	if noted := rec.Refused(); noted != "" {
		outcome = noted.String()
	}
	if rc == nil {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if !rec.written {
			rec.Outcome = outcome // known to the request log, written nowhere
		}
		return nil
	}
	if rec.Written() {
		return nil
	}
	err := rc.w.Write(ctx, rec, outcome)
	if err != nil {
		rc.log.ErrorContext(ctx, "audit row not written", "request_id", rec.RequestID, "outcome", outcome,
			"err", apperr.RedactError(err))
	}
	return err
}

// Aggregate writes the row that stands for attempts refusals of the client addr (or "*", all
// of them) counted since at and answered TOO_MANY_REQUESTS without a row each; id is the row's
// request id.
func (rc *Recorder) Aggregate(ctx context.Context, id string, at time.Time, addr string, attempts int) error {
	if rc == nil {
		return nil
	}
	rec := &Record{At: at, RequestID: id, ServerRequestID: id, ClientAddr: addr, Way: "*", Attempts: attempts}
	err := rc.w.Write(ctx, rec, apperr.TooManyRequests.String())
	if err != nil {
		rc.log.ErrorContext(ctx, "audit: aggregated row of refused requests not written", "client", addr,
			"attempts", attempts, "err", apperr.RedactError(err))
	}
	return err
}

// Withheld counts a response withheld because its row could not be written (metrics hook).
func (rc *Recorder) Withheld() {
	if rc != nil {
		rc.w.Withheld()
	}
}

// Outcome is rec's outcome as far as it is known: the one its row holds once Finish has
// decided it, else the refusal noted so far ("" when none).
func Outcome(rec *Record) string {
	if rec == nil {
		return ""
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.Outcome != "" {
		return rec.Outcome
	}
	return rec.pending.String()
}
