package main

import (
	"github.com/byzsim/byzsim/explore/twinsrun"
	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/protocols/bftlist"
	"github.com/byzsim/byzsim/protocols/diembft"
	"github.com/byzsim/byzsim/protocols/hotstuff"
	"github.com/byzsim/byzsim/protocols/prototest"
)

// registry returns the protocols byzsim can run.
func registry() *protocols.Registry {
	return protocols.NewRegistry(bftlist.Protocol(), diembft.Protocol(), hotstuff.Protocol(), prototest.Protocol())
}

// twinsProtocols is how byzsim twins finds protocols: Twins files and
// scenario files that name no protocol run DiemBFT, the protocol Twins
// was first written for.
func twinsProtocols() twinsrun.Protocols {
	return twinsrun.Protocols{Registry: registry(), Default: diembft.Name}
}
