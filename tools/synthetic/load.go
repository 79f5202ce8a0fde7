package synthetic

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// chunkSize is the applications copied per transaction.
const chunkSize = 5000

// Options of a load.
type Options struct {
	Applications int
	Seed         uint64
	// Progress receives a progress bar when it is a terminal, a line every few seconds
	// otherwise; nil for silence.
	Progress io.Writer
}

// ErrPartial means the database holds some synthetic applications, but not the number asked
// for: the caller must reset first.
var ErrPartial = errors.New("synthetic: the database holds a different number of synthetic applications")

// Count returns how many synthetic applications the database holds.
func Count(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	var n int
	err := pool.QueryRow(ctx, `SELECT count(*) FROM account.create_master WHERE seq_no LIKE 'SYN%'`).Scan(&n)
	return n, err
}

// Reset removes every row of the account schema (demo data included: load it again after).
func Reset(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `TRUNCATE account.create_master, account.step_break_point, account.create_detail,
		account.document_resend, account.edd_survey, account.financial_statement,
		account.resend_to_financial_mapping, account.aml_flag_detail, account.ocr_flag_detail,
		account.z21_flag_detail, account.z22_flag_detail, account.manual_review_flag, account.pay_taxes,
		account.teller_check_record, account.abnormal_account`)
	return err
}

// Load generates o.Applications applications with all their children and copies them in, two
// chunks at a time. It does nothing when exactly that many are already there.
func Load(ctx context.Context, pool *pgxpool.Pool, o Options) error {
	have, err := Count(ctx, pool)
	if err != nil {
		return fmt.Errorf("synthetic: count: %w", err)
	}
	if have == o.Applications {
		return nil
	}
	if have != 0 {
		return fmt.Errorf("%w (%d, asked for %d)", ErrPartial, have, o.Applications)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan *chunk, 2)
	go func() { // one producer: the data depends only on the seed
		defer close(chunks)
		g := newGenerator(o.Seed)
		for left := o.Applications; left > 0; left -= chunkSize {
			select {
			case chunks <- g.chunk(min(chunkSize, left)):
			case <-ctx.Done():
				return
			}
		}
	}()

	p := newProgress(o.Progress, o.Applications)
	defer p.done()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				if err := copyChunk(ctx, pool, c); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					return
				}
				p.add(c.apps, c.rows())
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	_, err = pool.Exec(ctx, `ANALYZE`)
	return err
}

func copyChunk(ctx context.Context, pool *pgxpool.Pool, c *chunk) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, t := range c.tables {
			if len(t.rows) == 0 {
				continue
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"account", t.name}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
				return fmt.Errorf("synthetic: copy %s: %w", t.name, err)
			}
		}
		return nil
	})
}

// progress reports applications and rows loaded, with rate and ETA.
type progress struct {
	w           io.Writer
	tty         bool
	total       int
	start, last time.Time
	apps, rows  atomic.Int64
	mu          sync.Mutex
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) add(apps, rows int) {
	a, r := p.apps.Add(int64(apps)), p.rows.Add(int64(rows))
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if !p.tty && now.Sub(p.last) < 5*time.Second && int(a) < p.total {
		return
	}
	p.last = now
	elapsed := now.Sub(p.start).Seconds()
	rate := float64(a) / elapsed
	eta := time.Duration(float64(p.total-int(a))/rate) * time.Second
	line := fmt.Sprintf("%d/%d applications (%.0f%%), %d rows, %.0f applications/s, ETA %s",
		a, p.total, 100*float64(a)/float64(p.total), r, rate, eta.Round(time.Second))
	if p.tty {
		const width = 30
		filled := int(width * a / int64(p.total))
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = '-'
			if i < filled {
				bar[i] = '#'
			}
		}
		fmt.Fprintf(p.w, "\r[%s] %s", bar, line)
	} else {
		fmt.Fprintln(p.w, line)
	}
}

func (p *progress) done() {
	if p.w != nil && p.tty {
		fmt.Fprintln(p.w)
	}
	if p.w != nil {
		fmt.Fprintf(p.w, "loaded %d applications, %d rows in %s\n", p.apps.Load(), p.rows.Load(),
			time.Since(p.start).Round(time.Second))
	}
}
