package live

import "sync"

// mailbox runs posted functions one at a time, in order, on one goroutine.
type mailbox struct {
	mu     sync.Mutex
	q      []func()
	closed bool
	wake   chan struct{}
	done   chan struct{}
	// length is the number of functions waiting, for metrics.
	length int
}

func newMailbox() *mailbox {
	return &mailbox{wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// post queues f; it reports false once the mailbox is closed.
func (m *mailbox) post(f func()) bool {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return false
	}
	m.q = append(m.q, f)
	m.length = len(m.q)
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
	return true
}

// Len is the number of functions waiting.
func (m *mailbox) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.length
}

// run handles posted functions until close; it returns after the function
// in progress.
func (m *mailbox) run() {
	var batch []func()
	for {
		select {
		case <-m.done:
			return
		case <-m.wake:
		}
		m.mu.Lock()
		batch, m.q = m.q, batch[:0]
		m.length = 0
		m.mu.Unlock()
		for i, f := range batch {
			select {
			case <-m.done:
				return
			default:
			}
			f()
			batch[i] = nil
		}
	}
}

// close stops the mailbox: queued functions are discarded.
func (m *mailbox) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		m.closed = true
		close(m.done)
	}
}
