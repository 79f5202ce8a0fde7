package loaders

import (
	"sync"
)

// Workers is how many long-lived goroutines a started Source keeps for Loaders.Go. The
// priming walk of a full tree runs up to five statements at once beside its caller's; the
// workers serve about six such requests at a time, and a statement that finds none idle gets
// a goroutine of its own, as before: the bound is on idle stacks held, not on concurrency.
const Workers = 32

// workers are the goroutines behind Loaders.Go. A new goroutine starts with a small stack and
// grows it, a copy each time it doubles, into the depth of a statement through the store, pgx
// and tracing, for every concurrent statement of every request: a worker has grown its stack
// on an earlier statement and keeps it (the collector halves what an idle one does not use,
// so it grows back once, not from the start). None run until Source.Start.
type workers struct {
	jobs chan func() // unbuffered: a send succeeds only when a worker is idle
	stop chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	on   bool
}

func newWorkers() *workers { return &workers{jobs: make(chan func()), stop: make(chan struct{})} }

// Start starts the source's workers (once). Call Close when the service stops serving.
func (s *Source) Start() {
	w := s.o.work
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.on {
		return
	}
	w.on = true
	w.wg.Add(Workers)
	for range Workers {
		go w.loop() // a method, not a closure: its name is the goroutine's from the start
	}
}

func (w *workers) loop() {
	defer w.wg.Done()
	for {
		select {
		case f := <-w.jobs:
			f()
		case <-w.stop:
			return
		}
	}
}

// Close stops the workers and waits for them; a Go after it runs on a goroutine of its own.
func (s *Source) Close() {
	w := s.o.work
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.on {
		return
	}
	w.on = false
	close(w.stop)
	w.wg.Wait()
}

// Go runs f concurrently: on an idle worker of the source when there is one, on a new
// goroutine otherwise (none started, all busy, or closed). It never waits for a worker.
func (l *Loaders) Go(f func()) {
	select {
	case l.o.work.jobs <- f:
	default:
		go f()
	}
}
