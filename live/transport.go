package live

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/byzsim/byzsim/protocols"
	"github.com/byzsim/byzsim/sim"
)

// Frames. A TCP frame is the body's length, the sender's and the
// receiver's ids (uint32 little-endian each), then the body (the codec's
// encoding). A UDP datagram is the two ids, then the body.
const (
	tcpHeader = 12
	udpHeader = 8
	// maxDatagram is the largest body sent over UDP; a larger message of a
	// lossy channel goes over TCP.
	maxDatagram = 60000
	dialTimeout = 3 * time.Second
	// writeTimeout bounds a write to a peer that stopped reading.
	writeTimeout = 10 * time.Second
)

// transport owns the hosted nodes' sockets.
type transport struct {
	c   *Cluster
	tcp []net.Listener
	udp []*net.UDPConn

	mu     sync.Mutex
	conns  map[net.Conn]bool // accepted, to close
	closed bool
	wg     sync.WaitGroup
}

func listen(c *Cluster) (*transport, error) {
	t := &transport{c: c, tcp: make([]net.Listener, len(c.nodes)), udp: make([]*net.UDPConn, len(c.nodes)), conns: map[net.Conn]bool{}}
	for id, nd := range c.nodes {
		if nd == nil {
			continue
		}
		a := c.addrs[id]
		ln, err := net.Listen("tcp", listenAddr(a.TCP))
		if err != nil {
			t.close()
			return nil, fmt.Errorf("live: node %d: %w", id, err)
		}
		t.tcp[id] = ln
		pc, err := net.ListenPacket("udp", listenAddr(a.UDP))
		if err != nil {
			t.close()
			return nil, fmt.Errorf("live: node %d: %w", id, err)
		}
		t.udp[id] = pc.(*net.UDPConn)
		c.addrs[id] = Addr{TCP: ln.Addr().String(), UDP: pc.LocalAddr().String()}
	}
	return t, nil
}

// serve starts the accept and read loops.
func (t *transport) serve() {
	for id := range t.tcp {
		if t.tcp[id] == nil {
			continue
		}
		t.wg.Add(2)
		go t.accept(sim.NodeID(id))
		go t.readUDP(sim.NodeID(id))
	}
}

func (t *transport) close() {
	t.mu.Lock()
	t.closed = true
	for conn := range t.conns {
		conn.Close()
	}
	t.mu.Unlock()
	for _, ln := range t.tcp {
		if ln != nil {
			ln.Close()
		}
	}
	for _, pc := range t.udp {
		if pc != nil {
			pc.Close()
		}
	}
	t.wg.Wait()
}

func (t *transport) accept(id sim.NodeID) {
	defer t.wg.Done()
	for {
		conn, err := t.tcp[id].Accept()
		if err != nil {
			return
		}
		t.mu.Lock()
		if t.closed {
			t.mu.Unlock()
			conn.Close()
			return
		}
		t.conns[conn] = true
		t.wg.Add(1)
		t.mu.Unlock()
		go t.readTCP(id, conn)
	}
}

// readTCP reads frames for node id until the connection fails or carries
// a bad frame, which closes it.
func (t *transport) readTCP(id sim.NodeID, conn net.Conn) {
	defer t.wg.Done()
	defer func() {
		t.mu.Lock()
		delete(t.conns, conn)
		t.mu.Unlock()
		conn.Close()
	}()
	r := bufio.NewReaderSize(conn, 64<<10)
	var hdr [tcpHeader]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return
		}
		size := binary.LittleEndian.Uint32(hdr[0:])
		from := sim.NodeID(int32(binary.LittleEndian.Uint32(hdr[4:])))
		to := sim.NodeID(int32(binary.LittleEndian.Uint32(hdr[8:])))
		if size > protocols.MaxMessage || to != id || !t.validSender(from, to) {
			return
		}
		body := make([]byte, size)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		if !t.receive(from, to, body) {
			return
		}
	}
}

func (t *transport) readUDP(id sim.NodeID) {
	defer t.wg.Done()
	buf := make([]byte, 64<<10)
	for {
		n, _, err := t.udp[id].ReadFromUDP(buf)
		if err != nil {
			return
		}
		if n < udpHeader {
			continue
		}
		from := sim.NodeID(int32(binary.LittleEndian.Uint32(buf[0:])))
		to := sim.NodeID(int32(binary.LittleEndian.Uint32(buf[4:])))
		if to != id || !t.validSender(from, to) {
			continue
		}
		t.receive(from, to, append([]byte(nil), buf[udpHeader:n]...))
	}
}

func (t *transport) validSender(from, to sim.NodeID) bool {
	return from >= 0 && int(from) < len(t.c.nodes) && from != to
}

// receive decodes a body and posts it to its node; a body that does not
// decode is counted as dropped and reported false.
func (t *transport) receive(from, to sim.NodeID, body []byte) bool {
	msg, err := t.c.cfg.Codec.Decode(body)
	if err != nil {
		t.c.dropped.Add(1)
		return false
	}
	nd := t.c.nodes[to]
	nd.box.post(func() { nd.deliver(from, msg) })
	return true
}

// peerConn is a link's outgoing TCP connection.
type peerConn struct {
	conn net.Conn
	w    *bufio.Writer
}

func (p *peerConn) close() {
	if p != nil {
		p.conn.Close()
	}
}

// sendTCP writes one frame on conn, dialling (again) when needed; it
// returns the connection to use next time. A message that cannot be
// written is dropped.
func (t *transport) sendTCP(conn *peerConn, from, to sim.NodeID, enc []byte, msg sim.Message) *peerConn {
	var hdr [tcpHeader]byte
	binary.LittleEndian.PutUint32(hdr[0:], uint32(len(enc)))
	binary.LittleEndian.PutUint32(hdr[4:], uint32(from))
	binary.LittleEndian.PutUint32(hdr[8:], uint32(to))
	for attempt := 0; attempt < 2; attempt++ {
		if conn == nil {
			c, err := net.DialTimeout("tcp", t.c.addrs[to].TCP, dialTimeout)
			if err != nil {
				t.c.traceDropped(t.c.Now(), from, to, msg, "unreachable")
				return nil
			}
			conn = &peerConn{conn: c, w: bufio.NewWriterSize(c, 64<<10)}
		}
		conn.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		conn.w.Write(hdr[:])
		conn.w.Write(enc)
		if err := conn.w.Flush(); err == nil {
			return conn
		}
		conn.close()
		conn = nil
	}
	t.c.traceDropped(t.c.Now(), from, to, msg, "connection lost")
	return nil
}

// sendUDP sends one datagram from node from's socket, or from any hosted
// node's when from is not hosted.
func (t *transport) sendUDP(from, to sim.NodeID, enc []byte, msg sim.Message) {
	pc := t.udp[from]
	if pc == nil {
		return
	}
	addr, err := net.ResolveUDPAddr("udp", t.c.addrs[to].UDP)
	if err != nil {
		t.c.traceDropped(t.c.Now(), from, to, msg, "unreachable")
		return
	}
	buf := make([]byte, udpHeader, udpHeader+len(enc))
	binary.LittleEndian.PutUint32(buf[0:], uint32(from))
	binary.LittleEndian.PutUint32(buf[4:], uint32(to))
	buf = append(buf, enc...)
	if _, err := pc.WriteToUDP(buf, addr); err != nil {
		t.c.traceDropped(t.c.Now(), from, to, msg, "send error")
	}
}
