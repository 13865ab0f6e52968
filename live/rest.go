package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MaxLogEntries is the most entries one GET /log answer holds.
const MaxLogEntries = 1000

// RequestTimeout bounds a POST /request.
const RequestTimeout = 30 * time.Second

// Health is the answer of GET /health.
type Health struct {
	Status  string  `json:"status"`
	Node    int     `json:"node"`
	UptimeS float64 `json:"uptime_s"`
}

// State is the answer of GET /state: the replica's checker snapshot.
type State struct {
	Node int `json:"node"`
	// Round is the round or view (Replica.Round).
	Round int64 `json:"round"`
	// Committed is the committed log's length; Head its last entry's
	// digest in hexadecimal ("" when empty).
	Committed int    `json:"committed"`
	Head      string `json:"head"`
	// Protocol is the protocol's own state (e.g. a
	// view-establishment phase, views, primaries, a replicated list).
	Protocol any `json:"protocol,omitempty"`
}

// Log is the answer of GET /log?from=K: committed entries K, K+1, … (at
// most MaxLogEntries), as hexadecimal digests.
type Log struct {
	Node    int      `json:"node"`
	From    int      `json:"from"`
	Length  int      `json:"length"`
	Entries []string `json:"entries"`
}

// RequestBody is the body of POST /request (optional: value 0).
type RequestBody struct {
	Value int64 `json:"value"`
}

// Error is the answer of a failed call.
type Error struct {
	Error string `json:"error"`
}

// EndpointAddrs are where a replica serves its metrics and REST API.
type EndpointAddrs struct {
	Metrics string `json:"metrics" toml:"metrics"`
	REST    string `json:"rest" toml:"rest"`
}

// Endpoints serve one replica's Prometheus metrics and REST API.
type Endpoints struct {
	servers []*http.Server
	// MetricsAddr and RESTAddr are the addresses listened on.
	MetricsAddr, RESTAddr string
}

// Serve starts replica id's endpoints on the given addresses (port 0
// picks a free port). gw, when not nil, serves POST /request; metrics,
// when not nil, the metrics endpoint.
func Serve(c *Cluster, id sim.NodeID, metricsAddr, restAddr string, metrics *Metrics, gw *Gateway) (*Endpoints, error) {
	e := &Endpoints{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, Health{Status: "ok", Node: int(id), UptimeS: c.Now().Seconds()})
	})
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, r *http.Request) {
		var st State
		ok := c.Do(id, func(n sim.Node) {
			rep, isRep := n.(protocols.Replica)
			if !isRep {
				return
			}
			s := rep.Snapshot()
			st = State{Node: int(id), Round: s.Round, Committed: len(s.Log)}
			if len(s.Log) > 0 {
				st.Head = hexDigest(s.Log[len(s.Log)-1])
			}
			// Encode now: the state may share memory with the replica.
			if data, err := json.Marshal(s.State); err == nil && s.State != nil {
				st.Protocol = json.RawMessage(data)
			}
		})
		if !ok {
			writeJSON(w, http.StatusServiceUnavailable, Error{"the replica is not running"})
			return
		}
		writeJSON(w, http.StatusOK, st)
	})
	mux.HandleFunc("GET /log", func(w http.ResponseWriter, r *http.Request) {
		from := 0
		if v := r.URL.Query().Get("from"); v != "" {
			k, err := strconv.Atoi(v)
			if err != nil || k < 0 {
				writeJSON(w, http.StatusBadRequest, Error{fmt.Sprintf("from=%q: want an entry index ≥ 0", v)})
				return
			}
			from = k
		}
		out := Log{Node: int(id), From: from, Entries: []string{}}
		ok := c.Do(id, func(n sim.Node) {
			rep, isRep := n.(protocols.Replica)
			if !isRep {
				return
			}
			s := rep.Snapshot()
			out.Length = len(s.Log)
			for k := from; k < len(s.Log) && len(out.Entries) < MaxLogEntries; k++ {
				out.Entries = append(out.Entries, hexDigest(s.Log[k]))
			}
		})
		if !ok {
			writeJSON(w, http.StatusServiceUnavailable, Error{"the replica is not running"})
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST /request", func(w http.ResponseWriter, r *http.Request) {
		if gw == nil {
			writeJSON(w, http.StatusServiceUnavailable, Error{"this node has no request gateway"})
			return
		}
		var body RequestBody
		if r.ContentLength != 0 {
			dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
			if err := dec.Decode(&body); err != nil {
				writeJSON(w, http.StatusBadRequest, Error{"body: want {\"value\": N}: " + err.Error()})
				return
			}
		}
		ctx, cancel := context.WithTimeout(r.Context(), RequestTimeout)
		defer cancel()
		res, err := gw.Submit(ctx, body.Value)
		if err != nil {
			status := http.StatusServiceUnavailable
			if errors.Is(err, context.DeadlineExceeded) {
				status = http.StatusGatewayTimeout
			}
			writeJSON(w, status, Error{err.Error()})
			return
		}
		if metrics != nil {
			metrics.ObserveLatency(res.LatencyMS / 1000)
		}
		writeJSON(w, http.StatusOK, res)
	})
	if err := e.listen(restAddr, mux, &e.RESTAddr); err != nil {
		e.Close()
		return nil, fmt.Errorf("node %d REST: %w", id, err)
	}
	if metrics != nil {
		h := promhttp.HandlerFor(metrics.Registry(id), promhttp.HandlerOpts{})
		mm := http.NewServeMux()
		mm.Handle("GET /metrics", h)
		if err := e.listen(metricsAddr, mm, &e.MetricsAddr); err != nil {
			e.Close()
			return nil, fmt.Errorf("node %d metrics: %w", id, err)
		}
	}
	return e, nil
}

func (e *Endpoints) listen(addr string, h http.Handler, got *string) error {
	ln, err := net.Listen("tcp", listenAddr(addr))
	if err != nil {
		return err
	}
	*got = ln.Addr().String()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	e.servers = append(e.servers, srv)
	go srv.Serve(ln)
	return nil
}

// Close stops the servers.
func (e *Endpoints) Close() {
	for _, s := range e.servers {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		s.Shutdown(ctx)
		cancel()
		s.Close()
	}
}

func hexDigest(d protocols.Digest) string { return fmt.Sprintf("%016x", uint64(d)) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
