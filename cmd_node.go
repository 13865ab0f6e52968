package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/byzsim/byzsim/experiments"
)

// nodeCmd runs one replica of a cluster of processes until SIGINT or
// SIGTERM.
func nodeCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("node", flag.ContinueOnError)
	id := fs.Int("id", -1, "the replica `I` to run")
	clusterFile := fs.String("cluster", "", "the cluster `FILE`: the experiment and every node's addresses")
	pos, err := parseArgs(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("byzsim node: unexpected argument %q", pos[0])
	}
	if *clusterFile == "" || *id < 0 {
		return usageErrorf("byzsim node: want --id I --cluster FILE")
	}
	cf, err := experiments.ReadClusterFile(*clusterFile)
	if err != nil {
		return err
	}
	node, err := experiments.StartLiveNode(cf, registry(), *id)
	if err != nil {
		return err
	}
	ep := node.Endpoints()
	fmt.Fprintf(stdout, "replica %d: metrics http://%s/metrics, REST http://%s\n", *id, ep.MetricsAddr, ep.RESTAddr)
	ctx, sig, stop := interruptContext(stderr)
	defer stop()
	<-ctx.Done()
	node.Close()
	if s := sig(); s != nil {
		fmt.Fprintf(stderr, "byzsim: replica %d stopped by %s\n", *id, signalName(s))
	}
	return nil
}

// spawnNode starts a byzsim node process for replica id of a cluster,
// logging to DIR/node-ID.log; the returned function kills it (a crash)
// and waits for it.
func spawnNode(bin, dir string) func(id int, cluster string) (func(), error) {
	return func(id int, cluster string) (func(), error) {
		log, err := os.OpenFile(filepath.Join(dir, "node-"+strconv.Itoa(id)+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		cmd := exec.Command(bin, "node", "--id", strconv.Itoa(id), "--cluster", cluster)
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			log.Close()
			return nil, err
		}
		return func() {
			cmd.Process.Kill()
			cmd.Wait()
			log.Close()
		}, nil
	}
}
