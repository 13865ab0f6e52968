package experiments

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/byzsim/byzsim/live"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestLiveEndpoints serves each protocol's replicas' endpoints during a
// live run and checks them: the metrics parse with Prometheus's text
// parser and count commits and messages, the REST API answers its
// documented JSON, and a request submitted with POST /request is
// committed by every replica.
func TestLiveEndpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("live runs use real time")
	}
	reg := protocols.NewRegistry(diembft.Protocol(), bftlist.Protocol())
	for _, name := range []string{"diembft", "bftlist"} {
		t.Run(name, func(t *testing.T) {
			plan, err := Load("testdata/live-"+name+".toml", reg, Options{Sets: []string{"costs.real_crypto=true"}})
			if err != nil {
				t.Fatal(err)
			}
			checked := false
			opt := &LiveOptions{FreePorts: true, Serve: true, OnStart: func(r LiveRun) func() {
				checkEndpoints(t, r)
				checked = true
				return nil
			}}
			rep, err := Execute(context.Background(), plan, RunOptions{Out: t.TempDir(), Live: opt})
			if err != nil {
				t.Fatal(err)
			}
			if !checked {
				t.Fatal("OnStart was not called")
			}
			if len(rep.Failures) > 0 {
				t.Fatalf("live run failed: %+v", rep.Failures[0].Checks)
			}
		})
	}
}

func checkEndpoints(t *testing.T, r LiveRun) {
	t.Helper()
	client := &http.Client{Timeout: 60 * time.Second}
	getJSON := func(url string, v any) {
		t.Helper()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("GET %s: %s (%s)", url, resp.Status, resp.Header.Get("Content-Type"))
		}
		dec := json.NewDecoder(resp.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
	}
	ep := r.Endpoints[1]
	var h live.Health
	getJSON("http://"+ep.RESTAddr+"/health", &h)
	if h.Status != "ok" || h.Node != 1 {
		t.Errorf("/health = %+v", h)
	}
	// A request through the REST API: it returns once f+1 replicas agree.
	resp, err := client.Post("http://"+ep.RESTAddr+"/request", "application/json", bytes.NewBufferString(`{"value": 4242}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /request: %s: %s", resp.Status, body)
	}
	var res live.Result
	if err := json.Unmarshal(body, &res); err != nil || len(res.Replicas) < r.F+1 {
		t.Fatalf("POST /request answered %s (%v): want f+1 = %d agreeing replicas", body, err, r.F+1)
	}
	// The replies came from replicas that executed the request: once every
	// replica committed as much as the first of them had, and agrees with
	// it on that entry, every replica committed the request.
	var first live.State
	getJSON("http://"+r.Endpoints[res.Replicas[0]].RESTAddr+"/state", &first)
	if first.Committed == 0 {
		t.Fatalf("replica %d replied with an empty log", res.Replicas[0])
	}
	for id, ep := range r.Endpoints {
		deadline := time.Now().Add(30 * time.Second)
		for {
			var st live.State
			getJSON("http://"+ep.RESTAddr+"/state", &st)
			if st.Node != id {
				t.Fatalf("replica %d: /state %+v", id, st)
			}
			if st.Committed >= first.Committed {
				var lg live.Log
				getJSON(fmt.Sprintf("http://%s/log?from=%d", ep.RESTAddr, first.Committed-1), &lg)
				if lg.Node != id || lg.From != first.Committed-1 || len(lg.Entries) == 0 || lg.Length < first.Committed {
					t.Fatalf("replica %d: /log %+v", id, lg)
				}
				if lg.Entries[0] != first.Head {
					t.Fatalf("replica %d: entry %d is %s, replica %d's is %s", id, first.Committed-1, lg.Entries[0], res.Replicas[0], first.Head)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica %d committed %d entries in 30s, want %d", id, st.Committed, first.Committed)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	resp, err = client.Get("http://" + ep.RESTAddr + "/log?from=-1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("/log?from=-1: %s, want 400", resp.Status)
	}
	// Metrics, parsed with Prometheus's own text parser.
	resp, err = client.Get("http://" + ep.MetricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("metrics do not parse: %v", err)
	}
	for _, name := range []string{live.MetricRound, live.MetricCommits, live.MetricSent, live.MetricSentBytes,
		live.MetricReceived, live.MetricReceivedBytes, live.MetricQueue, live.MetricLatency} {
		if families[name] == nil {
			t.Errorf("metric %s missing", name)
		}
	}
	if fam := families[live.MetricCommits]; fam != nil {
		m := fam.GetMetric()[0]
		if m.GetCounter().GetValue() < 1 || m.GetLabel()[0].GetValue() != "1" {
			t.Errorf("%s = %v", live.MetricCommits, m)
		}
	}
	if fam := families[live.MetricLatency]; fam != nil && fam.GetMetric()[0].GetHistogram().GetSampleCount() < 1 {
		t.Errorf("%s counted no request", live.MetricLatency)
	}
	if fam := families[live.MetricSent]; fam != nil && len(fam.GetMetric()) < 2 {
		t.Errorf("%s has %d kinds", live.MetricSent, len(fam.GetMetric()))
	}
}
