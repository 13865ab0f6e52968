package hotstuff

import (
	"testing"

	"github.com/byzsim/byzsim/protocols/transcript"
)

// TestTranscripts runs the scripted exchanges of testdata/transcripts,
// which document the protocol's steps (go test -rewrite updates them).
func TestTranscripts(t *testing.T) {
	transcript.Run(t, Protocol(), "testdata/transcripts")
}
