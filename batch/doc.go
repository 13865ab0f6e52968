// Package batch runs byzsim sweeps under batch systems: it reads a shard's
// index and count from a Slurm job array or a Kubernetes Indexed Job
// (ShardFromEnv), and writes the Slurm scripts (SlurmScripts) and the
// Kubernetes Job manifests (K8sManifests) that run the shards of an
// experiment and merge them.
//
// The generated files use one layout under a directory on storage every
// node or pod sees:
//
//	DIR/shards/<i>/<experiment>/   shard i's output (byzsim run -o DIR/shards/<i>)
//	DIR/merged/<experiment>/       the merged results (byzsim merge DIR/merged DIR/shards)
//	DIR/logs/                      Slurm's output files
package batch
